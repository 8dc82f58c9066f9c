// Model updates end to end: wulf-ota (a separate process) pushes real .tflite bundles through a
// real mosquitto to real daemons, over MQTT chunks and over HTTP range requests.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelBuilder } from '../../firmware-models/tflite/model-builder.js';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { repoRoot, tempDir } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';

const otaCli = path.join(repoRoot, 'dist/ota/cli.js');

function wulfOta(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(process.execPath, [otaCli, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })));
}

/** A real model: one FULLY_CONNECTED layer, padded with a constant so bundles have some size. */
function tflite(seed: number, padFloats = 0): Uint8Array {
  const mb = new ModelBuilder();
  const g = mb.subgraph('serving_default');
  const x = g.input('x', [1, 8]);
  const w = Float32Array.from({ length: 4 * 8 }, (_, i) => Math.sin(i + seed));
  let y = g.fullyConnected(x, g.weight('w', w, [4, 8], 'float32'));
  if (padFloats) y = g.add(y, g.mul(g.constant('zero', new Float32Array(1), [1]), g.mean(g.constant('pad', Float32Array.from({ length: padFloats }, (_, i) => i % 7), [padFloats]), [0], false)));
  g.output('y', y);
  return mb.toBytes();
}

interface Kit { dir: string; key: string; pub: string; keysDir: string }

async function kit(): Promise<Kit> {
  const dir = await tempDir('wulf-ota-e2e-');
  const keysDir = path.join(dir, 'trusted-keys');
  await mkdir(keysDir);
  t_ok(await wulfOta(['keygen', '--out', dir, '--name', 'fleet']));
  await writeFile(path.join(keysDir, 'fleet.pub'), await readFile(path.join(dir, 'fleet.pub')));
  return { dir, key: path.join(dir, 'fleet.key'), pub: path.join(dir, 'fleet.pub'), keysDir };
}

function t_ok(r: { code: number; stderr: string }): void {
  if (r.code !== 0) throw new Error(r.stderr);
}

async function bundle(k: Kit, version: number, model: Uint8Array, key = k.key): Promise<string> {
  const modelFile = path.join(k.dir, `fixture-v${version}.tflite`);
  await writeFile(modelFile, model);
  const out = path.join(k.dir, `v${version}-${path.basename(key)}.bin`);
  // A generic model (kind "wake"): the daemon loads and serves it without handing it to the NLU.
  t_ok(await wulfOta(['build', '--model', modelFile, '--name', 'fixture-model', '--kind', 'wake', '--version', String(version), '--key', key, '--out', out]));
  return out;
}

async function board(t: import('ava').ExecutionContext, broker: Mosquitto, k: Kit, extra: Record<string, unknown> = {}) {
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url }, config: { ota: { trustedKeysDir: k.keysDir, probationMs: 800, ...extra } } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  return daemon;
}

async function statusModels(broker: Mosquitto, daemon: DaemonProcess) {
  const res = await runCli(['status', '--json'], { WULF_DEVICE_ID: daemon.deviceId, WULF_MQTT_URL: broker.url });
  // Only the fixture: the default NLU model may be listed too.
  return (JSON.parse(res.stdout) as { models: Array<{ name: string; version: string }> }).models.filter((m) => m.name === 'fixture-model');
}

