import test from 'ava';
import { parseConfig } from '../../src/config/index.js';
import { resolveDevices, foldName } from '../../src/nlu/index.js';

const config = parseConfig({
  areas: [{ id: 'salon', names: { en: ['living room', 'lounge'], fr: ['salon', 'séjour'] } }, { id: 'cuisine', names: { en: ['kitchen'], fr: ['cuisine'] } }],
  devices: [
    { id: 'salon.light', names: { en: ['living room light'], fr: ['lumière du salon', 'plafonnier'] }, area: 'salon', domain: 'light' },
    { id: 'salon.lamp', names: { en: ['reading lamp'], fr: ['lampe de lecture'] }, area: 'salon', domain: 'light' },
    { id: 'salon.tv', names: { en: ['tv'], fr: ['télé'] }, area: 'salon', domain: 'switch' },
    { id: 'cuisine.light', names: { en: ['kitchen light'], fr: ['lumière de la cuisine'] }, area: 'cuisine', domain: 'light' },
  ],
}, {}, null);

test('names match without accents, case or plural; synonyms are extra names', (t) => {
  t.is(foldName('Lumières du Salon'), 'lumiere du salon');
  t.deepEqual(resolveDevices(config, { name: 'LUMIERES DU SALON' }), { ok: true, deviceIds: ['salon.light'] });
  t.deepEqual(resolveDevices(config, { name: 'plafonnier' }), { ok: true, deviceIds: ['salon.light'] });
});

test('an area with a domain picks every device of that domain there', (t) => {
  t.deepEqual(resolveDevices(config, { area: 'Séjour', domain: 'light' }), { ok: true, deviceIds: ['salon.light', 'salon.lamp'] });
  t.deepEqual(resolveDevices(config, { area: 'salon', name: 'lumière' }), { ok: true, deviceIds: ['salon.light', 'salon.lamp'] });
  t.deepEqual(resolveDevices(config, { area: 'kitchen', domain: 'lights' }), { ok: true, deviceIds: ['cuisine.light'] });
});

test('an unknown area or name is reported with what was said', (t) => {
  t.deepEqual(resolveDevices(config, { area: 'grenier', domain: 'light' }), { ok: false, missing: 'area', said: 'grenier' });
  t.deepEqual(resolveDevices(config, { name: 'jacuzzi' }), { ok: false, missing: 'name', said: 'jacuzzi' });
  t.deepEqual(resolveDevices(config, {}), { ok: false, missing: 'nothing', said: null });
});

test('leading articles are not part of a name, and an area said as the name picks that area', (t) => {
  t.is(foldName('de la Cuisine'), 'cuisine');
  t.is(foldName('the kitchen light'), 'kitchen light');
  t.is(foldName('la'), 'la');
  t.deepEqual(resolveDevices(config, { name: 'the reading lamp' }), { ok: true, deviceIds: ['salon.lamp'] });
  t.deepEqual(resolveDevices(config, { name: 'de la cuisine' }), { ok: true, deviceIds: ['cuisine.light'] });
  t.deepEqual(resolveDevices(config, { name: 'du salon', domain: 'light' }), { ok: true, deviceIds: ['salon.light', 'salon.lamp'] });
});
