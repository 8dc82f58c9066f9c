#!/usr/bin/env node
// `wulf-ota`: the workstation side of model updates — signing keys, building and verifying
// signed model.bin bundles. The format lives in src/ota; this tool only drives it.
import { generateKeyPairSync, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { readFile, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { buildBundle, BundleError, keyId, loadPublicKey, verifyBundle, type Manifest, type PayloadInput } from '../src/ota/index.js';
import { createReadStream } from 'node:fs';

const program = new Command('wulf-ota').description('build, sign and verify Wulf model.bin bundles').showHelpAfterError();
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};
const collect = (v: string, prev: string[]) => [...prev, v];

program
  .command('keygen')
  .description('make an ed25519 signing key pair: NAME.key (private, keep it on the workstation) and NAME.pub (goes on every board)')
  .requiredOption('--out <dir>', 'directory for the key files')
  .option('--name <name>', 'file name stem', 'wulf-ota')
  .action(async (flags: { out: string; name: string }) => {
    const keyFile = path.join(flags.out, `${flags.name}.key`);
    const pubFile = path.join(flags.out, `${flags.name}.pub`);
    if (await access(keyFile).then(() => true, () => false)) {
      process.stderr.write(`wulf-ota: ${keyFile} exists; refusing to overwrite a signing key\n`);
      process.exit(1);
    }
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await writeFile(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    await writeFile(pubFile, publicKey.export({ format: 'pem', type: 'spki' }), { mode: 0o644 });
    process.stdout.write(`key id ${keyId(publicKey)}\nprivate: ${keyFile}\npublic:  ${pubFile}\n`);
  });

program
  .command('build')
  .description('build a signed model.bin from a .tflite and its companions')
  .requiredOption('--model <file>', 'the .tflite model')
  .requiredOption('--name <name>', 'model name (e.g. neurolite-tiny)')
  .requiredOption('--kind <kind>', 'nlu | generator | speech | wake')
  .requiredOption('--version <n>', 'version, monotonic per model name', positiveInt)
  .requiredOption('--key <file>', 'private signing key (from keygen)')
  .requiredOption('--out <file>', 'output bundle (model.bin)')
  .option('--tokenizer <file>', 'tokenizer file')
  .option('--labels <file>', 'labels file')
  .option('--golden <file>', 'JSON array of golden cases {input, expected, tolerance?}')
  .option('--metrics <file>', 'JSON object of evaluation metrics')
  .option('--recipe <text>', 'training recipe', 'unknown')
  .option('--data-hash <hash>', 'training data hash')
  .option('--parent-version <n>', 'version this one was fine-tuned from', positiveInt)
  .option('--min-runtime <version>', 'minimum wulf runtime version', '0.1.0')
  .option('--extra <file>', 'another payload file (repeatable)', collect, [])
  .action(async (f: { model: string; name: string; kind: string; version: number; key: string; out: string; tokenizer?: string; labels?: string; golden?: string; metrics?: string; recipe: string; dataHash?: string; parentVersion?: number; minRuntime: string; extra: string[] }) => {
    const privateKey = createPrivateKey(await readFile(f.key, 'utf8'));
    const publicKey = createPublicKey(privateKey);
    const payloads: PayloadInput[] = [{ name: path.basename(f.model), role: 'model', data: await readFile(f.model) }];
    if (f.tokenizer) payloads.push({ name: path.basename(f.tokenizer), role: 'tokenizer', data: await readFile(f.tokenizer) });
    if (f.labels) payloads.push({ name: path.basename(f.labels), role: 'labels', data: await readFile(f.labels) });
    for (const e of f.extra) payloads.push({ name: path.basename(e), role: 'other', data: await readFile(e) });
    const json = async (file?: string) => (file ? (JSON.parse(await readFile(file, 'utf8')) as unknown) : undefined);
    try {
      const bundle = await buildBundle(
        {
          bundleId: randomUUID(),
          model: { name: f.name, kind: f.kind as Manifest['model']['kind'] },
          version: f.version,
          minRuntimeVersion: f.minRuntime,
          createdAt: new Date().toISOString(),
          provenance: { recipe: f.recipe, dataHash: f.dataHash ?? null, parentVersion: f.parentVersion ?? null, metrics: ((await json(f.metrics)) ?? {}) as Record<string, unknown> },
          golden: ((await json(f.golden)) ?? []) as Manifest['golden'],
        },
        payloads,
        privateKey,
        publicKey,
      );
      await writeFile(f.out, bundle);
      process.stdout.write(`wrote ${f.out}: ${f.name} v${f.version}, ${payloads.length} payloads, ${bundle.length} bytes, key ${keyId(publicKey)}\n`);
    } catch (err) {
      process.stderr.write(`wulf-ota: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

program
  .command('verify <bundle>')
  .description('check a bundle: signature by a trusted key, manifest, every payload hash')
  .requiredOption('--trust <pubkey>', 'trusted public key (repeatable)', collect, [])
  .option('--max-bytes <n>', 'size limit', positiveInt, 512 * 2 ** 20)
  .option('--json', 'print the manifest as JSON')
  .action(async (file: string, f: { trust: string[]; maxBytes: number; json?: boolean }) => {
    try {
      const keys = await Promise.all(f.trust.map(async (k) => loadPublicKey(await readFile(k, 'utf8'))));
      const v = await verifyBundle(createReadStream(file), { trustedKeys: keys, maxBundleBytes: f.maxBytes });
      if (f.json) process.stdout.write(`${JSON.stringify({ ok: true, keyId: v.keyId, manifest: v.manifest })}\n`);
      else process.stdout.write(`OK ${v.manifest.model.name} v${v.manifest.version} (${v.manifest.model.kind}), signed by ${v.keyId}, ${v.manifest.payloads.map((p) => `${p.name} ${p.size} B`).join(', ')}, ${v.manifest.golden.length} golden cases\n`);
    } catch (err) {
      const code = err instanceof BundleError ? err.code : 'io';
      if (f.json) process.stdout.write(`${JSON.stringify({ ok: false, code, message: (err as Error).message })}\n`);
      process.stderr.write(`wulf-ota: REJECTED (${code}): ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

await program.parseAsync(process.argv);