test('push over MQTT chunks: committed, the new version serves, the old slot is kept, Home Assistant sees the version', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const k = await kit();
  const daemon = await board(t, broker, k);
  const ha = await Recorder.connect(broker.url);
  t.teardown(() => ha.end());
  await ha.subscribe(`wulf/${daemon.deviceId}/update/state`);

  const v1 = await wulfOta(['push', await bundle(k, 1, tflite(1)), '--device', daemon.deviceId, '--broker', broker.url, '--chunk-size', '4096', '--json']);
  t.is(v1.code, 0, v1.stderr);
  t.deepEqual((JSON.parse(v1.stdout) as Array<{ result: string }>).map((r) => r.result), ['committed']);
  const v2 = await wulfOta(['push', await bundle(k, 2, tflite(2, 20_000)), '--device', daemon.deviceId, '--broker', broker.url, '--chunk-size', '4096']);
  t.is(v2.code, 0, v2.stderr);
  t.regex(v2.stdout, new RegExp(`${daemon.deviceId}: committed \\(v2\\)`));
  t.deepEqual(await statusModels(broker, daemon), [{ name: 'fixture-model', version: '2' }]);
  const update = await ha.waitFor((m) => m.payload.toString().includes('fixture-model 2'), 5000);
  t.regex(update.payload.toString(), /"installed_version":"fixture-model 2"/);
  const ota = JSON.parse(await readFile(path.join(daemon.stateDir, 'models', 'ota-state.json'), 'utf8')) as { models: Record<string, { active: { version: number }; previous: { version: number } }> };
  t.deepEqual([ota.models['fixture-model']!.active.version, ota.models['fixture-model']!.previous.version], [2, 1], 'v1 kept for rollback');
  const fleet = await wulfOta(['status', '--broker', broker.url, '--json']);
  const row = (JSON.parse(fleet.stdout) as Array<{ device: string; online: boolean; last: { result: string } }>).find((r) => r.device === daemon.deviceId);
  t.deepEqual([row?.online, row?.last.result], [true, 'committed']);
});

test('push over HTTP with range requests', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const k = await kit();
  const daemon = await board(t, broker, k);
  const r = await wulfOta(['push', await bundle(k, 3, tflite(3, 50_000)), '--device', daemon.deviceId, '--broker', broker.url, '--via', 'http', '--http-host', '127.0.0.1']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(await statusModels(broker, daemon), [{ name: 'fixture-model', version: '3' }]);
});

test('rejected with a clear reason and the live model untouched: wrong key, a model that does not load, a downgrade', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const k = await kit();
  const daemon = await board(t, broker, k);
  t.is((await wulfOta(['push', await bundle(k, 5, tflite(5)), '--device', daemon.deviceId, '--broker', broker.url])).code, 0);
  await wulfOta(['keygen', '--out', k.dir, '--name', 'intruder']);
  const cases: Array<[string, string, RegExp]> = [
    ['wrong key', await bundle(k, 6, tflite(6), path.join(k.dir, 'intruder.key')), /does not trust/],
    ['does not load', await bundle(k, 7, new TextEncoder().encode('definitely not a flatbuffer, just text that pretends to be a model')), /does not load/],
    ['downgrade', await bundle(k, 4, tflite(4)), /not newer than the installed 5/],
  ];
  for (const [name, file, reason] of cases) {
    const r = await wulfOta(['push', file, '--device', daemon.deviceId, '--broker', broker.url, '--json']);
    t.is(r.code, 1, name);
    const [res] = JSON.parse(r.stdout) as Array<{ result: string; reason: string }>;
    t.is(res?.result, 'rejected', name);
    t.regex(res?.reason ?? '', reason, name);
  }
  t.deepEqual(await statusModels(broker, daemon), [{ name: 'fixture-model', version: '5' }]);
});

test('an MQTT transfer interrupted by a broker restart resumes and completes', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const k = await kit();
  const daemon = await board(t, broker, k, {});
  const file = await bundle(k, 8, tflite(8, 400_000));
  const push = wulfOta(['push', file, '--device', daemon.deviceId, '--broker', broker.url, '--chunk-size', '2048', '--json'], 180_000);
  const watcher = await Recorder.connect(broker.url, { reconnectPeriod: 0 });
  await watcher.subscribe(`wulf/${daemon.deviceId}/ota/status`);
  await watcher.waitFor((m) => { const s = JSON.parse(m.payload.toString()) as { progress: number; phase: string }; return s.phase === 'downloading' && s.progress > 0.2; }, 60_000);
  await watcher.end().catch(() => undefined);
  await broker.kill();
  await new Promise((r) => setTimeout(r, 1500));
  await broker.spawn();
  const r = await push;
  t.is(r.code, 0, r.stderr + r.stdout);
  t.deepEqual((JSON.parse(r.stdout) as Array<{ result: string }>).map((x) => x.result), ['committed']);
  t.true(daemon.logs.some((l) => l.msg === 'mqtt connection lost; reconnecting'));
  t.deepEqual(await statusModels(broker, daemon), [{ name: 'fixture-model', version: '8' }]);
});

