// `wulf model …` commands: `model inspect FILE [--json]` prints what a .tflite holds;
// `model import-llama2c MODEL.bin TOKENIZER.bin --out DIR [--quant …]` converts a llama2.c checkpoint.
// Wiring only: the inspection is src/runtime's inspectModel, the conversion the factory's importLlama2c.
// src/cli/main.ts calls registerModelCommands.

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { writeFileAtomic } from '../../memory/atomic-json-file.js';
import { formatModelReport, inspectModel, ModelError } from '../../runtime/index.js';

export interface CommandOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: CommandOutput = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
};

/** Adds `model inspect` and `model import-llama2c` to the wulf program. */
export function registerModelCommands(program: Command, output: CommandOutput = stdio): void {
  const model = program.command('model').description('inspect .tflite model files, import llama2.c checkpoints');
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

  model
    .command('import-llama2c')
    .description("convert a llama2.c checkpoint (legacy or version 1 header, float32) and its tokenizer.bin into a generator .tflite (prefill + decode with a KV cache, the tokenizer in its metadata)")
    .argument('<checkpoint>', 'llama2.c model.bin')
    .argument('<tokenizer>', 'llama2.c tokenizer.bin')
    .requiredOption('--out <dir>', 'output folder (created): model.<quant>.tflite and import.json')
    .addOption(new Option('--quant <dtype>', 'weights of the matrices (per-channel, symmetric)').choices(['float32', 'int8', 'int4']).default('float32'))
    .option('--name <name>', 'model name in the metadata', 'llama2c')
    .option('--user-symbol <piece...>', 'pieces the tokenizer keeps whole, as SentencePiece does with user-defined symbols (chat roles, <CALL:)')
    .action(async (checkpoint: string, tokenizer: string, opts: { out: string; quant: 'float32' | 'int8' | 'int4'; name: string; userSymbol?: string[] }) => {
      // Loaded on use: the model factory is not needed by any other command.
      const { CheckpointError, importLlama2c } = await import('../../../firmware-models/tflite/llama2c.js');
      const { TokenizerError } = await import('../../generate/bpe.js');
      try {
        const [ck, tok] = await Promise.all([readFile(checkpoint), readFile(tokenizer)]);
        const r = importLlama2c(ck, tok, { dtype: opts.quant, name: opts.name, userSymbols: opts.userSymbol ?? [] });
        await mkdir(opts.out, { recursive: true });
        const file = path.join(opts.out, `model.${opts.quant}.tflite`);
        await writeFileAtomic(file, r.bytes, { mode: 0o644 });
        const report = { model: path.basename(file), bytes: r.bytes.length, quant: opts.quant, config: r.config, source: { checkpoint: path.resolve(checkpoint), tokenizer: path.resolve(tokenizer) }, quantization: r.quantization };
        await writeFileAtomic(path.join(opts.out, 'import.json'), `${JSON.stringify(report, null, 1)}\n`, { mode: 0o644 });
        const c = r.config;
        output.out(`${file}: ${opts.quant}, ${(r.bytes.length / 2 ** 20).toFixed(2)} MiB; dim ${c.dim}, ${c.layers} layers, ${c.heads} heads (${c.kvHeads ?? c.heads} kv), vocab ${c.vocab}, context ${c.maxSeq}\n`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (!(err instanceof CheckpointError || err instanceof TokenizerError || code === 'ENOENT' || code === 'ENOSPC' || code === 'EACCES' || code === 'EISDIR')) throw err;
        output.err(`wulf model import-llama2c: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
