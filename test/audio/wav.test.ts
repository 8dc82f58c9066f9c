// WAV reading and writing: round trips, the reference fixtures, and a WavError with a clear
// message for each kind of malformed file.
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeWav, parseWav, readWav, toMono16k, WavError, type WavErrorCode } from '../../src/audio/index.js';
import { tempDir } from '../helpers/paths.js';
import { referencePath } from '../helpers/reference.js';

const tone = Int16Array.from({ length: 1601 }, (_, i) => Math.round(12000 * Math.sin(i / 7)) - (i === 5 ? 20000 : 0));

function expectWavError(t: import('ava').ExecutionContext, buf: Buffer, code: WavErrorCode, message: RegExp): void {
  const err = t.throws(() => parseWav(buf, 'clip.wav'), { instanceOf: WavError });
  t.is(err.code, code);
  t.regex(err.message, message);
  t.regex(err.message, /^clip\.wav: /);
}

/** A RIFF file from raw chunks (id, body), with pad bytes unless told otherwise. */
function riff(chunks: Array<[string, Buffer]>, { pad = true } = {}): Buffer {
  const parts = chunks.flatMap(([id, body]) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    return pad && body.length % 2 === 1 ? [head, body, Buffer.alloc(1)] : [head, body];
  });
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length + 4, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, body]);
}

