// Acceptance for #12: the TS micro frontend reproduces the golden features of
// reference/voice/microfrontend exactly, and its tables equal the C library's.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { computeFeatures, computeFrontendTables, DEFAULT_FRONTEND_CONFIG, FEATURE_SCALE, MicroFrontend, readWav, toFloatFeatures } from '../../src/audio/index.js';
import { roundedSqrt } from '../../src/audio/frontend.js';
import { parseAmbr } from '../helpers/ambr.js';
import { referencePath } from '../helpers/reference.js';

const dir = (): string => referencePath('voice', 'microfrontend');
const CHUNK = 160; // 320 bytes, as the reference harness fed it

async function pcm(file: string): Promise<Int16Array> {
  const wav = await readWav(`${dir()}/${file}`);
  if (wav.sampleRate !== 16000 || wav.channels !== 1) throw new Error(`${file}: expected 16 kHz mono`);
  return wav.samples;
}

/** The reference fed `chunk` samples while `i + chunk < length` (so a final full chunk is dropped). */
function harnessPrefix(samples: Int16Array): Int16Array {
  let i = 0;
  while (i + CHUNK < samples.length) i += CHUNK;
  return samples.subarray(0, i);
}

function feed(samples: Int16Array, chunks: (i: number) => number, frontend = new MicroFrontend()): Uint16Array[] {
  const frames: Uint16Array[] = [];
  for (let i = 0, k = 0; i < samples.length; k++) {
    const n = chunks(k);
    frames.push(...frontend.process(samples.subarray(i, i + n)));
    i += n;
  }
  return frames;
}

function golden(name: string): number[] {
  const snap = parseAmbr(readFileSync(`${dir()}/test_micro_features.ambr`, 'utf8')).get(name);
  if (snap === undefined) throw new Error(`golden ${name} missing from test_micro_features.ambr`);
  return snap;
}

function flat(frames: Uint16Array[]): number[] {
  return frames.flatMap((f) => [...f]);
}

