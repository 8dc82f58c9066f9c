// resample(): length, frequency and level kept; content above the new Nyquist removed.
import test from 'ava';
import { resample, Resampler } from '../../src/audio/resample.js';

const tone = (hz: number, rate: number, seconds: number, amp = 10000): Int16Array =>
  Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)));

/** Amplitude of `hz` in x (a single DFT bin over the middle of the signal). */
function level(x: Int16Array, rate: number, hz: number): number {
  const from = Math.floor(x.length / 4);
  const to = Math.floor((3 * x.length) / 4);
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) { re += x[i]! * Math.cos((2 * Math.PI * hz * i) / rate); im += x[i]! * Math.sin((2 * Math.PI * hz * i) / rate); }
  return (2 * Math.hypot(re, im)) / (to - from);
}

test('22050 → 16000 keeps a 1 kHz tone at its level and frequency', (t) => {
  const y = resample(tone(1000, 22050, 1), 22050, 16000);
  t.is(y.length, 16000);
  t.true(Math.abs(level(y, 16000, 1000) - 10000) < 100, String(level(y, 16000, 1000)));
  t.true(level(y, 16000, 1100) < 100);
});

test('22050 → 16000 removes a 9 kHz tone (above the new Nyquist) instead of aliasing it', (t) => {
  const y = resample(tone(9000, 22050, 1), 22050, 16000);
  t.true(level(y, 16000, 7000) < 100, `alias at 7 kHz: ${level(y, 16000, 7000)}`);
});

test('same rate copies; bad rates are refused', (t) => {
  const x = tone(440, 16000, 0.1);
  t.deepEqual(resample(x, 16000, 16000), x);
  t.throws(() => resample(x, 0, 16000), { instanceOf: RangeError });
  t.throws(() => resample(x, 22050.5, 16000), { instanceOf: RangeError });
});

test('Resampler: streamed in uneven chunks, the output is exactly resample() of the whole', (t) => {
  let seed = 7;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const x = Int16Array.from({ length: 20_000 }, () => Math.round((rnd() - 0.5) * 30_000));
  for (const [from, to] of [[22050, 16000], [48000, 16000], [8000, 16000], [44100, 16000], [16000, 16000], [16001, 16000]] as const) {
    const r = new Resampler(from, to);
    const parts: Int16Array[] = [];
    for (let i = 0; i < x.length;) {
      const n = 1 + Math.floor(rnd() * 3000);
      parts.push(r.push(x.subarray(i, i + n)));
      i += n;
    }
    parts.push(r.flush());
    const got = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) { got.set(p, o); o += p.length; }
    const want = resample(x, from, to);
    t.is(got.length, want.length, `${from} → ${to}`);
    t.deepEqual(got, want, `${from} → ${to}`);
  }
});
