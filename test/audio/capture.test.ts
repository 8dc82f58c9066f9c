// Audio sources: one contract run against every implementation (WAV file, stdin stream, arecord),
// then arecord's own behaviour with a fake arecord as a real process: arguments, kill → status
// down → restart with backoff → up again, and stop() leaves no process behind.
import test from 'ava';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArecordSource, checkAlsaDevice, readWav, StdinPcmSource, WavFileSource, type AudioSource, type SourceStatus } from '../../src/audio/index.js';
import { tempDir } from '../helpers/paths.js';
import { referencePath } from '../helpers/reference.js';

const speechPath = (): string => referencePath('voice', 'microfrontend', 'speech.wav');
const fakeArecordJs = fileURLToPath(new URL('../helpers/fake-arecord.js', import.meta.url));

/** A temp dir holding an executable `arecord` that runs the fake; put it first on PATH. */
async function fakeArecordDir(): Promise<{ dir: string; log: string }> {
  const dir = await tempDir('wulf-fake-arecord-');
  const bin = path.join(dir, 'arecord');
  await writeFile(bin, `#!/usr/bin/env node\nawait import(${JSON.stringify(fakeArecordJs)});\n`);
  await chmod(bin, 0o755);
  return { dir, log: path.join(dir, 'calls.jsonl') };
}

