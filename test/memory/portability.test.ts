// Memory out and back in, through the real CLI against a real daemon's state dir.
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { MemoryStore, PID_FILE, runningDaemonPid, writePidFile, type TurnRecord } from '../../src/memory/index.js';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const log = pino({ level: 'silent' });
const turn = (i: number): TurnRecord => ({ turnId: `t${i}`, lang: i % 2 ? 'fr' : 'en', channel: 'mqtt', userText: `question ${i}`, replyText: `answer ${i}`, intent: i % 3 ? 'HassTurnOn' : null, slots: i % 3 ? [{ name: 'area', value: 'salon', start: 0, end: 5 }] : [], latencyMs: 1, source: 'local' });

async function storeWithTurns(n: number, maxLiveMessages = 40): Promise<string> {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log, { maxLiveMessages });
  for (let i = 0; i < n; i++) await store.recordTurn(turn(i));
  await store.flush();
  return dir;
}

test('export writes one JSONL line per turn, archive included, in the recipe shape', async (t) => {
  const dir = await storeWithTurns(100);
  const out = path.join(await tempDir(), 'dialogues.jsonl');
  const res = await runCli(['memory', 'export', '--out', out], { WULF_STATE_DIR: dir });
  t.is(res.code, 0, res.stderr);
  const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.is(lines.length, 100);
  t.deepEqual(lines[1], { text: 'question 1', intent: 'HassTurnOn', slots: [{ name: 'area', value: 'salon', start: 0, end: 5 }], lang: 'fr', reply: 'answer 1', ts: lines[1]!.ts, turnId: 't1', episodeId: lines[1]!.episodeId, source: 'mqtt' });
  const future = await runCli(['memory', 'export', '--since', '2999-01-01'], { WULF_STATE_DIR: dir });
  t.is(future.stdout, '');
  const bad = await runCli(['memory', 'export', '--since', 'yesterday-ish'], { WULF_STATE_DIR: dir });
  t.is(bad.code, 2);
});

test('backup then restore gives back every message; the replaced store is moved aside', async (t) => {
  const dir = await storeWithTurns(120);
  const backup = path.join(await tempDir(), 'memory.backup');
  t.is((await runCli(['memory', 'backup', backup], { WULF_STATE_DIR: dir })).code, 0);
  const target = await storeWithTurns(3);
  const res = await runCli(['memory', 'restore', backup], { WULF_STATE_DIR: target });
  t.is(res.code, 0, res.stderr);
  t.regex(res.stdout, /previous store is in .*before-restore-/);
  const { store } = await MemoryStore.open(target, log);
  const texts: string[] = [];
  for await (const m of store.allMessages()) texts.push(m.text);
  t.is(texts.length, 240);
  t.is(texts[0], 'question 0');
  const aside = (await readdir(target)).find((f) => f.startsWith('before-restore-'));
  t.truthy(aside);
  t.true((await readFile(path.join(target, aside!, 'store.json'), 'utf8')).includes('question 2'), 'the old store is kept');
});

test('a truncated or foreign backup is refused and the store is untouched', async (t) => {
  const dir = await storeWithTurns(60);
  const backup = path.join(await tempDir(), 'memory.backup');
  await runCli(['memory', 'backup', backup], { WULF_STATE_DIR: dir });
  const whole = await readFile(backup, 'utf8');
  const target = await storeWithTurns(5);
  const before = await readFile(path.join(target, 'store.json'), 'utf8');
  const cases: Array<[string, string, RegExp]> = [
    ['truncated mid-line', whole.slice(0, Math.floor(whole.length * 0.6)), /is not JSON|not an archive record|truncated/],
    ['cut at a line boundary', whole.split('\n').slice(0, -3).join('\n') + '\n', /truncated: no end marker/],
    ['only the header', whole.split('\n')[0]! + '\n', /truncated/],
    ['not a backup', '{"hello": 1}\n', /is not a wulf-memory-backup/],
  ];
  for (const [name, body, expected] of cases) {
    const file = path.join(await tempDir(), 'bad.backup');
    await writeFile(file, body);
    const res = await runCli(['memory', 'restore', file], { WULF_STATE_DIR: target });
    t.is(res.code, 1, name);
    t.regex(res.stderr, expected, name);
    t.is(await readFile(path.join(target, 'store.json'), 'utf8'), before, `${name}: store untouched`);
  }
  t.false((await readdir(target)).some((f) => f.startsWith('.restore-') || f.startsWith('before-restore-')), 'no leftovers');
});

test('with a daemon running: export and backup work read-only, restore is refused, a second daemon is refused', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const env = { WULF_STATE_DIR: daemon.stateDir, WULF_MQTT_URL: broker.url, WULF_DEVICE_ID: daemon.deviceId };
  t.is((await runCli(['ask', '/help'], env)).code, 0);
  const exported = await runCli(['memory', 'export'], env);
  t.is(exported.code, 0);
  t.is(exported.stdout.trim().split('\n').length, 1);
  const backup = path.join(await tempDir(), 'b');
  t.is((await runCli(['memory', 'backup', backup], env)).code, 0);
  const restore = await runCli(['memory', 'restore', backup], env);
  t.is(restore.code, 1);
  t.regex(restore.stderr, /daemon \(pid \d+\) is using/);
  const second = await DaemonProcess.start({ stateDir: daemon.stateDir, env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => second.kill());
  t.is((await second.waitExit(10_000)).code, 1);
  t.true(second.logs.some((l) => l.level === 60 && JSON.stringify(l).includes('another wulf daemon')));
  daemon.signal('SIGTERM');
  t.is((await daemon.waitExit(10_000)).code, 0);
  t.false((await readdir(daemon.stateDir)).includes('wulf.pid'), 'pid file removed on a clean stop');
  t.is((await runCli(['memory', 'restore', backup], env)).code, 0);
});

test('a pid file from before the last boot does not count, whatever runs under that pid now (power cuts)', async (t) => {
  const dir = await tempDir();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)', 'wulf'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  await writeFile(path.join(dir, PID_FILE), `${child.pid}\n${boot}\n`);
  t.is(await runningDaemonPid(dir), child.pid!, 'this boot, a live wulf: running');
  await writeFile(path.join(dir, PID_FILE), `${child.pid}\n00000000-0000-0000-0000-000000000000\n`);
  t.is(await runningDaemonPid(dir), null, 'another boot: stale');
  await writePidFile(dir);
  t.is((await readFile(path.join(dir, PID_FILE), 'utf8')).split('\n')[1], boot, 'the pid file records the boot');
});
