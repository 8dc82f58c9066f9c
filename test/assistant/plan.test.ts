import test from 'ava';
import { parseConfig } from '../../src/config/index.js';
import { plan, parseDurationMs } from '../../src/assistant/index.js';

const config = parseConfig({
  areas: [{ id: 'salon', names: { en: ['living room'], fr: ['salon'] } }],
  devices: [{ id: 'salon.light', names: { en: ['living room light'], fr: ['lumière du salon'] }, area: 'salon', domain: 'light' }],
}, {}, null);
const u = (intent: string, slots: Record<string, string>) => ({ intent, confidence: 0.99, slots: Object.entries(slots).map(([name, value]) => ({ name, value, raw: value, start: 0, end: value.length })) });

test('commands become allow-listed tool calls with resolved devices', (t) => {
  t.deepEqual(plan(u('HassTurnOn', { area: 'salon', domain: 'light' }), config), { kind: 'calls', calls: [{ tool: 'home_control', args: { action: 'turn_on', deviceIds: ['salon.light'] } }] });
  t.deepEqual(plan(u('HassLightSet', { name: 'lumière du salon', brightness: '40%' }), config), { kind: 'calls', calls: [{ tool: 'home_control', args: { action: 'brightness', deviceIds: ['salon.light'], value: 40 } }] });
  t.deepEqual(plan(u('HassLightSet', { name: 'lumière du salon', color: 'Rouge' }), config), { kind: 'calls', calls: [{ tool: 'home_control', args: { action: 'color', deviceIds: ['salon.light'], value: '#ff0000' } }] });
  t.deepEqual(plan(u('HassShoppingListAddItem', { item: 'lait' }), config), { kind: 'calls', calls: [{ tool: 'list_add', args: { list: 'shopping', item: 'lait' } }] });
  t.deepEqual(plan(u('HassStartTimer', { duration: '10 minutes' }), config), { kind: 'calls', calls: [{ tool: 'timer_start', args: { durationMs: 600_000, name: null } }] });
});

test('an unknown entity is a plan of its own, not a guess', (t) => {
  t.deepEqual(plan(u('HassTurnOn', { area: 'grenier', domain: 'light' }), config), { kind: 'unknown_entity', said: 'grenier' });
});

test('durations in French and English', (t) => {
  t.is(parseDurationMs('10 minutes'), 600_000);
  t.is(parseDurationMs('1 h 30 min'), 5_400_000);
  t.is(parseDurationMs('90 secondes'), 90_000);
  t.is(parseDurationMs('2,5 heures'), 9_000_000);
  t.is(parseDurationMs('a while'), null);
});

test("Home Assistant's slot shapes: floor as a place, hours/minutes/seconds for timers", (t) => {
  t.deepEqual(plan(u('HassTurnOn', { floor: 'grenier' }), config), { kind: 'unknown_entity', said: 'grenier' });
  t.deepEqual(plan(u('HassStartTimer', { minutes: '10' }), config), { kind: 'calls', calls: [{ tool: 'timer_start', args: { durationMs: 600_000, name: null } }] });
  t.deepEqual(plan(u('HassStartTimer', { hours: '1', minutes: '30' }), config), { kind: 'calls', calls: [{ tool: 'timer_start', args: { durationMs: 5_400_000, name: null } }] });
});
