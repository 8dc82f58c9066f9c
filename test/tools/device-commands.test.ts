import test from 'ava';
import { parseConfig } from '../../src/config/index.js';
import { commandFor, stateTopicFor, DeviceCommandError } from '../../src/tools/index.js';

const devices = parseConfig({
  devices: [
    { id: 'z', names: { en: ['z'] }, domain: 'light', preset: 'zigbee2mqtt', target: 'lamp' },
    { id: 't', names: { en: ['t'] }, domain: 'light', preset: 'tasmota', target: 'plug1' },
    { id: 'h', names: { en: ['h'] }, domain: 'climate', preset: 'homeassistant', commandTopic: 'ha/climate/set' },
    { id: 'c', names: { en: ['c'] }, domain: 'cover', commandTopic: 'home/garage/set', payloads: { open: '{"cmd":"open","who":{{value}}}', close: 'CLOSE' } },
  ],
}, {}, null).devices;
const d = (id: string) => devices.find((x) => x.id === id)!;

test('zigbee2mqtt: JSON on <target>/set, brightness scaled to 0–254, state topic', (t) => {
  t.deepEqual(commandFor(d('z'), 'turn_on'), { topic: 'zigbee2mqtt/lamp/set', payload: '{"state":"ON"}' });
  t.deepEqual(commandFor(d('z'), 'brightness', 50), { topic: 'zigbee2mqtt/lamp/set', payload: '{"state":"ON","brightness":127}' });
  t.deepEqual(commandFor(d('z'), 'color', '#ff0000'), { topic: 'zigbee2mqtt/lamp/set', payload: '{"state":"ON","color":{"hex":"#ff0000"}}' });
  t.is(stateTopicFor(d('z')), 'zigbee2mqtt/lamp');
});

test('Tasmota: one command topic per command, bare payloads', (t) => {
  t.deepEqual(commandFor(d('t'), 'turn_off'), { topic: 'cmnd/plug1/POWER', payload: 'OFF' });
  t.deepEqual(commandFor(d('t'), 'brightness', 30), { topic: 'cmnd/plug1/Dimmer', payload: '30' });
  t.is(stateTopicFor(d('t')), 'stat/plug1/POWER');
});

test('Home Assistant and custom templates; a value enters only JSON-encoded', (t) => {
  t.deepEqual(commandFor(d('h'), 'temperature', 19.5), { topic: 'ha/climate/set', payload: '{"temperature":19.5}' });
  const hostile = commandFor(d('c'), 'open', '","admin":true,"x":"');
  t.deepEqual(JSON.parse(hostile.payload), { cmd: 'open', who: '","admin":true,"x":"' }, 'quotes stay inside the string');
});

test('an action the domain cannot do is refused', (t) => {
  t.throws(() => commandFor(d('c'), 'brightness', 10), { instanceOf: DeviceCommandError });
});

test('reply variety: every wording can come up, and French says the same as English', async (t) => {
  const { pickVariant } = await import('../../src/tools/index.js');
  const v = { en: ['a', 'b', 'c'], fr: ['A', 'B', 'C'] };
  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const p = pickVariant(v, () => i / 3);
    t.is(p.fr, p.en.toUpperCase());
    seen.add(p.en);
  }
  t.is(seen.size, 3);
});
