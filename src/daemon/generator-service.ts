// Which Jarvis generator answers open questions and plans compound requests: the config's, else the
// one OTA put in service, else the default shipped with Wulf. `generator.enabled: false` keeps it off
// (the assistant then answers as before: notes by keyword, bins, the cloud). Swapping is atomic; the
// old model is released once its run finishes.
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { ChatModel, LlamaGenerator } from '../generate/index.js';
import { DEFAULT_GENERATOR_MODEL } from '../generate/default-model.js';
import { startModel } from './model-choice.js';

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
    await startModel({
      configured: this.config.generator.model, ota: otaModelFile, shipped: DEFAULT_GENERATOR_MODEL, swap: (f) => this.swap(f), log: this.log,
      off: 'the generator is off', what: 'generator', without: 'open questions go to notes, bins and the cloud only',
    });
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
