// The console's read-only views over real store data, and the log ring behind "recent problems".
import test from 'ava';
import pino from 'pino';
import { MemoryStore } from '../../src/memory/index.js';
import { LogRing } from '../../src/daemon/log-ring.js';
import { memoryView, turnsView } from '../../src/web/index.js';
import { tempDir } from '../helpers/paths.js';

test('memoryView searches notes, list items and timers without caring for case or accents', async (t) => {
  const { store } = await MemoryStore.open(await tempDir('wulf-web-views-'), pino({ level: 'silent' }));
  await store.addNote('Le code du portail est 4521', null);
  await store.addNote('the wifi password is on the fridge', null);
  await store.addListItem('shopping', 'Crème fraîche');
  await store.addListItem('shopping', 'milk');
  await store.addTimer({ id: 't1', name: 'pâtes', durationMs: 600_000, dueAt: Date.now() + 600_000, createdAt: new Date().toISOString(), lang: 'fr' });
  const all = memoryView(store.data, '');
  t.is(all.notes.length, 2);
  t.deepEqual(all.lists.find((l) => l.name === 'shopping')!.items.map((i) => i.text), ['Crème fraîche', 'milk']);
  const creme = memoryView(store.data, 'CREME');
  t.deepEqual(creme.lists.find((l) => l.name === 'shopping')!.items.map((i) => i.text), ['Crème fraîche']);
  t.deepEqual(creme.notes, []);
  t.deepEqual(memoryView(store.data, 'portail').notes.map((n) => n.text), ['Le code du portail est 4521']);
  t.deepEqual(memoryView(store.data, 'pates').timers.map((x) => x.name), ['pâtes']);
  // Delete by id, as the console does: only that item goes.
  const milk = all.lists.find((l) => l.name === 'shopping')!.items.find((i) => i.text === 'milk')!;
  t.true(await store.removeListItemById('shopping', milk.id));
  t.false(await store.removeListItemById('shopping', milk.id));
  t.false(await store.removeListItemById('nope', milk.id));
  t.deepEqual(store.data.lists.shopping!.map((i) => i.text), ['Crème fraîche']);
});

test('turnsView pairs each reply with what was said and its metric, newest first', async (t) => {
  const { store } = await MemoryStore.open(await tempDir('wulf-web-views-'), pino({ level: 'silent' }));
  for (const i of [1, 2, 3]) await store.recordTurn({ turnId: `t${i}`, lang: 'en', channel: i === 2 ? 'web' : 'mqtt', userText: `say ${i}`, replyText: `reply ${i}`, intent: 'HassTurnOn', slots: [{ name: 'name', value: `lamp ${i}` }], latencyMs: i * 10, source: 'local', confidence: 0.9, stages: { nlu: i, tools: 1 } });
  const turns = turnsView(store.data, 2);
  t.deepEqual(turns.map((x) => [x.turnId, x.text, x.reply, x.channel, x.latencyMs]), [['t3', 'say 3', 'reply 3', 'mqtt', 30], ['t2', 'say 2', 'reply 2', 'web', 20]]);
  t.deepEqual(turns[0]!.stages, { nlu: 3, tools: 1 });
  t.deepEqual(turns[0]!.slots, [{ name: 'name', value: 'lamp 3' }]);
  t.is(turns[0]!.confidence, 0.9);
});

test('the log ring keeps the newest warnings and errors, with their error message, and nothing below warn', (t) => {
  const ring = new LogRing(3);
  const log = pino({ level: 'info' }, pino.multistream([{ level: 'warn', stream: ring }]));
  log.info('fine');
  log.warn({ mod: 'ota' }, 'no trusted keys');
  log.error({ err: new Error('disk full') }, 'store write failed');
  log.warn('w2');
  log.warn('w3');
  ring.write('not json');
  t.deepEqual(ring.recent().map((l) => [l.level, l.msg]), [['warn', 'w3'], ['warn', 'w2'], ['error', 'store write failed: disk full']]);
});
