// `wulf generate TEXT [--model FILE]`: run a generator .tflite. A chat model (Jarvis, the default
// shipped in firmware-models/dist) answers TEXT as the user's message, with `--note` lines in its
// prompt, and prints its reply (a plan's calls are printed, never run: the daemon runs them). Any
// other model (a llama2.c import), or `--raw`, continues TEXT the way llama2.c's run.c prints it (the
// prompt, then the continuation); sampling is run.c's, so a seeded run is reproducible.
// `--eval FILE` scores the model on held-out chats (make_chats.py's test.jsonl).

import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { ChatMessage, ChatModel, LlamaGenerator } from '../../generate/index.js';
import { DEFAULT_GENERATOR_MODEL } from '../../generate/default-model.js';

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
  raw?: boolean; note: string[]; lang: 'en' | 'fr'; eval?: string; limit?: number;
}

const collect = (v: string, all: string[]): string[] => [...all, v];

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
    .option('--raw', 'continue TEXT as plain text even with a chat model')
    .option('--note <text>', 'a note in the chat prompt (repeatable)', collect, [])
    .option('--lang <lang>', 'the language of the chat (en or fr)', (v: string) => {
      if (v !== 'en' && v !== 'fr') throw new InvalidArgumentError('expected en or fr');
      return v;
    }, 'en')
    .option('--eval <file>', "score a chat model on held-out chats (make_chats.py's test.jsonl)")
    .option('--limit <n>', 'with --eval: the first N chats only', number(1, 1 << 30, true))
    .action(async (text: string, f: GenerateFlags, cmd: Command) => {
      if (f.model === undefined) {
        if (!existsSync(DEFAULT_GENERATOR_MODEL)) {
          process.stderr.write(`wulf generate: give --model FILE (the default ${DEFAULT_GENERATOR_MODEL} is missing: npm run models:jarvis)\n`);
          process.exitCode = 2;
          return;
        }
        f.model = DEFAULT_GENERATOR_MODEL;
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
      const { ChatModel: Chat } = await import('../../generate/index.js');
      let chat: ChatModel | null = null;
      try {
        if (!f.raw) chat = new Chat(gen);
      } catch (err) {
        if (!(err instanceof GeneratorModelError)) throw err;
        if (f.eval !== undefined || f.note.length > 0) {
          process.stderr.write(`wulf generate: ${(err as Error).message} (--eval and --note need one)\n`);
          process.exitCode = 2;
          await gen.release();
          return;
        }
      }
      if (chat) {
        // A chat answers greedily unless a temperature is given.
        const temperature = cmd.getOptionValueSource('temperature') === 'default' ? 0 : f.temperature;
        try {
          if (f.eval !== undefined) await evalChats(chat, f);
          else await chatOnce(chat, text, f, { temperature, topP: f.topP, seed: f.seed ?? BigInt(randomInt(1, 2 ** 48)) });
        } finally {
          await gen.release();
        }
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

async function chatOnce(chat: ChatModel, text: string, f: GenerateFlags, sampler: { temperature: number; topP: number; seed: bigint }): Promise<void> {
  const messages: ChatMessage[] = [{ role: 'system', content: f.lang }, ...f.note.map((n) => ({ role: 'note' as const, content: n })), { role: 'user', content: text }];
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const turn = await chat.reply(messages, { maxTokens: f.maxTokens ?? 96, sampler, signal: abort.signal });
    const calls = turn.plan.calls.map((c) => ({ tool: c.tool, args: c.args }));
    if (f.json) {
      process.stdout.write(`${JSON.stringify({ model: f.model, name: chat.name, version: chat.version, text: turn.text, calls, refused: turn.plan.refused, raw: turn.raw, promptTokens: turn.completion.promptTokens, newTokens: turn.completion.newTokens, stoppedBy: turn.completion.stoppedBy, droppedNotes: turn.droppedNotes, ms: Math.round(turn.ms), seed: sampler.seed.toString(), temperature: sampler.temperature })}\n`);
      return;
    }
    if (turn.text) process.stdout.write(`${turn.text}\n`);
    for (const c of calls) process.stdout.write(`call (not run): ${c.tool} ${JSON.stringify(c.args)}\n`);
    for (const r of turn.plan.refused) process.stdout.write(`refused: ${r.reason}\n`);
    process.stderr.write(`${turn.completion.newTokens} tokens in ${Math.round(turn.ms)} ms\n`);
  } catch (err) {
    if (!abort.signal.aborted) throw err;
    process.exitCode = 130;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function evalChats(chat: ChatModel, f: GenerateFlags): Promise<void> {
  const { ChatDataError, evaluateChats, readChats } = await import('../../generate/index.js');
  let chats;
  try {
    chats = await readChats(f.eval!);
  } catch (err) {
    if (!(err instanceof ChatDataError) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    process.stderr.write(`wulf generate: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const r = await evaluateChats(chat, f.limit ? chats.slice(0, f.limit) : chats);
  if (f.json) {
    process.stdout.write(`${JSON.stringify({ model: f.model, name: chat.name, version: chat.version, ...r })}\n`);
    return;
  }
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  for (const [name, s] of Object.entries(r.checks)) {
    process.stdout.write(`${name.padEnd(9)} ${pct(s.rate).padStart(6)}  (${s.passed}/${s.total}; en ${pct(s.en.rate)}, fr ${pct(s.fr.rate)})\n`);
  }
  process.stdout.write(`${r.chats} chats, ${r.tokens} tokens in ${(r.ms / 1000).toFixed(1)} s\n`);
}
