// The `model.bin` bundle, defined once for the board and the workstation: a tar holding
// manifest.json, manifest.sig (ed25519 over the exact manifest bytes), then the payloads.
// Verification streams: the signature is checked before the manifest is parsed, every payload byte
// is hashed as it arrives, sizes are bounded before anything is written.
import { createHash, createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { z } from 'zod';

export const BUNDLE_FORMAT = 'wulf-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';
export const SIGNATURE_NAME = 'manifest.sig';
const MAX_MANIFEST_BYTES = 256 * 1024;
const MAX_SIGNATURE_BYTES = 4096;

/** A payload name is one plain file name: no directories, no dot-files, nothing to traverse. */
const payloadName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/, 'must be a plain file name').refine((n) => n !== MANIFEST_NAME && n !== SIGNATURE_NAME, 'is reserved');

export const manifestSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  bundleId: z.string().min(8).max(64),
  model: z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), kind: z.enum(['nlu', 'generator', 'speech', 'wake']) }),
  /** Monotonic per model name: the board refuses a lower one unless told locally. */
  version: z.int().min(1),
  minRuntimeVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  createdAt: z.iso.datetime(),
  payloads: z.array(z.strictObject({ name: payloadName, size: z.int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/), role: z.enum(['model', 'tokenizer', 'labels', 'other']) })).min(1).max(32),
  provenance: z.strictObject({ recipe: z.string().max(200), dataHash: z.string().max(128).nullable(), parentVersion: z.int().nullable(), metrics: z.record(z.string(), z.unknown()) }),
  /** Inputs with expected outputs; the board runs them on the staged model before switching. */
  golden: z.array(z.strictObject({ input: z.unknown(), expected: z.unknown(), tolerance: z.number().min(0).optional() })).max(256),
});
export type Manifest = z.output<typeof manifestSchema>;

const signatureSchema = z.strictObject({ alg: z.literal('ed25519'), keyId: z.string().regex(/^[0-9a-f]{16}$/), sig: z.string().regex(/^[A-Za-z0-9+/=]{80,100}$/) });

export type BundleErrorCode = 'format' | 'untrusted' | 'sig' | 'hash' | 'size' | 'truncated' | 'io';