for (const [name, file, frameCount] of [['test_silence', 'silence.wav', 97], ['test_speech', 'speech.wav', 297]] as const) {
  test(`${file}: raw features × FEATURE_SCALE equal the golden ${name} values exactly`, async (t) => {
    const expected = golden(name);
    const frames = computeFeatures(harnessPrefix(await pcm(file)), CHUNK);
    t.is(frames.length, frameCount);
    t.true(frames.every((f) => f.length === 40));
    const got = frames.flatMap((f) => [...toFloatFeatures(f)]);
    t.is(got.length, expected.length);
    const mismatches = got.flatMap((v, i) => (v === expected[i] ? [] : [`#${i}: ${v} != ${expected[i]}`]));
    t.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} of ${got.length} values differ`);
    // and the scale is exact: every golden value is an integer times FEATURE_SCALE
    t.true(expected.every((v) => Number.isInteger(v / FEATURE_SCALE)));
  });
}

test('odd chunk sizes (1, 7, 333 samples, and a mix) give the same frames as 10 ms chunks', async (t) => {
  const samples = await pcm('speech.wav');
  const reference = flat(computeFeatures(samples, CHUNK));
  t.true(reference.length > 0);
  for (const n of [1, 7, 333, 480, samples.length]) t.deepEqual(flat(feed(samples, () => n)), reference, `chunk ${n}`);
  const mix = [1, 159, 161, 0, 7, 480, 1000, 2];
  t.deepEqual(flat(feed(samples, (k) => mix[k % mix.length]!)), reference, 'mixed chunks, including empty ones');
});

test('no frame before 30 ms of audio, then one per 10 ms; a partial window stays buffered', (t) => {
  const fe = new MicroFrontend();
  t.deepEqual(fe.process(new Int16Array(479)), []);
  t.is(fe.process(new Int16Array(1)).length, 1);
  t.is(fe.process(new Int16Array(159)).length, 0);
  t.is(fe.process(new Int16Array(1)).length, 1);
  t.is(fe.process(new Int16Array(1600)).length, 10);
  t.deepEqual(fe.process(new Int16Array(0)), []);
});

test('reset() restarts identically; without it the noise estimate carries over', async (t) => {
  const samples = harnessPrefix(await pcm('speech.wav'));
  const fe = new MicroFrontend();
  const first = flat(feed(samples, () => CHUNK, fe));
  const carried = flat(feed(samples, () => CHUNK, fe));
  t.notDeepEqual(carried, first);
  fe.process(new Int16Array(100)); // leave a partial window behind too
  fe.reset();
  t.deepEqual(flat(feed(samples, () => CHUNK, fe)), first);
  t.deepEqual(flat(feed(samples, () => CHUNK, fe)), carried);
});

test('frames are independent arrays, not views of a reused buffer', (t) => {
  const fe = new MicroFrontend();
  const noise = Int16Array.from({ length: 4800 }, (_, i) => ((i * 7919) % 2000) - 1000);
  const frames = fe.process(noise);
  const copy = frames.map((f) => [...f]);
  fe.process(noise);
  t.deepEqual(frames.map((f) => [...f]), copy);
});

test('tables computed in TS equal frontend_tables.json (the C library with glibc float math)', (t) => {
  const ref = JSON.parse(readFileSync(`${dir()}/frontend_tables.json`, 'utf8')) as Record<string, number[]>;
  const tables = computeFrontendTables(DEFAULT_FRONTEND_CONFIG);
  t.deepEqual([...tables.window], ref['window_coefficients']);
  t.deepEqual([...tables.filterbank.weights], ref['filterbank_weights']);
  t.deepEqual([...tables.filterbank.unweights], ref['filterbank_unweights']);
  t.deepEqual([...tables.pcanGainLut], ref['pcan_gain_lut']);
  const fb = tables.filterbank;
  t.deepEqual([fb.startIndex, fb.endIndex, tables.evenSmoothing, tables.oddSmoothing, tables.minSignalRemaining, tables.pcanSnrShift], ref['start_index_end_index_even_odd_minrem_snrshift']);
  t.is(new MicroFrontend().tables.window.length, 480);
});

test('extreme input (full-scale square wave, −32768) stays in range and is deterministic', (t) => {
  const square = Int16Array.from({ length: 16000 }, (_, i) => (Math.floor(i / 8) % 2 === 0 ? 32767 : -32768));
  const a = computeFeatures(square);
  t.is(a.length, 98);
  t.deepEqual(flat(computeFeatures(square, 1)), flat(a));
  t.true(flat(a).some((v) => v > 0));
});

test('a bad configuration is refused with every problem named', (t) => {
  const err = t.throws(() => new MicroFrontend({ numChannels: 0, upperBandHz: 9000, stepMs: 1.5 }));
  t.regex(err.message, /numChannels must be an integer/);
  t.regex(err.message, /stepMs must be an integer/);
  t.regex(err.message, /upperBandHz must be at most half of sampleRateHz/);
  t.throws(() => computeFeatures(new Int16Array(10), 0), { instanceOf: RangeError });
});

/** The C library's digit-by-digit Sqrt32/Sqrt64 (filterbank.c), in BigInt, as the oracle. */
function cSqrt(num: bigint): bigint {
  if (num === 0n) return 0n;
  const wide = num >> 32n !== 0n;
  const bits = wide ? 64 : 32;
  let maxBit = bits - num.toString(2).length;
  maxBit |= 1;
  let bit = 1n << BigInt(bits - 1 - maxBit);
  let iterations = Math.trunc((bits - 1 - maxBit) / 2) + 1;
  let res = 0n;
  while (iterations--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1n) + bit;
    } else res >>= 1n;
    bit >>= 2n;
  }
  if (num > res && res !== (wide ? 0xffffffffn : 0xffffn)) res++;
  return res;
}

test('roundedSqrt equals the C digit-by-digit square root, including the 0xFFFF cap', (t) => {
  const xs = [0, 1, 2, 3, 4, 8, 0xfffe0001, 0xffff0000, 0xffffffff, 2 ** 32, 2 ** 32 + 1, 2 ** 49 - 1, 2 ** 52 + 12345];
  let seed = 99;
  for (let i = 0; i < 5000; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    xs.push(Math.floor((seed / 0x7fffffff) * 2 ** (1 + (i % 52))));
  }
  const bad = xs.filter((x) => BigInt(roundedSqrt(x)) !== cSqrt(BigInt(x)));
  t.deepEqual(bad, []);
});
