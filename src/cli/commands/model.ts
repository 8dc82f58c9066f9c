// `wulf model …` commands: `model inspect FILE [--json]` prints what a .tflite holds. Wiring only:
// the inspection itself is src/runtime's inspectModel. src/cli/main.ts calls registerModelCommands.

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatModelReport, inspectModel, ModelError } from '../../runtime/index.js';

export interface CommandOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: CommandOutput = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
};

/** Adds `model inspect FILE [--json]` to the wulf program. */
export function registerModelCommands(program: Command, output: CommandOutput = stdio): void {
  const model = program.command('model').description('inspect .tflite model files');
  model
    .command('inspect')
    .description('show ops, tensors, shapes, dtypes, quantization, signatures, metadata and size by dtype')
    .argument('<file>', '.tflite file')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      try {
        const report = inspectModel(new Uint8Array(await readFile(file)));
        output.out(opts.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatModelReport(report));
      } catch (err) {
        const reason = err instanceof ModelError ? `${err.message} [${err.code}]` : err instanceof Error ? err.message : String(err);
        output.err(`wulf model inspect: ${file}: ${reason}\n`);
        process.exitCode = 1;
      }
    });
}
