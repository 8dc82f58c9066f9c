// model.bin: built, signed, readable with tar, and refused — with a reason — whenever it is not
// exactly what a trusted key signed.
import test from 'ava';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID, createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildBundle, packBundle, verifyBundle, BundleError, type BundleErrorCode, type Manifest } from '../../src/ota/index.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

const trusted = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const model = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 251));
const labels = Buffer.from('["HassTurnOn","HassTurnOff"]');

const meta = (version = 3): Omit<Manifest, 'payloads' | 'format' | 'formatVersion'> => ({
  bundleId: randomUUID(),
  model: { name: 'neurolite-tiny', kind: 'nlu' },
  version,
  minRuntimeVersion: '0.1.0',
  createdAt: new Date().toISOString(),
  provenance: { recipe: 'firmware-models/neurolite/train.py', dataHash: 'abc', parentVersion: 2, metrics: { intentAccuracy: 0.98 } },
  golden: [{ input: 'allume la lumière', expected: 'HassTurnOn' }],
});

const good = () => buildBundle(meta(), [{ name: 'model.tflite', role: 'model', data: model }, { name: 'labels.json', role: 'labels', data: labels }], trusted.privateKey, trusted.publicKey);
const opts = { trustedKeys: [trusted.publicKey], maxBundleBytes: 10 * 2 ** 20 };

async function rejects(t: import('ava').ExecutionContext, bundle: Buffer, code: BundleErrorCode, message?: RegExp) {
  const stagingDir = path.join(await tempDir(), 'stage');
  const err = await t.throwsAsync(verifyBundle(bundle, { ...opts, stagingDir }), { instanceOf: BundleError });
  t.is(err?.code, code, err?.message);
  if (message) t.regex(err!.message, message);
  t.deepEqual(await readdir(path.dirname(stagingDir)), [], 'nothing is left staged');
}

test('a signed bundle verifies and stages every payload byte for byte', async (t) => {
  const stagingDir = path.join(await tempDir(), 'stage');
  const v = await verifyBundle(await good(), { ...opts, stagingDir });
  t.is(v.manifest.model.name, 'neurolite-tiny');
  t.deepEqual(await readFile(v.files['model.tflite']!), model);
  t.deepEqual(await readFile(v.files['labels.json']!), labels);
});

test('tar -tvf lists manifest.json first, then manifest.sig, then the payloads', async (t) => {
  const file = path.join(await tempDir(), 'model.bin');
  await writeFile(file, await good());
  const out = await new Promise<string>((resolve, reject) => execFile('tar', ['-tf', file], (err, stdout) => (err ? reject(err) : resolve(stdout))));
  t.deepEqual(out.trim().split('\n'), ['manifest.json', 'manifest.sig', 'model.tflite', 'labels.json']);
});

test('refused: signed by a key the board does not trust', async (t) => {
  const b = await buildBundle(meta(), [{ name: 'model.tflite', role: 'model', data: model }], stranger.privateKey, stranger.publicKey);
  await rejects(t, b, 'untrusted', /does not trust/);
});

test('refused: a tampered manifest (one byte) fails the signature', async (t) => {
  const b = await good();
  const i = b.indexOf(Buffer.from('"version": 3'));
  b[i + 11] = '9'.charCodeAt(0);
  await rejects(t, b, 'sig', /signature does not verify/);
});

test('refused: a tampered payload byte fails its hash', async (t) => {
  const b = await good();
  const i = b.indexOf(model.subarray(1000, 1032));
  b[i + 5] = b[i + 5]! ^ 0xff;
  await rejects(t, b, 'hash', /model\.tflite does not match its sha256/);
});

test('refused: a truncated bundle', async (t) => {
  const b = await good();
  await rejects(t, b.subarray(0, Math.floor(b.length * 0.7)), 'truncated');
  await rejects(t, b.subarray(0, 700), 'truncated');
});

test('refused: a bundle over the size limit, before any payload is written', async (t) => {
  const stagingDir = path.join(await tempDir(), 'stage');
  const err = await t.throwsAsync(verifyBundle(await good(), { ...opts, maxBundleBytes: 10_000, stagingDir }), { instanceOf: BundleError });
  t.is(err?.code, 'size');
});

test('refused: an unknown format version, even properly signed', async (t) => {
  const manifest = { format: 'wulf-bundle', formatVersion: 99, ...meta(), payloads: [{ name: 'model.tflite', size: model.length, sha256: createHash('sha256').update(model).digest('hex'), role: 'model' }] };
  const b = await packBundle(Buffer.from(JSON.stringify(manifest)), trusted.privateKey, trusted.publicKey, [{ name: 'model.tflite', data: model }]);
  await rejects(t, b, 'format', /unknown bundle format version 99/);
});

test('refused: payload names that traverse paths, and entries the manifest does not list', async (t) => {
  await t.throwsAsync(buildBundle(meta(), [{ name: '../../etc/passwd', role: 'model', data: model }], trusted.privateKey, trusted.publicKey));
  const manifest = { format: 'wulf-bundle', formatVersion: 1, ...meta(), payloads: [{ name: 'model.tflite', size: model.length, sha256: createHash('sha256').update(model).digest('hex'), role: 'model' }] };
  const extra = await packBundle(Buffer.from(JSON.stringify(manifest)), trusted.privateKey, trusted.publicKey, [{ name: 'model.tflite', data: model }, { name: 'evil.sh', data: Buffer.from('rm -rf /') }]);
  await rejects(t, extra, 'format', /evil\.sh.*not in the manifest/);
  const reordered = await packBundle(Buffer.from('{}'), trusted.privateKey, trusted.publicKey, []);
  await rejects(t, reordered, 'format');
});

test('wulf-ota keygen, build and verify from the command line; verify rejects with a reason', async (t) => {
  const dir = await tempDir();
  const cli = path.join(repoRoot, 'dist/ota/cli.js');
  const run = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => execFile(process.execPath, [cli, ...args], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr })));
  t.is((await run(['keygen', '--out', dir])).code, 0);
  t.is((await run(['keygen', '--out', dir])).code, 1, 'never overwrites a key');
  await writeFile(path.join(dir, 'm.tflite'), model);
  const built = await run(['build', '--model', path.join(dir, 'm.tflite'), '--name', 'neurolite-tiny', '--kind', 'nlu', '--version', '4', '--key', path.join(dir, 'wulf-ota.key'), '--out', path.join(dir, 'model.bin')]);
  t.is(built.code, 0, built.stderr);
  const ok = await run(['verify', path.join(dir, 'model.bin'), '--trust', path.join(dir, 'wulf-ota.pub')]);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /^OK neurolite-tiny v4 \(nlu\), signed by [0-9a-f]{16}/);
  const other = path.join(dir, 'other');
  await run(['keygen', '--out', dir, '--name', 'other']);
  const bad = await run(['verify', path.join(dir, 'model.bin'), '--trust', `${other}.pub`]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /REJECTED \(untrusted\)/);
});