async function withFakeArecord<T>(env: Record<string, string>, body: (log: string) => Promise<T>): Promise<T> {
  const { dir, log } = await fakeArecordDir();
  const saved = { ...process.env };
  Object.assign(process.env, { PATH: `${dir}${path.delimiter}${process.env['PATH'] ?? ''}`, FAKE_ARECORD_LOG: log, FAKE_ARECORD_WAV: speechPath() }, env);
  try {
    return await body(log);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

async function calls(log: string): Promise<Array<{ pid: number; args: string[] }>> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { pid: number; args: string[] });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: gone, which is what the caller asks about
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---- contract: every AudioSource ----

const implementations: Array<[string, () => Promise<{ source: AudioSource; cleanup?: () => Promise<void> }>]> = [
  ['WavFileSource', async () => ({ source: new WavFileSource(speechPath()) })],
  ['WavFileSource realtime', async () => ({ source: new WavFileSource(speechPath(), { realtime: true }) })],
  ['StdinPcmSource', async () => {
    const raw = path.join(await tempDir(), 'speech.raw');
    await writeFile(raw, (await readFile(speechPath())).subarray(44));
    return { source: new StdinPcmSource({ input: createReadStream(raw, { highWaterMark: 333 }) }) };
  }],
  ['ArecordSource', async () => {
    const { dir, log } = await fakeArecordDir();
    const command = path.join(dir, 'arecord');
    const vars = { FAKE_ARECORD_WAV: speechPath(), FAKE_ARECORD_LOG: log, FAKE_ARECORD_SPEED: '4' };
    Object.assign(process.env, vars); // the child inherits them at spawn
    const cleanup = async (): Promise<void> => {
      for (const k of Object.keys(vars)) delete process.env[k];
    };
    return { source: new ArecordSource({ device: 'hw:1,0', command }), cleanup };
  }],
];

for (const [name, make] of implementations) {
  test.serial(`contract ${name}: 160-sample frames equal the PCM, status up, stop() stops the frames`, async (t) => {
    const pcm = (await readWav(speechPath())).samples;
    const { source, cleanup } = await make();
    t.teardown(async () => cleanup?.());
    const frames: Int16Array[] = [];
    const statuses: SourceStatus[] = [];
    source.on('frame', (f) => frames.push(f));
    source.on('status', (s) => statuses.push(s));
    const iterated: Int16Array[] = [];
    const reader = (async () => {
      for await (const f of source.frames()) iterated.push(f);
    })();
    await source.start();
    await until('40 frames', () => frames.length >= 40);
    await source.stop();
    await source.stop(); // idempotent
    await reader; // the iterator ends on stop
    const count = frames.length;
    await new Promise((r) => setTimeout(r, 60));
    t.is(frames.length, count, 'no frame after stop()');
    t.deepEqual(statuses[0], { state: 'up' });
    t.true(frames.every((f) => f.length === 160));
    const n = Math.min(frames.length, 300);
    for (let i = 0; i < n; i++) t.deepEqual([...frames[i]!], [...pcm.subarray(i * 160, (i + 1) * 160)], `frame ${i}`);
    // frames() drains the bounded queue: every frame was either read or counted as dropped
    t.true(iterated.length > 0 && iterated.length <= 100 + count);
    t.is(iterated.length + source.droppedFrames, count);
    t.deepEqual([...iterated.at(-1)!], [...frames.at(-1)!]);
  });
}

// ---- sources in detail ----

test('WavFileSource realtime paces 10 ms per frame; the whole file ends with "end"', async (t) => {
  const source = new WavFileSource(speechPath(), { realtime: true });
  let frames = 0;
  source.on('frame', () => frames++);
  const t0 = performance.now();
  await source.start();
  await until('30 frames', () => frames >= 30);
  const elapsed = performance.now() - t0;
  await source.stop();
  t.true(elapsed >= 280, `30 frames took ${elapsed.toFixed(0)} ms`);
  const fast = new WavFileSource(speechPath());
  let all = 0;
  fast.on('frame', () => all++);
  const ended = once(fast, 'end');
  await fast.start();
  await ended;
  t.is(all, 300); // 48000 samples
});

test('the bounded queue drops the oldest frames and counts them', async (t) => {
  const source = new WavFileSource(speechPath(), { maxQueuedFrames: 5 });
  const overflows: number[] = [];
  source.on('overflow', (n) => overflows.push(n));
  await source.start();
  t.is(source.droppedFrames, 295);
  t.is(overflows.length, 295);
  const pcm = (await readWav(speechPath())).samples;
  const left: Int16Array[] = [];
  for await (const f of source.frames()) left.push(f);
  t.is(left.length, 5);
  t.deepEqual([...left[4]!], [...pcm.subarray(299 * 160, 300 * 160)]);
});

test('StdinPcmSource reports the end of its input as status down and "end"', async (t) => {
  const raw = path.join(await tempDir(), 'odd.raw');
  await writeFile(raw, Buffer.alloc(160 * 2 * 3 + 7, 1)); // 3 frames and 7 stray bytes
  const source = new StdinPcmSource({ input: createReadStream(raw, { highWaterMark: 5 }) });
  const statuses: SourceStatus[] = [];
  source.on('status', (s) => statuses.push(s));
  let frames = 0;
  source.on('frame', () => frames++);
  const ended = once(source, 'end');
  await source.start();
  await ended;
  t.is(frames, 3);
  t.deepEqual(statuses, [{ state: 'up' }, { state: 'down', reason: 'input ended', restartInMs: null }]);
});

test('device names are checked against a strict ALSA pattern before anything runs', (t) => {
  for (const ok of ['default', 'hw:1,0', 'plughw:CARD=seeed2micvoicec,DEV=0', 'sysdefault:CARD=Device', 'dsnoop']) t.is(checkAlsaDevice(ok), ok);
  for (const bad of ['', '-D', '--help', 'hw:0 ; rm -rf /', '$(reboot)', 'hw:1,0\n', `a${'b'.repeat(70)}`, 'hw: 1', '../x', 'hw:1,,0']) {
    t.throws(() => new ArecordSource({ device: bad }), { instanceOf: RangeError, message: /device must be an ALSA PCM name/ }, JSON.stringify(bad));
  }
});

test.serial('arecord runs without a shell with exactly -q -D <device> -t raw -f S16_LE -r 16000 -c 1', async (t) => {
  await withFakeArecord({ FAKE_ARECORD_SPEED: '4' }, async (log) => {
    const source = new ArecordSource({ device: 'plughw:CARD=seeed2micvoicec,DEV=0' });
    let frames = 0;
    source.on('frame', () => frames++);
    await source.start();
    await until('frames from the fake arecord', () => frames >= 5);
    const pid = source.pid!;
    await source.stop();
    t.deepEqual((await calls(log)).map((c) => c.args), [['-q', '-D', 'plughw:CARD=seeed2micvoicec,DEV=0', '-t', 'raw', '-f', 'S16_LE', '-r', '16000', '-c', '1']]);
    t.is((await calls(log))[0]!.pid, pid, 'the fake itself is the child: no shell in between');
    t.false(isAlive(pid), 'stop() waited for arecord to exit');
  });
});

test.serial('killing arecord: status goes down with the signal, it restarts, status comes back up', async (t) => {
  await withFakeArecord({ FAKE_ARECORD_SPEED: '2' }, async (log) => {
    const source = new ArecordSource({ device: 'hw:1,0', initialBackoffMs: 50 });
    const statuses: SourceStatus[] = [];
    source.on('status', (s) => statuses.push(s));
    let frames = 0;
    source.on('frame', () => frames++);
    await source.start();
    await until('status up', () => statuses.some((s) => s.state === 'up'));
    const first = source.pid!;
    process.kill(first, 'SIGKILL');
    await until('status down', () => statuses.some((s) => s.state === 'down'));
    t.like(statuses.find((s) => s.state === 'down'), { state: 'down', reason: 'arecord killed by SIGKILL', restartInMs: 50 });
    await until('status up again', () => statuses.filter((s) => s.state === 'up').length === 2);
    const second = source.pid!;
    t.not(second, first);
    const before = frames;
    await until('frames after the restart', () => frames > before + 5);
    await source.stop();
    t.deepEqual(statuses.map((s) => s.state), ['up', 'down', 'up', 'down']);
    t.deepEqual(statuses.at(-1), { state: 'down', reason: 'arecord exited with code 0', restartInMs: null });
    t.deepEqual((await calls(log)).map((c) => c.pid), [first, second]);
    t.false(isAlive(first));
    t.false(isAlive(second));
  });
});

test.serial('a failing arecord is retried with exponential backoff, capped, and its stderr reported', async (t) => {
  await withFakeArecord({ FAKE_ARECORD_FAIL: '1' }, async (log) => {
    const source = new ArecordSource({ device: 'hw:9,0', initialBackoffMs: 20, maxBackoffMs: 160 });
    const downs: SourceStatus[] = [];
    source.on('status', (s) => s.state === 'down' && downs.push(s));
    await source.start();
    await until('6 failures', () => downs.length >= 6);
    await source.stop();
    t.deepEqual(downs.slice(0, 6).map((s) => (s.state === 'down' ? s.restartInMs : -1)), [20, 40, 80, 160, 160, 160]);
    t.like(downs[0], { reason: 'arecord exited with code 1: arecord: main:831: audio open error: No such file or directory' });
    t.true((await calls(log)).length >= 6);
    const n = (await calls(log)).length;
    await new Promise((r) => setTimeout(r, 400));
    t.is((await calls(log)).length, n, 'no restart after stop()');
  });
});

test.serial('a missing arecord program is reported as down and retried, never thrown', async (t) => {
  const source = new ArecordSource({ device: 'default', command: '/nonexistent/arecord', initialBackoffMs: 20 });
  const downs: SourceStatus[] = [];
  source.on('status', (s) => s.state === 'down' && downs.push(s));
  await source.start();
  await until('2 failures', () => downs.length >= 2);
  await source.stop();
  t.regex(downs[0]!.state === 'down' ? downs[0]!.reason : '', /^arecord (could not start: )?.*ENOENT/);
});
