// Benchmark: what the micro frontend costs per 10 ms frame and as a share of one core in real time
// (#12's goal: the whole listening path ≤ 3 % of one core), next to a plain float64 FFT of the same
// size measured in the same run — the frontend's FFT stage alone, without fixed-point emulation.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadLiteRtRuntime } from '../runtime/index.js';
import { MicroFrontend } from './frontend.js';
import { EnergyVoiceActivity, VoiceActivity, type SpeechDetector } from './vad.js';
import { readWav, toMono16k } from './wav.js';
import { WakeWords, resolveModelsDir } from './wakeword.js';
import { pct } from '../../bench/stats.js';

const FRAME_MS = 10;
const STEP = 160; // samples per 10 ms at 16 kHz

/** 10 s of deterministic speech-like audio: a few moving harmonics plus noise. */
function syntheticAudio(seconds = 10): Int16Array {
  const out = new Int16Array(seconds * 16000);
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const t = i / 16000;
    const f0 = 120 + 40 * Math.sin(2 * Math.PI * 0.5 * t);
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    out[i] = Math.round(4000 * v * (0.5 + 0.5 * Math.sin(2 * Math.PI * 2 * t)) + ((seed >> 8) % 400) - 200);
  }
  return out;
}

/** In-place iterative radix-2 complex FFT, float64 (the reference: a textbook FFT of the frontend's size). */
function makeFloatFft(n: number): (re: Float64Array, im: Float64Array) => void {
  const cos = Float64Array.from({ length: n / 2 }, (_, i) => Math.cos((-2 * Math.PI * i) / n));
  const sin = Float64Array.from({ length: n / 2 }, (_, i) => Math.sin((-2 * Math.PI * i) / n));
  const rev = Uint32Array.from({ length: n }, (_, i) => {
    let r = 0;
    for (let b = 1, x = i; b < n; b <<= 1, x >>= 1) r = (r << 1) | (x & 1);
    return r;
  });
  return (re, im) => {
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        const r = re[i]!;
        re[i] = re[j]!;
        re[j] = r;
        const m = im[i]!;
        im[i] = im[j]!;
        im[j] = m;
      }
    }
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const a = start + k;
          const b = a + half;
          const wr = cos[k * step]!;
          const wi = sin[k * step]!;
          const tr = re[b]! * wr - im[b]! * wi;
          const ti = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
  };
}

/** Median ms per frame over `rounds` passes of the whole audio. */
function timeFrontend(audio: Int16Array, rounds: number): number[] {
  const perFrame: number[] = [];
  const fe = new MicroFrontend();
  for (let r = 0; r < rounds; r++) {
    fe.reset();
    let frames = 0;
    const t0 = performance.now();
    for (let i = 0; i < audio.length; i += STEP) frames += fe.process(audio.subarray(i, i + STEP)).length;
    perFrame.push((performance.now() - t0) / frames);
  }
  return perFrame;
}

function timeFloatFft(audio: Int16Array, frames: number, rounds: number): number[] {
  const n = 512;
  const fft = makeFloatFft(n);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const perFrame: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let f = 0; f < frames; f++) {
      for (let i = 0; i < 480; i++) re[i] = audio[f * STEP + i] ?? 0;
      re.fill(0, 480);
      im.fill(0);
      fft(re, im);
      sink += re[7]!;
    }
    perFrame.push((performance.now() - t0) / frames);
  }
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the FFT from being optimised away');
  return perFrame;
}

/**
 * The whole listening path as the daemon runs it between commands: frontend → wake word(s) → VAD,
 * per 10 ms of audio. Models from --models DIR (default var/voice-models, as .ci/setup-voice.sh
 * installs them; the VAD model only if present there, else the energy VAD).
 */
