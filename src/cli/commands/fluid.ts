// `wulf fluid log|bins`: what the board sent to the cloud (and what came back), and the knowledge
// bins it keeps. Reads the store read-only, so it is safe while the daemon runs.
import pino from 'pino';
import { InvalidArgumentError, type Command } from 'commander';
import { configOrExit } from '../config-or-exit.js';
import { MemoryStore } from '../../memory/index.js';
import { relevance } from '../../fluid/index.js';

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

async function openStore(configPath: string | undefined) {
  const config = await configOrExit(configPath);
  const { store } = await MemoryStore.open(config.stateDir, pino({ level: 'silent' }), { readOnly: true });
  return { config, store };
}

export function registerFluidCommands(program: Command): void {
  const fluid = program.command('fluid').description('the fluid-knowledge link: what went to the cloud, what was learned');

  fluid
    .command('log')
    .description('the latest cloud requests: when, why, what was sent (the question only), to whom, the outcome')
    .option('-c, --config <file>', 'config file (for the state dir)')
    .option('-n, --limit <n>', 'how many, newest last', count, 20)
    .option('--json', 'one JSON object per line')
    .action(async (flags: { config?: string; limit: number; json?: boolean }) => {
      const { store } = await openStore(flags.config);
      const calls = store.data.fluidLog.slice(-flags.limit);
      const u = store.data.fluidUsage;
      for (const c of calls) {
        if (flags.json) process.stdout.write(`${JSON.stringify(c)}\n`);
        else process.stdout.write(`${c.ts}  ${c.outcome.padEnd(7)}  ${(c.provider ?? '-').padEnd(10)}  ${c.reason.padEnd(13)}  ${String(c.tokens).padStart(5)} tok  ${c.sent === null ? '(nothing sent)' : JSON.stringify(c.sent)}\n`);
      }
      if (!flags.json) process.stdout.write(`${calls.length ? '' : 'no cloud requests yet\n'}today (${u.day || 'none yet'}): ${u.calls} calls, ${u.tokens} tokens\n`);
    });

  fluid
    .command('bins')
    .description('the knowledge bins: topic, source, age, uses, relevance now')
    .option('-c, --config <file>', 'config file (for the state dir and decay settings)')
    .option('--json', 'one JSON object per line (embeddings left out)')
    .action(async (flags: { config?: string; json?: boolean }) => {
      const { config, store } = await openStore(flags.config);
      const now = Date.now();
      for (const b of store.data.bins) {
        const r = Math.round(relevance(b, now, config.fluid.bins) * 1000) / 1000;
        const { embedding: _e, ...rest } = b;
        if (flags.json) process.stdout.write(`${JSON.stringify({ ...rest, relevance: r })}\n`);
        else process.stdout.write(`${r.toFixed(3)}  ${b.lang}  ${b.source.padEnd(10)}  ${b.createdAt.slice(0, 10)}  ${String(b.uses).padStart(3)} uses  ${b.topic}\n`);
      }
      if (!flags.json && !store.data.bins.length) process.stdout.write('no knowledge bins\n');
    });
}
