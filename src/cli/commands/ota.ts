// `wulf ota status|rollback` on the board: what is installed, and going back to the previous slot
// by hand (the only way to a lower version). Rollback needs the daemon stopped: it owns the slots.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import type { Command } from 'commander';
import { configOrExit } from '../config-or-exit.js';
import { runningDaemonPid } from '../../memory/index.js';
import { OtaAgent } from '../../ota/index.js';
import { VERSION } from '../../daemon/index.js';

async function stateDirOrExit(configPath?: string): Promise<string> {
  return (await configOrExit(configPath)).stateDir;
}

export function registerOtaCommands(program: Command): void {
  const ota = program.command('ota').description('model updates on this board: status, rollback');

  ota
    .command('status')
    .description('models installed (active and previous slot, last result); works while the daemon runs')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'print JSON')
    .action(async (f: { config?: string; json?: boolean }) => {
      const stateDir = await stateDirOrExit(f.config);
      const text = await readFile(path.join(stateDir, 'models', 'ota-state.json'), 'utf8').catch(() => '{"models":{}}');
      const models = (JSON.parse(text) as { models: Record<string, { active: { version: number; slot: string } | null; previous: { version: number } | null; probation: unknown; last: { result: string; reason: string | null } | null }> }).models;
      if (f.json) return void process.stdout.write(`${JSON.stringify(models)}\n`);
      if (!Object.keys(models).length) return void process.stdout.write('no model installed over the air\n');
      for (const [name, m] of Object.entries(models)) {
        process.stdout.write(`${name}: v${m.active?.version ?? '-'} (slot ${m.active?.slot ?? '-'})${m.probation ? ' on probation' : ''}, previous v${m.previous?.version ?? '-'}, last ${m.last ? `${m.last.result}${m.last.reason ? ` (${m.last.reason})` : ''}` : '-'}\n`);
      }
    });

  ota
    .command('rollback <model>')
    .description('go back to the previous slot of a model (stop the daemon first: systemctl stop wulf)')
    .option('-c, --config <file>', 'config file')
    .action(async (model: string, f: { config?: string }) => {
      const stateDir = await stateDirOrExit(f.config);
      const pid = await runningDaemonPid(stateDir);
      if (pid) {
        process.stderr.write(`wulf: the daemon (pid ${pid}) owns the model slots; stop it first (systemctl stop wulf)\n`);
        process.exit(1);
      }
      const agent = new OtaAgent({
        stateDir, trustedKeys: [], maxBundleBytes: 0, runtimeVersion: VERSION, probationTurns: 1, probationMs: 1000, log: pino({ level: 'silent' }),
        check: { check: async () => undefined }, host: { activate: async () => undefined },
      });
      await agent.start();
      const before = agent.models()[model]?.active?.version;
      if (!(await agent.rollback(model))) {
        process.stderr.write(`wulf: ${model} has no previous slot to go back to\n`);
        process.exit(1);
      }
      process.stdout.write(`${model}: v${before} → v${agent.models()[model]?.active?.version} (the daemon loads it at its next start)\n`);
    });
}