test('the fleet: push --all to three daemons reports each device', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const k = await kit();
  const boards = await Promise.all([board(t, broker, k), board(t, broker, k), board(t, broker, k)]);
  const r = await wulfOta(['push', await bundle(k, 1, tflite(11)), '--all', '--broker', broker.url, '--json']);
  t.is(r.code, 0, r.stderr);
  const results = JSON.parse(r.stdout) as Array<{ deviceId: string; result: string }>;
  t.deepEqual(results.map((x) => x.deviceId).sort(), boards.map((b) => b.deviceId).sort());
  t.true(results.every((x) => x.result === 'committed'));
});

test('wulf ota rollback goes back to the previous slot by hand, only with the daemon stopped', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const k = await kit();
  const daemon = await board(t, broker, k);
  for (const v of [1, 2]) t.is((await wulfOta(['push', await bundle(k, v, tflite(v)), '--device', daemon.deviceId, '--broker', broker.url])).code, 0);
  const env = { WULF_STATE_DIR: daemon.stateDir };
  const refused = await runCli(['ota', 'rollback', 'fixture-model'], env);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /stop it first/);
  daemon.signal('SIGTERM');
  await daemon.waitExit(10_000);
  const done = await runCli(['ota', 'rollback', 'fixture-model'], env);
  t.is(done.code, 0, done.stderr);
  t.regex(done.stdout, /fixture-model: v2 → v1/);
  const status = await runCli(['ota', 'status', '--json'], env);
  t.is((JSON.parse(status.stdout) as Record<string, { active: { version: number } }>)['fixture-model']!.active.version, 1);
  const again = await DaemonProcess.start({ stateDir: daemon.stateDir, deviceId: daemon.deviceId, env: { WULF_MQTT_URL: broker.url }, config: { ota: { trustedKeysDir: k.keysDir } } });
  t.teardown(() => again.kill());
  await again.ready();
  t.deepEqual(await statusModels(broker, again), [{ name: 'fixture-model', version: '1' }]);
});

test('the daemon killed -9 mid-install (after verify, after staging, after the switch, in probation) restarts on a model that loads', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const k = await kit();
  for (const point of ['verified', 'staged', 'switched', 'probation']) {
    const first = await board(t, broker, k);
    t.is((await wulfOta(['push', await bundle(k, 1, tflite(1)), '--device', first.deviceId, '--broker', broker.url])).code, 0);
    first.signal('SIGTERM');
    await first.waitExit(10_000);
    const crashy = await DaemonProcess.start({ stateDir: first.stateDir, deviceId: first.deviceId, env: { WULF_MQTT_URL: broker.url }, config: { ota: { trustedKeysDir: k.keysDir, probationMs: 60_000, crashAt: point } } });
    t.teardown(() => crashy.kill());
    await crashy.ready();
    const push = wulfOta(['push', await bundle(k, 2, tflite(2)), '--device', first.deviceId, '--broker', broker.url, '--timeout', '4000']);
    const exit = await crashy.waitExit(30_000);
    t.is(exit.signal, 'SIGKILL', `${point}: killed at the crash point`);
    await push;
    const back = await DaemonProcess.start({ stateDir: first.stateDir, deviceId: first.deviceId, env: { WULF_MQTT_URL: broker.url }, config: { ota: { trustedKeysDir: k.keysDir } } });
    t.teardown(() => back.kill());
    await back.ready();
    const models = await statusModels(broker, back);
    t.deepEqual(models, [{ name: 'fixture-model', version: '1' }], `${point}: back on v1, whole`);
    if (point === 'switched' || point === 'probation') t.truthy(back.logs.find((l) => l.msg === 'restarted during probation: rolling back'), `${point}: rolled back at start`);
    back.signal('SIGTERM');
    await back.waitExit(10_000);
  }
});