export class BundleError extends Error {
  constructor(message: string, readonly code: BundleErrorCode) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Key id: the first 16 hex digits of sha256 over the raw ed25519 public key. */
export function keyId(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

export function loadPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new BundleError(`trusted key is ${key.asymmetricKeyType}, not ed25519`, 'untrusted');
  return key;
}

export interface PayloadInput {
  name: string;
  role: Manifest['payloads'][number]['role'];
  data: Buffer;
}

/** Build a signed bundle in memory (workstation side; payloads are a few MB). */
export async function buildBundle(manifest: Omit<Manifest, 'payloads' | 'format' | 'formatVersion'>, payloads: PayloadInput[], privateKey: KeyObject, publicKey: KeyObject): Promise<Buffer> {
  const full: Manifest = manifestSchema.parse({
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    ...manifest,
    payloads: payloads.map((p) => ({ name: p.name, size: p.data.length, sha256: createHash('sha256').update(p.data).digest('hex'), role: p.role })),
  });
  return packBundle(Buffer.from(JSON.stringify(full, null, 2)), privateKey, publicKey, payloads);
}

/** Sign given manifest bytes and pack them with the payloads (also used by tests to forge bundles). */
export async function packBundle(manifestBytes: Buffer, privateKey: KeyObject, publicKey: KeyObject, payloads: Array<{ name: string; data: Buffer }>): Promise<Buffer> {
  const sig = JSON.stringify({ alg: 'ed25519', keyId: keyId(publicKey), sig: edSign(null, manifestBytes, privateKey).toString('base64') });
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  const mtime = new Date(0);
  pack.entry({ name: MANIFEST_NAME, mode: 0o644, mtime }, manifestBytes);
  pack.entry({ name: SIGNATURE_NAME, mode: 0o644, mtime }, Buffer.from(sig));
  for (const p of payloads) pack.entry({ name: p.name, mode: 0o644, mtime }, p.data);
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export interface VerifyOptions {
  trustedKeys: KeyObject[];
  /** Largest total payload size accepted. */
  maxBundleBytes: number;
  /** Where verified payloads are written (created; emptied on failure). Omit to verify only. */
  stagingDir?: string;
}

export interface VerifiedBundle {
  manifest: Manifest;
  manifestBytes: Buffer;
  keyId: string;
  /** Payload name → staged file path (when stagingDir was given). */
  files: Record<string, string>;
}

/**
 * Verify a bundle as it streams in. Order of checks: entry names and sizes → signature over the raw
 * manifest bytes by a trusted key → manifest schema → declared sizes under the limit → each
 * payload's size and sha256 as it is written. Throws BundleError; a failed stage is removed.
 */
export async function verifyBundle(source: Readable | Buffer, opts: VerifyOptions): Promise<VerifiedBundle> {
  const extract = tar.extract();
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  let index = 0;
  let manifestBytes: Buffer | null = null;
  let manifest: Manifest | null = null;
  let signerId = '';
  const files: Record<string, string> = {};
  const seen = new Set<string>();
  if (opts.stagingDir) await mkdir(opts.stagingDir, { recursive: true });
  const consume = (async () => {
    for await (const entry of extract) {
      const name = entry.header.name;
      const size = entry.header.size ?? 0;
      if (entry.header.type !== 'file') throw new BundleError(`entry ${JSON.stringify(name)} is not a plain file`, 'format');
      if (index === 0) {
        if (name !== MANIFEST_NAME || size > MAX_MANIFEST_BYTES) throw new BundleError(`the first entry must be ${MANIFEST_NAME} (≤ ${MAX_MANIFEST_BYTES} bytes), got ${JSON.stringify(name)}`, 'format');
        manifestBytes = await readAll(entry, MAX_MANIFEST_BYTES);
      } else if (index === 1) {
        if (name !== SIGNATURE_NAME || size > MAX_SIGNATURE_BYTES) throw new BundleError(`the second entry must be ${SIGNATURE_NAME}`, 'format');
        ({ manifest, signerId } = checkSignature(manifestBytes!, await readAll(entry, MAX_SIGNATURE_BYTES), opts));
      } else {
        const expected = manifest!.payloads.find((p) => p.name === name);
        if (!expected || seen.has(name)) throw new BundleError(`entry ${JSON.stringify(name)} is not in the manifest (or repeated)`, 'format');
        if (size !== expected.size) throw new BundleError(`${name} is ${size} bytes; the manifest says ${expected.size}`, 'size');
        seen.add(name);
        files[name] = await hashPayload(entry, expected, opts.stagingDir);
      }
      index += 1;
    }
  })();
  try {
    await Promise.all([pipeline(input, extract), consume]);
  } catch (err) {
    if (opts.stagingDir) await rm(opts.stagingDir, { recursive: true, force: true });
    if (err instanceof BundleError) throw err;
    const message = (err as Error).message ?? String(err);
    throw new BundleError(`bundle unreadable: ${message}`, /unexpected end|premature|truncat|Unexpected end/i.test(message) ? 'truncated' : 'format');
  }
  const m = manifest as Manifest | null;
  const missing = m ? m.payloads.filter((p) => !seen.has(p.name)).map((p) => p.name) : [MANIFEST_NAME];
  if (!m || missing.length) {
    if (opts.stagingDir) await rm(opts.stagingDir, { recursive: true, force: true });
    throw new BundleError(`bundle is truncated: missing ${missing.join(', ')}`, 'truncated');
  }
  return { manifest: m, manifestBytes: manifestBytes!, keyId: signerId, files };
}

function checkSignature(manifestBytes: Buffer, sigBytes: Buffer, opts: VerifyOptions): { manifest: Manifest; signerId: string } {
  let sigJson: unknown;
  try {
    sigJson = JSON.parse(sigBytes.toString('utf8'));
  } catch {
    throw new BundleError(`${SIGNATURE_NAME} is not JSON`, 'sig');
  }
  const sig = signatureSchema.safeParse(sigJson);
  if (!sig.success) throw new BundleError(`${SIGNATURE_NAME} is malformed`, 'sig');
  const key = opts.trustedKeys.find((k) => keyId(k) === sig.data.keyId);
  if (!key) throw new BundleError(`signed by key ${sig.data.keyId}, which this board does not trust`, 'untrusted');
  if (!edVerify(null, manifestBytes, key, Buffer.from(sig.data.sig, 'base64'))) throw new BundleError('the manifest signature does not verify (tampered manifest or wrong key)', 'sig');
  // Only now, with the bytes proven to come from a trusted key, is the manifest parsed.
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    throw new BundleError('manifest.json is not JSON', 'format');
  }
  const formatVersion = (parsed as { formatVersion?: unknown }).formatVersion;
  if (formatVersion !== BUNDLE_FORMAT_VERSION) throw new BundleError(`unknown bundle format version ${String(formatVersion)} (this board reads ${BUNDLE_FORMAT_VERSION})`, 'format');
  const m = manifestSchema.safeParse(parsed);
  if (!m.success) throw new BundleError(`manifest: ${m.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'format');
  const total = m.data.payloads.reduce((a, p) => a + p.size, 0);
  if (total > opts.maxBundleBytes) throw new BundleError(`payloads total ${total} bytes; the limit is ${opts.maxBundleBytes}`, 'size');
  return { manifest: m.data, signerId: sig.data.keyId };
}

async function readAll(stream: AsyncIterable<unknown>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const raw of stream) {
    const c = raw as Buffer;
    n += c.length;
    if (n > max) throw new BundleError(`entry larger than ${max} bytes`, 'size');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

async function hashPayload(entry: AsyncIterable<unknown>, expected: Manifest['payloads'][number], stagingDir: string | undefined): Promise<string> {
  const hash = createHash('sha256');
  const target = stagingDir ? path.join(stagingDir, expected.name) : '';
  const out = stagingDir ? createWriteStream(target, { mode: 0o600 }) : null;
  for await (const c of entry) {
    hash.update(c as Buffer);
    if (out && !out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  if (out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(new BundleError(`cannot stage ${expected.name}: ${err.message}`, 'io')) : resolve())));
  if (hash.digest('hex') !== expected.sha256) throw new BundleError(`${expected.name} does not match its sha256 (tampered or corrupted)`, 'hash');
  return target;
}

/**
 * The manifest of a bundle WITHOUT checking its signature: for the workstation that built it (to
 * name it in an offer). Nothing on the board may trust this; the board runs verifyBundle.
 */
export async function readManifestUnverified(bundle: Buffer): Promise<Manifest> {
  const extract = tar.extract();
  const done = pipeline(Readable.from([bundle]), extract);
  for await (const entry of extract) {
    if (entry.header.name !== MANIFEST_NAME) throw new BundleError(`the first entry is not ${MANIFEST_NAME}`, 'format');
    const manifest = manifestSchema.parse(JSON.parse((await readAll(entry, MAX_MANIFEST_BYTES)).toString('utf8')));
    extract.destroy();
    await done.catch(() => undefined); // we stopped reading on purpose
    return manifest;
  }
  throw new BundleError('empty bundle', 'format');
}
