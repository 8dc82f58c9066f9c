// Audio for the voice tests, made here (the one place tests synthesize speech): espeak-ng speech (16 kHz), silences, WAV files; the
// microWakeWord models (okay_nabu, vad) from the reference data under their product names; a fake
// arecord program on disk.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeWav, parseWav, resample } from '../../src/audio/index.js';
import { referencePath } from './reference.js';
import { repoRoot, tempDir } from './paths.js';

const run = promisify(execFile);

export const hermesPython = path.join(repoRoot, '.venv/hermes/bin/python');

/** espeak-ng saying `text` (en-us, 150 wpm), resampled to 16 kHz. No shell: the text is one argument. */
export async function espeak(text: string, voice = 'en-us', wpm = 150): Promise<Int16Array> {
  const dir = await tempDir('wulf-espeak-');
  try {
    const file = path.join(dir, 'say.wav');
    await run('espeak-ng', ['-v', voice, '-s', String(wpm), '-w', file, text]);
    const wav = parseWav(await readFile(file), file);
    if (wav.channels !== 1) throw new Error(`espeak-ng wrote ${wav.channels} channels`);
    return resample(wav.samples, wav.sampleRate, 16_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const silence = (ms: number): Int16Array => new Int16Array(Math.round(ms * 16));

export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** "okay nabu" (en-us), a pause, then `command` in `voice`, framed by silence, as a 16 kHz WAV file. */
export async function wakeAndCommandWav(command: string, pauseMs = 700, voice = 'en-us'): Promise<{ file: string; samples: Int16Array }> {
  const samples = concat([silence(500), await espeak('okay nabu'), silence(pauseMs), await espeak(command, voice), silence(300)]);
  const file = path.join(await tempDir('wulf-voice-wav-'), 'command.wav');
  await writeFile(file, encodeWav(samples, 16_000));
  return { file, samples };
}

export async function wavFile(samples: Int16Array): Promise<string> {
  const file = path.join(await tempDir('wulf-voice-wav-'), 'audio.wav');
  await writeFile(file, encodeWav(samples, 16_000));
  return file;
}

/** A models dir as setup-voice.sh makes it (default okay_nabu, vad), from the reference copies (named v2_<id>). */
export async function voiceModelsDir(ids: readonly string[] = ['okay_nabu', 'vad']): Promise<string> {
  const dir = await tempDir('wulf-voice-models-');
  for (const id of ids) {
    for (const ext of ['tflite', 'json']) await copyFile(referencePath('voice', 'microwakeword', `v2_${id}.${ext}`), path.join(dir, `${id}.${ext}`));
  }
  return dir;
}

const fakeArecordJs = fileURLToPath(new URL('./fake-arecord.js', import.meta.url));

/** An executable `arecord` that runs test/helpers/fake-arecord.ts (env: FAKE_ARECORD_WAV, _LOG, _SPEED). */
export async function fakeArecordBin(): Promise<string> {
  const dir = await tempDir('wulf-fake-arecord-');
  await mkdir(dir, { recursive: true });
  const bin = path.join(dir, 'arecord');
  await writeFile(bin, `#!/usr/bin/env node\nawait import(${JSON.stringify(fakeArecordJs)});\n`);
  await chmod(bin, 0o755);
  return bin;
}

/** Parse Hermes messages with rhasspy-hermes (fails the test on a shape error). */
export async function parseWithRhasspy(messages: Array<{ topic: string; payload: string }>): Promise<Array<{ topic: string; type: string; parsed: Record<string, unknown>; wakeword_id?: string }>> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const p = spawn(hermesPython, [path.join(repoRoot, 'test/helpers/hermes_audio.py'), 'parse'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as never)) : reject(new Error(`rhasspy-hermes could not parse: ${err}`))));
    p.stdin.end(messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
  });
}

/** A Hermes message built by rhasspy-hermes. */
export async function buildWithRhasspy(...args: string[]): Promise<{ topic: string; payload: string }> {
  const { stdout } = await run(hermesPython, [path.join(repoRoot, 'test/helpers/hermes_audio.py'), 'build', ...args]);
  return JSON.parse(stdout) as { topic: string; payload: string };
}

/** A WAV file as a Hermes satellite's audioFrame messages (built by rhasspy-hermes' AudioFrame). */
export async function satelliteFrames(siteId: string, wavPath: string, chunkMs = 64): Promise<Array<{ topic: string; payload: Buffer }>> {
  const { stdout } = await run(hermesPython, [path.join(repoRoot, 'test/helpers/hermes_audio.py'), 'frames', siteId, wavPath, String(chunkMs)], { maxBuffer: 64 * 2 ** 20 });
  return stdout.trim().split('\n').map((l) => {
    const m = JSON.parse(l) as { topic: string; payload_b64: string };
    return { topic: m.topic, payload: Buffer.from(m.payload_b64, 'base64') };
  });
}

/** The site and request id of a playBytes topic, as rhasspy-hermes' AudioPlayBytes reads them. */
export async function playBytesTopic(topic: string): Promise<{ siteId: string; requestId: string }> {
  const { stdout } = await run(hermesPython, [path.join(repoRoot, 'test/helpers/hermes_audio.py'), 'playbytes', topic]);
  return JSON.parse(stdout) as { siteId: string; requestId: string };
}
