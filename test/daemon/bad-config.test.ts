// A config the daemon cannot use: it names the key, exits 2, and starts nothing.
import test from 'ava';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

async function configFile(body: unknown): Promise<string> {
  const file = path.join(await tempDir(), 'config.json');
  await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

const cases: Array<[string, unknown, RegExp]> = [
  ['an unknown key', { mqtt: { prot: 1883 } }, /config: mqtt: unknown key "prot"/],
  ['an unknown top-level key', { voice: true }, /config: unknown key "voice"/],
  ['a wrong type', { mqtt: { keepaliveS: '30x' } }, /config: mqtt\.keepaliveS: .*expected number.*\(got "30x"\)/],
  ['a bad enum value', { log: { level: 'loud' } }, /config: log\.level: .*\(got "loud"\)/],
  ['a bad device id', { deviceId: 'Kitchen Pi' }, /config: deviceId: must be lowercase/],
  ['invalid JSON', '{"mqtt": ', /is not valid JSON/],
];

for (const [name, body, expected] of cases) {
  test(`refuses to start with ${name}: exit 2, the key named on stderr`, async (t) => {
    const res = await runCli(['run', '--config', await configFile(body)], { WULF_STATE_DIR: await tempDir() });
    t.is(res.code, 2);
    t.regex(res.stderr, expected);
  });
}

test('refuses to start with an unwritable state dir: exit 2, names stateDir', async (t) => {
  const dir = await tempDir();
  const blocker = path.join(dir, 'a-file');
  await writeFile(blocker, 'not a directory');
  // Tests may run as root, which can write anywhere: a path under a regular file fails for anyone.
  const daemon = await DaemonProcess.start({ stateDir: path.join(blocker, 'state'), config: {} });
  const exit = await daemon.waitExit(30_000);
  t.is(exit.code, 2);
  t.regex(daemon.stderr, /config: stateDir: .* is not writable \(ENOTDIR\)/);
});

test('a missing config file named with --config is an error, not silent defaults', async (t) => {
  const dir = await tempDir();
  await mkdir(dir, { recursive: true });
  const res = await runCli(['run', '--config', path.join(dir, 'nope.json')]);
  t.is(res.code, 2);
  t.regex(res.stderr, /cannot read .*nope\.json \(ENOENT\)/);
});

test('`wulf doctor` fails (exit 1) on a bad config and reports each check', async (t) => {
  const bad = await runCli(['doctor', '--json', '--config', await configFile({ mqtt: { port: 1 } })]);
  t.is(bad.code, 1);
  const checks = JSON.parse(bad.stdout) as Array<{ name: string; state: string; detail: string }>;
  t.is(checks.find((c) => c.name === 'config')?.state, 'fail');
  const good = await runCli(['doctor', '--json', '--config', await configFile({ stateDir: await tempDir() })], { WULF_STATE_DIR: '' });
  const names = (JSON.parse(good.stdout) as Array<{ name: string; state: string }>).map((c) => c.name);
  t.deepEqual(names, ['node', 'config', 'state dir', 'store', 'broker', 'nlu model', 'microphone', 'wake words', 'recognizer', 'speech']);
});

test('`wulf doctor` fails when the configured broker is unreachable', async (t) => {
  const res = await runCli(['doctor', '--json', '--config', await configFile({ stateDir: await tempDir(), mqtt: { url: 'mqtt://127.0.0.1:1' } })]);
  t.is(res.code, 1);
  const broker = (JSON.parse(res.stdout) as Array<{ name: string; state: string }>).find((c) => c.name === 'broker');
  t.is(broker?.state, 'fail');
});

test('`wulf doctor` loads the NLU model the daemon would start with, and fails on a configured one that is missing or corrupt', async (t) => {
  const check = async (config: Record<string, unknown>): Promise<{ code: number; nlu: { state: string; detail: string } }> => {
    const res = await runCli(['doctor', '--json', '--config', await configFile({ stateDir: await tempDir(), ...config })], { WULF_STATE_DIR: '' });
    return { code: res.code, nlu: (JSON.parse(res.stdout) as Array<{ name: string; state: string; detail: string }>).find((c) => c.name === 'nlu model')! };
  };
  const shipped = await check({});
  t.is(shipped.nlu.state, 'ok');
  t.regex(shipped.nlu.detail, /^neurolite-tiny v\d+, \d+ intents \(shipped default: .*model\.int8\.tflite\)$/);
  const dir = await tempDir();
  const corrupt = path.join(dir, 'truncated.tflite');
  await writeFile(corrupt, Buffer.from('TFL3 truncated model'));
  const bad = await check({ nlu: { model: corrupt } });
  t.is(bad.code, 1);
  t.is(bad.nlu.state, 'fail');
  t.regex(bad.nlu.detail, /truncated\.tflite does not load: .*natural language is off/);
  const stateDir = await tempDir();
  await mkdir(path.join(stateDir, 'models'), { recursive: true });
  await writeFile(path.join(stateDir, 'models', 'ota-state.json'), '{"models": {"neurolite-tiny": ');
  const corruptOta = await check({ stateDir });
  t.is(corruptOta.nlu.state, 'fail');
  t.regex(corruptOta.nlu.detail, /^OTA state: .*ota-state\.json is not valid JSON/);
  const missing = await check({ nlu: { model: path.join(dir, 'nope.tflite') } });
  t.is(missing.nlu.state, 'fail');
  t.regex(missing.nlu.detail, /the configured file .*nope\.tflite is missing/);
});
