// `wulf generate TEXT --model FILE`: run a generator .tflite (a llama2.c import today; Jarvis-nano
// when #11's recipe ships one) on a prompt and stream the text as it comes, the way llama2.c's run.c
// prints it (the prompt, then the continuation). Sampling is run.c's, so a seeded run is reproducible.

import { randomInt } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import type { LlamaGenerator } from '../../generate/index.js';

function number(min: number, max: number, integer: boolean) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
    }
    return n;
  };
}

function seed(v: string): bigint {
  if (!/^\d{1,20}$/.test(v) || BigInt(v) === 0n || BigInt(v) >= 1n << 64n) throw new InvalidArgumentError('expected an integer in [1, 2^64)');
  return BigInt(v);
}

interface GenerateFlags {
  model?: string; steps?: number; maxTokens?: number; temperature: number; topP: number; seed?: bigint; json?: boolean;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('continue a prompt with a generator model (streams the text; run.c-compatible sampling)')
    .argument('[text]', 'the prompt (empty: start from BOS)', '')
    .option('--model <file>', 'generator .tflite (from `wulf model import-llama2c`)')
    .option('--steps <n>', "positions to run, the prompt included, at most the context length (llama2.c's -n; default 256 without --max-tokens)", number(1, 1 << 20, true))
    .option('--max-tokens <n>', 'at most this many new tokens after the prompt (within the context, and --steps if given)', number(1, 1 << 20, true))
    .option('--temperature <t>', '0: greedy', number(0, 100, false), 1)
    .option('--top-p <p>', 'nucleus sampling mass; 0 or 1: plain sampling', number(0, 1, false), 0.9)
    .option('--seed <n>', 'sampling seed (default: random, printed with --json)', seed)
    .option('--json', 'print one JSON object (text, tokens, timings) instead of streaming')
    .action(async (text: string, f: GenerateFlags) => {
      if (f.model === undefined) {
        process.stderr.write('wulf generate: give --model FILE (no default generator model ships yet: import one with `wulf model import-llama2c`)\n');
        process.exitCode = 2;
        return;
      }
      // Loaded on use, like LiteRT.js itself: other commands start without them.
      const { GeneratorModelError, LlamaGenerator: Generator, TokenizerError } = await import('../../generate/index.js');
      const { ModelError } = await import('../../runtime/index.js');
      let gen: LlamaGenerator;
      try {
        gen = await Generator.load(f.model);
      } catch (err) {
        if (!(err instanceof GeneratorModelError || err instanceof ModelError || err instanceof TokenizerError || (err as NodeJS.ErrnoException).code === 'ENOENT')) throw err;
        process.stderr.write(`wulf generate: cannot load ${f.model}: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const ids = gen.tokenizer.encode(text, true, false);
      // run.c's default is 256 positions; --max-tokens counts new tokens only.
      const steps = f.maxTokens !== undefined ? Math.min(f.steps ?? Infinity, ids.length - 1 + f.maxTokens) : (f.steps ?? 256);
      const runSeed = f.seed ?? BigInt(randomInt(1, 2 ** 48));
      const abort = new AbortController();
      const onSigint = (): void => abort.abort();
      process.once('SIGINT', onSigint);
      const pieces: Buffer[] = [];
      const t0 = performance.now();
      let firstSampled: number | null = null;
      let sampled = 0;
      let events = 0;
      let stoppedBy = 'steps';
      try {
        for await (const e of gen.pieces(ids, { steps, sampler: { temperature: f.temperature, topP: f.topP, seed: runSeed }, signal: abort.signal })) {
          events++;
          if (!e.forced) { sampled++; firstSampled ??= performance.now() - t0; }
          if (e.piece === null) continue;
          if (f.json) pieces.push(Buffer.from(e.piece));
          else process.stdout.write(e.piece);
        }
      } catch (err) {
        if (!abort.signal.aborted) throw err;
        stoppedBy = 'interrupted';
      } finally {
        process.off('SIGINT', onSigint);
      }
      const ms = performance.now() - t0;
      const budget = steps <= 0 || steps > gen.config.maxSeq ? gen.config.maxSeq : steps;
      if (stoppedBy === 'steps' && events < budget) stoppedBy = 'bos';
      if (f.json) {
        process.stdout.write(`${JSON.stringify({ model: f.model, name: gen.name, version: gen.version, weights: gen.weights, text: Buffer.concat(pieces).toString('utf8'), promptTokens: ids.length, newTokens: sampled, seed: runSeed.toString(), temperature: f.temperature, topP: f.topP, stoppedBy, firstTokenMs: firstSampled, tokensPerSecond: sampled > 0 ? sampled / (ms / 1000) : null })}\n`);
      } else {
        process.stdout.write('\n');
        process.stderr.write(`${sampled} tokens, ${(sampled / (ms / 1000)).toFixed(1)} tokens/s, seed ${runSeed}${stoppedBy === 'interrupted' ? ' (interrupted)' : ''}\n`);
      }
      await gen.release();
      if (stoppedBy === 'interrupted') process.exitCode = 130;
    });
}
