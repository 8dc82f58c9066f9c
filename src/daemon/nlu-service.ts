// Which NeuroLite model understands turns: the config's, else the one OTA put in service, else the
// default shipped with Wulf. Swapping is atomic; the old model is released once its runs finish.
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { NeuroLiteModel, type Understander, type Understanding } from '../nlu/index.js';
import { startModel } from './model-choice.js';

/** The default model shipped in the package (built by `npm run models:neurolite`). */
export const DEFAULT_NLU_MODEL = fileURLToPath(new URL('../../../firmware-models/dist/neurolite-tiny/model.int8.tflite', import.meta.url));

export class NluService implements Understander {
  private current: NeuroLiteModel | null = null;
  private file: string | null = null;

  constructor(private readonly config: Config, private readonly log: Logger) {}

  get isLoaded(): boolean {
    return this.current !== null;
  }

  get version(): string {
    return this.current ? `${this.current.name} ${this.current.version}` : 'none';
  }

  get info(): { name: string; version: string; file: string } | null {
    return this.current && this.file ? { name: this.current.name, version: this.current.version, file: this.file } : null;
  }

  /** Load the configured or default model; a missing or broken default leaves the NLU off (logged). */
  async start(otaModelFile: string | null): Promise<void> {
    await startModel({
      configured: this.config.nlu.model, ota: otaModelFile, shipped: DEFAULT_NLU_MODEL, swap: (f) => this.swap(f), log: this.log,
      off: 'natural language is off', what: 'NLU', without: 'natural language gets an honest "not yet"',
    });
  }

  /** Load `file` beside the current model and switch to it; throws (and keeps the old) on failure. */
  async swap(file: string): Promise<void> {
    const next = await NeuroLiteModel.load(file, { confidenceThreshold: this.config.nlu.confidenceThreshold });
    const old = this.current;
    this.current = next;
    this.file = file;
    this.log.info({ file, model: next.name, version: next.version, intents: next.intents.length }, 'NLU model in service');
    await old?.release(); // waits for runs in flight on the old model
  }

  async understand(text: string, lang: 'en' | 'fr'): Promise<Understanding> {
    if (!this.current) throw new Error('no NLU model loaded');
    return this.current.understand(text);
  }

  async stop(): Promise<void> {
    await this.current?.release();
    this.current = null;
  }
}
