import test from 'ava';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { MemoryStore, StoreVersionError, type StoredMessage } from '../../src/memory/index.js';
import { tempDir } from '../helpers/paths.js';

const log = pino({ level: 'silent' });
const msg = (turnId: string, role: StoredMessage['role']): StoredMessage => ({ id: `${turnId}-${role}`, turnId, ts: new Date(0).toISOString(), role, text: 'x', intent: null, latencyMs: null, source: 'mqtt' });

test('a new store is created with its schema version and survives reopening', async (t) => {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log);
  await store.recordTurn(msg('t1', 'user'), msg('t1', 'assistant'));
  await store.setVoiceEnabled(true);
  const again = (await MemoryStore.open(dir, log)).store;
  t.is(again.data.schemaVersion, 1);
  t.is(again.data.messages.length, 2);
  t.true(again.data.settings.voiceEnabled);
});

test('concurrent turns share writes (group commit) and all reach the disk', async (t) => {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log);
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.recordTurn(msg(`t${i}`, 'user'), msg(`t${i}`, 'assistant'))));
  const onDisk = JSON.parse(await readFile(path.join(dir, 'store.json'), 'utf8')) as { messages: unknown[] };
  t.is(onDisk.messages.length, 400);
  t.deepEqual((await readdir(dir)).filter((f) => f.includes('.tmp-')), [], 'no temp files left behind');
});

test('a corrupt file is moved aside, never deleted', async (t) => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'store.json'), '{"schemaVersion":1,"mess');
  const { store, movedAside } = await MemoryStore.open(dir, log);
  t.truthy(movedAside);
  t.is(await readFile(movedAside!, 'utf8'), '{"schemaVersion":1,"mess');
  t.is(store.data.messages.length, 0);
});

test('a store from a newer Wulf is refused, not overwritten', async (t) => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'store.json'), '{"schemaVersion":99,"messages":[]}');
  await t.throwsAsync(MemoryStore.open(dir, log), { instanceOf: StoreVersionError });
  t.is(await readFile(path.join(dir, 'store.json'), 'utf8'), '{"schemaVersion":99,"messages":[]}');
});

test('/clearmemory semantics: notes and bins go, messages and settings stay', async (t) => {
  const { store } = await MemoryStore.open(await tempDir(), log);
  await store.recordTurn(msg('t1', 'user'), msg('t1', 'assistant'));
  (store.data.notes as unknown[]).push({ text: 'gate code 1234' });
  await store.setVoiceEnabled(true);
  t.deepEqual(await store.clearKnowledge(), { notes: 1, bins: 0 });
  t.is(store.data.notes.length, 0);
  t.is(store.data.messages.length, 2);
  t.true(store.data.settings.voiceEnabled);
});

test('a failed write rejects the commit and is remembered for the health check', async (t) => {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log);
  // Make the state dir's store path a directory: rename onto it fails.
  const { rm, mkdir } = await import('node:fs/promises');
  await rm(path.join(dir, 'store.json'));
  await mkdir(path.join(dir, 'store.json', 'blocker'), { recursive: true });
  await t.throwsAsync(store.recordTurn(msg('t1', 'user'), msg('t1', 'assistant')));
  t.truthy(store.lastWriteError);
});
