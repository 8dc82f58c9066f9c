// `wulf memory export|backup|restore`: memory in and out of the state dir named by the config.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { InvalidArgumentError, type Command } from 'commander';
import { configOrExit } from '../config-or-exit.js';
import { backupMemory, exportDialogues, restoreMemory, RestoreError } from '../../memory/index.js';

async function stateDirOrExit(configPath: string | undefined): Promise<string> {
  return (await configOrExit(configPath)).stateDir;
}

function isoDate(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('must be a date such as 2026-11-01 or 2026-11-01T12:00:00Z');
  return d;
}

export function registerMemoryCommands(program: Command): void {
  const memory = program.command('memory').description("the board's memory: export dialogues, back up, restore");

  memory
    .command('export')
    .description('write past dialogues as JSONL ({text, intent, slots, lang, reply, …}), the format the training recipes read')
    .option('-c, --config <file>', 'config file (for the state dir)')
    .option('--since <date>', 'only turns at or after this date', isoDate)
    .option('--format <format>', 'output format (jsonl)', 'jsonl')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (flags: { config?: string; since?: Date; format: string; out?: string }) => {
      if (flags.format !== 'jsonl') {
        process.stderr.write(`wulf: unknown format ${flags.format} (only jsonl)\n`);
        process.exit(2);
      }
      const stateDir = await stateDirOrExit(flags.config);
      const out = flags.out ? createWriteStream(flags.out) : process.stdout;
      let n = 0;
      for await (const turn of exportDialogues(stateDir, flags.since ?? null)) {
        if (!out.write(`${JSON.stringify(turn)}\n`)) await once(out, 'drain');
        n += 1;
      }
      if (flags.out) {
        out.end();
        await once(out, 'finish');
      }
      process.stderr.write(`wulf: exported ${n} turns\n`);
    });

  memory
    .command('backup <file>')
    .description('write the whole store (live file and archive) to one file; safe while the daemon runs')
    .option('-c, --config <file>', 'config file (for the state dir)')
    .action(async (file: string, flags: { config?: string }) => {
      const r = await backupMemory(await stateDirOrExit(flags.config), file);
      process.stdout.write(`wrote ${file}: ${r.bytes} bytes, ${r.records} archived records\n`);
    });

  memory
    .command('restore <file>')
    .description('replace the store with a backup (the daemon must be stopped); the current store is moved aside, not deleted')
    .option('-c, --config <file>', 'config file (for the state dir)')
    .action(async (file: string, flags: { config?: string }) => {
      try {
        const r = await restoreMemory(await stateDirOrExit(flags.config), file);
        process.stdout.write(`restored ${file} (${r.records} archived records)${r.movedAsideTo ? `; the previous store is in ${r.movedAsideTo}` : ''}\n`);
      } catch (err) {
        if (!(err instanceof RestoreError)) throw err;
        process.stderr.write(`wulf: ${err.message}\n`);
        process.exitCode = 1;
      }
    });
}
