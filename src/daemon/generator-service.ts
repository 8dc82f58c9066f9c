// Which Jarvis generator answers open questions and plans compound requests: the config's, else the
// one OTA put in service, else the default shipped with Wulf. `generator.enabled: false` keeps it off
// (the assistant then answers as before: notes by keyword, bins, the cloud). Swapping is atomic; the
// old model is released once its run finishes.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { ChatModel, LlamaGenerator } from '../generate/index.js';
import { DEFAULT_GENERATOR_MODEL } from '../generate/default-model.js';

export class GeneratorService {
  private current: ChatModel | null = null;
  private file: string | null = null;

  constructor(private readonly config: Config, private readonly log: Logger) {}

  /** The chat model in service, or null. */
  get chat(): ChatModel | null {
    return this.current;
  }

  get info(): { name: string; version: string; file: string } | null {
    return this.current && this.file ? { name: this.current.name, version: this.current.version, file: this.file } : null;
  }

  async start(otaModelFile: string | null): Promise<void> {
    if (!this.config.generator.enabled) {
      this.log.info('the generator is off (generator.enabled: false)');
      return;
    }
    if (this.config.generator.model && !existsSync(this.config.generator.model)) {
      this.log.error({ file: this.config.generator.model }, 'the configured generator model is missing; the generator is off');
      return;
    }
    const candidates = (this.config.generator.model ? [this.config.generator.model] : [otaModelFile, DEFAULT_GENERATOR_MODEL]).filter((f): f is string => !!f);
    for (const file of candidates) {
      if (!existsSync(file)) continue;
      try {
        await this.swap(file);
        return;
      } catch (err) {
        this.log.error({ file, err: (err as Error).message }, 'generator model does not load; trying the next one');
      }
    }
    this.log.warn({ tried: candidates }, 'no generator model: open questions go to notes, bins and the cloud only');
  }

  /** Load `file` beside the current model and switch to it; throws (and keeps the old) on failure. */
  async swap(file: string): Promise<void> {
    const generator = await LlamaGenerator.load(file);
    let next: ChatModel;
    try {
      next = new ChatModel(generator);
    } catch (err) {
      await generator.release();
      throw err;
    }
    const old = this.current;
    this.current = next;
    this.file = file;
    this.log.info({ file, model: next.name, version: next.version }, 'generator model in service');
    await old?.generator.release();
  }

  async stop(): Promise<void> {
    await this.current?.generator.release();
    this.current = null;
  }
}
