// The TS projection is bit-identical to the Python reference on 1,000 sentences, run live.
import test from 'ava';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { project, tokenBuckets, tokenize, defaultProjection, fnv1a32, fmix32 } from '../../src/nlu/projection.js';
import { repoRoot } from '../helpers/paths.js';

interface Vector {
  text: string;
  tokens: Array<[string, number, number]>;
  sha256: string;
}

function pythonVectors(): Promise<Vector[]> {
  const dir = path.join(repoRoot, 'firmware-models/neurolite');
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['projection_vectors.py'], { cwd: dir, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(stdout.trim().split('\n').map((l) => JSON.parse(l) as Vector));
    });
  });
}

test('hash primitives match their published values', (t) => {
  t.is(fnv1a32(new TextEncoder().encode('')), 0x811c9dc5);
  t.is(fnv1a32(new TextEncoder().encode('a')), 0xe40c292c);
  t.is(fmix32(0), 0);
  t.is(fmix32(1), 0x514e28b7);
});

test('projection parity with Python on 1,000 sentences (tokens, spans and every bucket)', async (t) => {
  const vectors = await pythonVectors();
  t.is(vectors.length, 1000);
  const mismatches: string[] = [];
  for (const v of vectors) {
    const tokens = tokenize(v.text);
    const got = tokens.map((tok) => [tok.text, tok.start, tok.end]);
    if (JSON.stringify(got) !== JSON.stringify(v.tokens)) {
      mismatches.push(`tokens of ${JSON.stringify(v.text)}: ${JSON.stringify(got)} vs ${JSON.stringify(v.tokens)}`);
      continue;
    }
    const h = createHash('sha256');
    for (const tok of tokens) {
      const b = tokenBuckets(tok);
      h.update(Buffer.from(b.buffer, b.byteOffset, b.byteLength)); // little-endian uint32 on our targets
    }
    if (h.digest('hex') !== v.sha256) mismatches.push(`buckets of ${JSON.stringify(v.text)}`);
  }
  t.deepEqual(mismatches.slice(0, 5), []);
  t.true(vectors.some((v) => v.text === ''), 'the empty sentence is covered');
  t.true(vectors.some((v) => /\p{Extended_Pictographic}/u.test(v.text)), 'emoji are covered');
});

test('features are K counts per token, and the empty text has no tokens', (t) => {
  const { tokens, features } = project('Allume la lumière du salon');
  t.is(tokens.length, 5);
  t.is(features.length, 5 * defaultProjection.featureDim);
  for (let i = 0; i < tokens.length; i++) {
    const row = features.subarray(i * defaultProjection.featureDim, (i + 1) * defaultProjection.featureDim);
    t.is(row.reduce((a, b) => a + b, 0), defaultProjection.numHashes);
  }
  t.is(project('').tokens.length, 0);
});

test('accents, case and typos land close: shared pieces give shared buckets', (t) => {
  const overlap = (a: string, b: string) => {
    const ba = tokenBuckets(tokenize(a)[0]!);
    const bb = tokenBuckets(tokenize(b)[0]!);
    return ba.filter((x, i) => x === bb[i]).length / ba.length;
  };
  t.is(overlap('lumière', 'LUMIERE'), 1, 'accents and case are normalized away');
  t.true(overlap('lumière', 'lumire') > 0.3, 'a typo keeps much of the fingerprint');
  t.true(overlap('lumière', 'garage') < 0.1, 'different words share little');
});
