// A llama-architecture generator on LiteRT.js: a .tflite with `prefill` and `decode` signatures whose
// KV cache lives inside the compiled model (written by firmware-models/tflite/llama-graph.ts), and the
// tokenizer in its metadata. The decode loop is llama2.c's run.c loop: the prompt is forced token by
// token (fed through `prefill` in chunks where it fits), then each next token is sampled; a BOS ends
// the sequence. One sequence at a time per loaded model (the cache is the model's state); callers
// queue. Cancellation through an AbortSignal stops between two steps.

import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { decodeModelMetadata, loadLiteRtRuntime, Model, readTflite, type TensorRecord } from '../runtime/index.js';
import { BOS, BpeTokenizer, EOS, type BpeTokenizerJson } from './bpe.js';
import { Sampler, type SamplerOptions } from './sampler.js';

export class GeneratorModelError extends Error {
  override readonly name = 'GeneratorModelError';
}

/** A run stopped through its AbortSignal (between two steps). */
export class GenerationAborted extends Error {
  override readonly name = 'AbortError';
  constructor() { super('generation aborted'); }
}

const checkAbort = (signal: AbortSignal | undefined): void => { if (signal?.aborted) throw new GenerationAborted(); };

/** The shape facts the runtime needs from the metadata (the factory writes more). */
export interface GeneratorConfig {
  dim: number; layers: number; heads: number; kvHeads?: number; vocab: number; maxSeq: number; prefillLen: number;
}

interface GeneratorMeta {
  kind: 'generator';
  architecture: 'llama';
  config: GeneratorConfig;
  weights: string;
  tokenizer: BpeTokenizerJson;
}

/** Causal mask rows for tokens at start..start+T-1 over a cache of maxSeq positions (0 or -1e9). */
export function causalMask(start: number, T: number, maxSeq: number): Float32Array<ArrayBuffer> {
  const m = new Float32Array(T * maxSeq);
  for (let t = 0; t < T; t++) for (let s = 0; s < maxSeq; s++) m[t * maxSeq + s] = s <= start + t ? 0 : -1e9;
  return m;
}

/** A prefill/decode signature's inputs for `tokens` at positions start… (the graph's input names). */
export function stepInputs(tokens: readonly number[], start: number, maxSeq: number): TensorRecord {
  return {
    tokens: Int32Array.from(tokens),
    positions: Int32Array.from(tokens, (_, i) => start + i),
    mask: causalMask(start, tokens.length, maxSeq),
    cache_start: Int32Array.of(0, 0, start, 0),
  };
}

export interface StepEvent {
  /** Position of the token that was fed. */
  pos: number;
  /** The token that follows it. */
  next: number;
  /** true while the prompt is being fed (next is the prompt's own next token). */
  forced: boolean;
}

export interface RunOptions {
  /** Positions to run, the prompt included (run.c's -n); clamped to the context length. 0: the context length. */
  steps: number;
  sampler: SamplerOptions;
  signal?: AbortSignal;
}

export interface CompleteOptions {
  maxTokens: number;
  sampler: SamplerOptions;
  /** Text that ends the answer (not included), e.g. the next turn's role marker. */
  stop?: readonly string[];
  signal?: AbortSignal;
  onText?: (delta: string) => void;
}

export interface Completion {
  text: string;
  newTokens: number;
  promptTokens: number;
  stoppedBy: 'max_tokens' | 'stop' | 'eos' | 'bos' | 'context';
}