function fmt({ format = 1, channels = 1, rate = 16000, bits = 16, align = 0 }: { format?: number; channels?: number; rate?: number; bits?: number; align?: number } = {}): Buffer {
  align ||= channels * 2;
  const b = Buffer.alloc(16);
  b.writeUInt16LE(format, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * align, 8);
  b.writeUInt16LE(align, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

const data = (n: number): Buffer => Buffer.from(new Int16Array(n).fill(300).buffer);

test('encodeWav → parseWav round trip keeps every sample, rate and channel count', (t) => {
  const buf = encodeWav(tone, 16000);
  t.is(buf.length, 44 + tone.length * 2);
  const wav = parseWav(buf);
  t.deepEqual({ ...wav, samples: [...wav.samples] }, { sampleRate: 16000, channels: 1, bitsPerSample: 16, samples: [...tone] });
  const stereo = parseWav(encodeWav(Int16Array.of(1, -1, 32767, -32768), 22050, 2));
  t.is(stereo.channels, 2);
  t.is(stereo.sampleRate, 22050);
  t.deepEqual([...stereo.samples], [1, -1, 32767, -32768]);
});

test('readWav reads the reference fixtures (16 kHz mono 16-bit) and a file written to disk', async (t) => {
  const speech = await readWav(referencePath('voice', 'microfrontend', 'speech.wav'));
  t.is(speech.sampleRate, 16000);
  t.is(speech.channels, 1);
  t.is(speech.bitsPerSample, 16);
  t.is(speech.samples.length, 48000);
  const file = path.join(await tempDir(), 'tone.wav');
  await writeFile(file, encodeWav(tone, 16000));
  t.deepEqual([...(await readWav(file)).samples], [...tone]);
  await t.throwsAsync(readWav(path.join(path.dirname(file), 'missing.wav')), { code: 'ENOENT' });
});

test('extra chunks (LIST, odd-sized with pad byte) and WAVE_FORMAT_EXTENSIBLE PCM are read', (t) => {
  const ext = Buffer.alloc(40);
  fmt().copy(ext);
  ext.writeUInt16LE(0xfffe, 0);
  ext.writeUInt16LE(22, 16);
  ext.writeUInt16LE(1, 24); // SubFormat KSDATAFORMAT_SUBTYPE_PCM
  const wav = parseWav(riff([['LIST', Buffer.from('abc')], ['fmt ', ext], ['data', data(3)]]));
  t.deepEqual([...wav.samples], [300, 300, 300]);
});

test('not a RIFF/WAVE file → not-riff', (t) => {
  expectWavError(t, Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00 mp3 bytes'), 'not-riff', /not a RIFF\/WAVE file/);
  const avi = encodeWav(tone, 16000);
  avi.write('AVI ', 8, 'latin1');
  expectWavError(t, avi, 'not-riff', /not a RIFF\/WAVE/);
});

test('garbage bytes → a WavError, never a crash', (t) => {
  let seed = 7;
  for (let k = 0; k < 200; k++) {
    const junk = Buffer.alloc(1 + (k % 97));
    for (let i = 0; i < junk.length; i++) junk[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    if (k % 2 === 0) Buffer.from('RIFF\x00\x00\x00\x00WAVE').copy(junk); // past the magic, into the chunks
    const err = t.throws(() => parseWav(junk, 'clip.wav'));
    t.true(err instanceof WavError, `${k}: ${err.message}`);
  }
});

test('truncated header → truncated', (t) => {
  expectWavError(t, encodeWav(tone, 16000).subarray(0, 10), 'truncated', /truncated header \(10 bytes/);
  expectWavError(t, encodeWav(tone, 16000).subarray(0, 30), 'truncated', /"fmt " at byte 12 declares 16 bytes but only 10 remain/);
  expectWavError(t, encodeWav(tone, 16000).subarray(0, 40), 'truncated', /truncated chunk header at byte 36/);
  expectWavError(t, riff([['fmt ', fmt()]]), 'truncated', /no data chunk/);
});

test('a truncated file (data chunk longer than the file) → truncated, with both sizes', (t) => {
  const cut = encodeWav(tone, 16000).subarray(0, 1000);
  expectWavError(t, cut, 'truncated', /chunk "data" at byte 36 declares 3202 bytes but only 956 remain/);
});

test('unsupported format, bit depth, channels or block align → format', (t) => {
  expectWavError(t, riff([['fmt ', fmt({ format: 3, bits: 32, align: 4 })], ['data', data(2)]]), 'format', /unsupported audio format 3/);
  expectWavError(t, riff([['fmt ', fmt({ bits: 8, align: 1 })], ['data', data(2)]]), 'format', /unsupported bit depth 8/);
  expectWavError(t, riff([['fmt ', fmt({ bits: 24, align: 3 })], ['data', data(3)]]), 'format', /unsupported bit depth 24/);
  expectWavError(t, riff([['fmt ', fmt({ channels: 6 })], ['data', data(6)]]), 'format', /unsupported channel count 6/);
  expectWavError(t, riff([['fmt ', fmt({ align: 4 })], ['data', data(2)]]), 'format', /block align 4 does not match 1 channel/);
  expectWavError(t, riff([['fmt ', fmt({ rate: 0 })], ['data', data(2)]]), 'format', /sample rate is 0/);
  expectWavError(t, riff([['data', data(2)], ['fmt ', fmt()]]), 'format', /data chunk before the fmt chunk/);
  expectWavError(t, riff([['fmt ', fmt({ channels: 2 })], ['data', data(3)]]), 'format', /6 bytes is not a whole number of 4-byte frames/);
  expectWavError(t, riff([['fmt ', fmt().subarray(0, 12)], ['data', data(2)]]), 'truncated', /fmt chunk is 12 bytes/);
  expectWavError(t, riff([['LIST', Buffer.alloc(4)]]), 'format', /no fmt chunk/);
});

test('odd-sized chunk without its pad byte → padding', (t) => {
  expectWavError(t, riff([['LIST', Buffer.from('abc')], ['fmt ', fmt()], ['data', data(2)]], { pad: false }), 'padding', /chunk "LIST" at byte 12 has odd size 3 but no pad byte/);
});

test('zero-length file or data chunk → empty', (t) => {
  expectWavError(t, Buffer.alloc(0), 'empty', /empty file/);
  expectWavError(t, encodeWav(new Int16Array(0), 16000), 'empty', /no samples/);
});

test('toMono16k: mono passes through, stereo is averaged, other rates are refused', (t) => {
  const mono = parseWav(encodeWav(tone, 16000));
  t.is(toMono16k(mono), mono.samples);
  const stereo = parseWav(encodeWav(Int16Array.of(100, 300, -32768, -32768, 32767, 32767, -3, 4), 16000, 2));
  t.deepEqual([...toMono16k(stereo)], [200, -32768, 32767, 1]);
  const err = t.throws(() => toMono16k(parseWav(encodeWav(tone, 44100)), 'cd.wav'), { instanceOf: WavError });
  t.is(err.code, 'rate');
  t.regex(err.message, /^cd\.wav: sample rate 44100 Hz, the voice frontend needs 16000 Hz/);
});

test('encodeWav refuses bad arguments', (t) => {
  t.throws(() => encodeWav(tone, 0), { message: /sampleRate must be a positive integer/ });
  t.throws(() => encodeWav(tone, 16000, 3), { message: /channels must be 1 or 2/ });
  t.throws(() => encodeWav(Int16Array.of(1, 2, 3), 16000, 2), { message: /not a whole number of 2-channel frames/ });
});