async function timeListening(audio: Int16Array, rounds: number, dir: string, words: string[]): Promise<{ perFrame: number[]; vad: string }> {
  const runtime = await loadLiteRtRuntime();
  const wake = await WakeWords.load(runtime, dir, words.map((id) => ({ id })));
  const vad: SpeechDetector = existsSync(path.join(dir, 'vad.tflite')) ? await VoiceActivity.load(runtime, dir) : new EnergyVoiceActivity();
  const fe = new MicroFrontend();
  const perFrame: number[] = [];
  try {
    for (let r = 0; r < rounds + 1; r++) {
      fe.reset();
      await wake.reset();
      await vad.reset();
      let frames = 0;
      const t0 = performance.now();
      for (let i = 0; i < audio.length; i += STEP) {
        for (const f of fe.process(audio.subarray(i, i + STEP))) {
          frames += 1;
          await wake.push(f);
          await vad.push(f);
        }
      }
      if (r > 0) perFrame.push((performance.now() - t0) / frames); // round 0 warms the JIT
    }
  } finally {
    await wake.release();
    await vad.release();
  }
  return { perFrame, vad: vad.kind };
}

export async function run(args: readonly string[]): Promise<string> {
  const wavPath = args.find((a) => a.endsWith('.wav'));
  const audio = wavPath === undefined ? syntheticAudio() : toMono16k(await readWav(wavPath), wavPath);
  const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 15);
  timeFrontend(audio, 3); // warm-up: JIT
  timeFloatFft(audio, 300, 3);
  const frontend = timeFrontend(audio, rounds);
  const frames = Math.floor((audio.length - 480) / STEP) + 1;
  const floatFft = timeFloatFft(audio, frames, rounds);
  const feMs = pct(frontend, 0.5);
  const fftMs = pct(floatFft, 0.5);
  const modelsIdx = args.indexOf('--models');
  const modelsDir = modelsIdx >= 0 ? path.resolve(args[modelsIdx + 1]!) : resolveModelsDir('var/voice-models');
  const listening = existsSync(path.join(modelsDir, 'okay_nabu.tflite')) ? await timeListening(audio, Math.min(rounds, 5), modelsDir, ['okay_nabu']) : null;
  const listenMs = listening ? pct(listening.perFrame, 0.5) : null;
  const r = {
    suite: 'voice',
    audio: wavPath ?? 'synthetic 10 s',
    frames,
    frontendMsPerFrameP50: feMs,
    frontendMsPerFrameP90: pct(frontend, 0.9),
    frontendCorePercent: (feMs / FRAME_MS) * 100,
    floatFft512MsPerFrameP50: fftMs,
    ratioToFloatFft: feMs / fftMs,
    listeningMsPerFrameP50: listenMs,
    listeningCorePercent: listenMs === null ? null : (listenMs / FRAME_MS) * 100,
    listeningVad: listening?.vad ?? null,
    rssMiB: Math.round((process.memoryUsage.rss() / 2 ** 20) * 10) / 10,
  };
  if (args.includes('--json')) return `${JSON.stringify(r)}\n`;
  return [
    `voice: micro frontend (40 ch, 30 ms window, 10 ms step) on ${r.audio}, ${frames} frames × ${rounds} rounds, one core`,
    `  frontend             p50 ${(feMs * 1000).toFixed(1)} µs/frame  p90 ${(r.frontendMsPerFrameP90 * 1000).toFixed(1)} µs/frame`,
    `  real-time share      ${r.frontendCorePercent.toFixed(2)} % of one core (budget for all listening: 3 %)`,
    `  reference: float64 radix-2 FFT of 512 points (the FFT stage alone, no fixed point) p50 ${(fftMs * 1000).toFixed(1)} µs/frame`,
    `  frontend / float FFT ${r.ratioToFloatFft.toFixed(2)}×`,
    listenMs === null
      ? `  listening path       not measured: no okay_nabu model in ${modelsDir} (bash .ci/setup-voice.sh, or --models DIR)`
      : `  listening path       frontend + okay_nabu + ${r.listeningVad} VAD: p50 ${(listenMs * 1000).toFixed(1)} µs per 10 ms = ${r.listeningCorePercent!.toFixed(2)} % of one core (goal ≤ 3 %)`,
    `  RSS                  ${r.rssMiB} MiB`,
    '',
  ].join('\n');
}