export class LlamaGenerator {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly model: Model,
    readonly tokenizer: BpeTokenizer,
    readonly config: GeneratorConfig,
    readonly name: string,
    readonly version: string,
    readonly weights: string,
  ) {}

  static async load(file: string): Promise<LlamaGenerator> {
    return LlamaGenerator.fromBytes(new Uint8Array(await readFile(file)), file);
  }

  static async fromBytes(bytes: Uint8Array, label = 'model'): Promise<LlamaGenerator> {
    const meta = decodeModelMetadata(readTflite(bytes));
    const data = meta?.data as GeneratorMeta | undefined;
    if (!meta || data?.kind !== 'generator' || data.architecture !== 'llama') throw new GeneratorModelError(`${label} is not a generator model (no llama generator metadata)`);
    const tokenizer = BpeTokenizer.fromJson(data.tokenizer);
    if (tokenizer.vocabSize !== data.config.vocab) throw new GeneratorModelError(`${label}: tokenizer has ${tokenizer.vocabSize} tokens, the model ${data.config.vocab}`);
    const model = await Model.fromBytes(await loadLiteRtRuntime(), bytes);
    for (const key of ['prefill', 'decode']) model.signature(key);
    return new LlamaGenerator(model, tokenizer, data.config, meta.name, meta.version, data.weights);
  }

  async release(): Promise<void> {
    await this.model.release();
  }

  /** Feeds `tokens` at positions start… and returns the logits of each fed token (T × vocab). */
  private async feed(tokens: readonly number[], start: number): Promise<Float32Array> {
    const out = await this.model.run(stepInputs(tokens, start, this.config.maxSeq), tokens.length === 1 ? 'decode' : 'prefill');
    return out['logits'] as Float32Array;
  }

  /**
   * Runs run.c's loop over prompt token ids (starting with BOS): yields one event per position. The
   * caller sees forced prompt tokens and sampled ones alike; a sampled BOS ends the run (not yielded).
   * Serialized with every other run on this model.
   */
  async *run(prompt: readonly number[], opts: RunOptions): AsyncGenerator<StepEvent> {
    if (prompt.length === 0) throw new RangeError('generate: the prompt needs at least one token (BOS)');
    for (const t of prompt) if (!Number.isInteger(t) || t < 0 || t >= this.config.vocab) throw new RangeError(`generate: token ${t} is outside the vocabulary`);
    const release = await this.lock();
    try {
      const { maxSeq, prefillLen } = this.config;
      const steps = opts.steps <= 0 || opts.steps > maxSeq ? maxSeq : opts.steps;
      const sampler = new Sampler(opts.sampler);
      let pos = 0;
      // Prompt positions whose logits are not needed go through `prefill`, a chunk at a time, where a
      // whole chunk fits in the context (the cache write must not be clamped) and in the step budget.
      const forcedEnd = Math.min(prompt.length - 1, steps);
      while (prefillLen > 1 && pos + prefillLen <= forcedEnd && pos + prefillLen <= maxSeq) {
        checkAbort(opts.signal);
        await this.feed(prompt.slice(pos, pos + prefillLen), pos);
        for (let i = 0; i < prefillLen; i++, pos++) yield { pos, next: prompt[pos + 1]!, forced: true };
      }
      let token = prompt[pos]!;
      while (pos < steps) {
        checkAbort(opts.signal);
        const logits = await this.feed([token], pos);
        const forced = pos < prompt.length - 1;
        const next = forced ? prompt[pos + 1]! : sampler.sample(logits);
        if (next === BOS) return;
        yield { pos, next, forced };
        token = next;
        pos++;
      }
    } finally {
      release();
    }
  }

  /** Logits after each token of `tokens` (teacher forcing), one decode step per token; for evaluation. */
  async teacherForced(tokens: readonly number[]): Promise<Float32Array[]> {
    const release = await this.lock();
    try {
      const out: Float32Array[] = [];
      for (let pos = 0; pos < tokens.length && pos < this.config.maxSeq; pos++) out.push(await this.feed([tokens[pos]!], pos));
      return out;
    } finally {
      release();
    }
  }

  /**
   * New text for a prompt — text, or token ids that start with BOS (a rendered chat) — (the prompt itself is not returned): at most `maxTokens` new tokens, ending
   * early at a sampled BOS/EOS or right before the first stop sequence (the stop text is not returned).
   * `onText` receives the text as it grows (for streaming); a stop sequence split over tokens is held
   * back until it is known not to be one.
   */
  async complete(prompt: string | readonly number[], opts: CompleteOptions): Promise<Completion> {
    const ids = typeof prompt === 'string' ? this.tokenizer.encode(prompt, true, false) : prompt;
    const stops = (opts.stop ?? []).filter((s) => s.length > 0);
    const hold = Math.max(0, ...stops.map((s) => s.length - 1));
    const utf8 = new StringDecoder('utf8'); // holds a partial UTF-8 sequence until it is whole
    let token = ids[ids.length - 1]!;
    let text = '';
    let sent = 0;
    let newTokens = 0;
    let stoppedBy: Completion['stoppedBy'] = 'max_tokens';
    const steps = Math.min(this.config.maxSeq, ids.length - 1 + opts.maxTokens);
    for await (const e of this.run(ids, { steps, sampler: opts.sampler, ...(opts.signal ? { signal: opts.signal } : {}) })) {
      if (e.forced) continue;
      newTokens++;
      if (e.next === EOS) { stoppedBy = 'eos'; break; }
      const delta = utf8.write(this.tokenizer.decodeBytes(token, e.next));
      token = e.next;
      // Only the new text, and the `hold` characters before it, can complete a stop sequence.
      const from = Math.max(0, text.length - hold);
      text += delta;
      const at = Math.min(...stops.map((s) => text.indexOf(s, from)).filter((i) => i >= 0));
      if (Number.isFinite(at)) {
        text = text.slice(0, at);
        stoppedBy = 'stop';
        break;
      }
      // Do not hand out what may be the start of a stop sequence.
      const safe = text.length - hold;
      if (opts.onText && safe > sent) { opts.onText(text.slice(sent, safe)); sent = safe; }
    }
    if (stoppedBy !== 'stop') text += utf8.end();
    if (stoppedBy === 'max_tokens' && newTokens < opts.maxTokens && ids.length - 1 + newTokens < this.config.maxSeq) stoppedBy = 'bos';
    if (stoppedBy === 'max_tokens' && ids.length - 1 + opts.maxTokens > this.config.maxSeq) stoppedBy = 'context';
    if (opts.onText && text.length > sent) opts.onText(text.slice(sent));
    return { text, newTokens, promptTokens: ids.length, stoppedBy };
  }

  /** run() over prompt ids, with the bytes run.c prints for each step (null where its safe_printf prints nothing). */
  async *pieces(ids: readonly number[], opts: RunOptions): AsyncGenerator<StepEvent & { piece: Uint8Array | null }> {
    let token = ids[0]!;
    for await (const e of this.run(ids, opts)) {
      const piece = this.tokenizer.decodeBytes(token, e.next);
      token = e.next;
      yield { ...e, piece: BpeTokenizer.printable(piece) ? piece : null };
    }
  }

  /** What llama2.c's `run MODEL -z TOKENIZER -i PROMPT -n STEPS -t T -p P -s SEED` prints on stdout. */
  async runCStdout(prompt: string, opts: RunOptions): Promise<string> {
    const parts: Uint8Array[] = [];
    for await (const e of this.pieces(this.tokenizer.encode(prompt, true, false), opts)) if (e.piece) parts.push(e.piece);
    parts.push(Uint8Array.of(0x0a));
    return Buffer.concat(parts).toString('utf8');
  }

  private async lock(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const previous = this.queue;
    this.queue = previous.then(() => mine);
    await previous;
    return release;
  }
}
