import test from 'ava';
import path from 'node:path';
import { ConfigError, deviceIdFromHostname, parseConfig, resolveConfigPath } from '../../src/config/index.js';

test('empty config gets defaults that run out of the box', (t) => {
  const c = parseConfig({}, {}, null, '/srv');
  t.is(c.mqtt.url, undefined, 'no URL: embedded broker');
  t.is(c.mqtt.embedded.port, 1883);
  t.is(c.mqtt.embedded.host, '127.0.0.1');
  t.is(c.mqtt.maxPayloadBytes, 16 * 1024);
  t.is(c.stateDir, '/srv/var');
  t.regex(c.deviceId, /^[a-z0-9][a-z0-9_-]*$/);
});

test("systemd's $STATE_DIRECTORY is the default state dir (first of a list)", (t) => {
  t.is(parseConfig({}, { STATE_DIRECTORY: '/var/lib/wulf:/var/lib/other' }, null).stateDir, '/var/lib/wulf');
});

test('env overrides win over the file', (t) => {
  const c = parseConfig({ deviceId: 'file', mqtt: { url: 'mqtt://file:1883' } }, { WULF_DEVICE_ID: 'env-id', WULF_MQTT_URL: 'mqtt://env:1884', WULF_STATE_DIR: '/x' }, null);
  t.is(c.deviceId, 'env-id');
  t.is(c.mqtt.url, 'mqtt://env:1884');
  t.is(c.stateDir, '/x');
});

test('every problem is reported, each with its key path', (t) => {
  const err = t.throws(() => parseConfig({ mqtt: { embedded: { port: '18830x' }, bogus: 1 }, language: 'de' }, {}, null), { instanceOf: ConfigError });
  t.is(err.exitCode, 2);
  t.true(err.problems.some((p) => p.startsWith('mqtt.embedded.port:') && p.includes('(got "18830x")')), err.message);
  t.true(err.problems.some((p) => p === 'mqtt: unknown key "bogus"'), err.message);
  t.true(err.problems.some((p) => p.startsWith('language:')), err.message);
  t.true(err.message.split('\n').every((l) => l.startsWith('config: ')));
});

test('a non-object config is refused', (t) => {
  t.throws(() => parseConfig([1, 2], {}, null), { message: /top level must be a JSON object/ });
});

test('host names become valid device ids', (t) => {
  t.is(deviceIdFromHostname('Pi-Kitchen.local'), 'pi-kitchen-local');
  t.is(deviceIdFromHostname('---'), 'wulf');
});

test('config path: flag, then WULF_CONFIG, then nothing', (t) => {
  t.is(resolveConfigPath('a.json', { WULF_CONFIG: '/b.json' }), path.resolve('a.json'));
  t.is(resolveConfigPath(undefined, { WULF_CONFIG: '/b.json' }), '/b.json');
  t.is(resolveConfigPath(undefined, { CONFIGURATION_DIRECTORY: '/nonexistent-dir' }), null);
});

test('the cloud is off until a provider is configured; a bad provider is refused by its key path', (t) => {
  const c = parseConfig({}, {}, null);
  t.deepEqual(c.fluid.providers, []);
  const err = t.throws(() => parseConfig({ fluid: { providers: [{ name: 'studio', kind: 'lan', model: 'm' }, { name: 'Bad Name', kind: 'xai', model: 'grok' }] } }, {}, null), { instanceOf: ConfigError });
  t.regex(err!.message, /fluid\.providers\.0\.url: a lan provider needs a url/);
  t.regex(err!.message, /fluid\.providers\.1\.name: must be 1–32 lowercase/);
  const ok = parseConfig({ fluid: { providers: [{ name: 'grok', kind: 'xai', model: 'grok-3-mini' }] } }, {}, null);
  t.like(ok.fluid.providers[0], { connectTimeoutMs: 2000, timeoutMs: 20_000, retries: 1, stream: true });
});
