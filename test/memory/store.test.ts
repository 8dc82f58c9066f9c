import test from 'ava';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { MemoryStore, StoreVersionError, type TurnRecord } from '../../src/memory/index.js';
import { tempDir } from '../helpers/paths.js';

const log = pino({ level: 'silent' });
const turn = (turnId: string): TurnRecord => ({ turnId, lang: 'en', channel: 'mqtt', userText: `ask ${turnId}`, replyText: `reply ${turnId}`, intent: null, slots: [], latencyMs: 1, source: 'local' });

test('a new store is created with its schema version and survives reopening', async (t) => {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log);
  await store.recordTurn(turn('t1'));
  await store.setVoiceEnabled(true);
  const again = (await MemoryStore.open(dir, log)).store;
  t.is(again.data.schemaVersion, 3);
  t.is(again.data.messages.length, 2);
  t.true(again.data.settings.voiceEnabled);
});

test('concurrent turns share writes (group commit) and all reach the disk', async (t) => {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log, { maxLiveMessages: 1000 });
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.recordTurn(turn(`t${i}`))));
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
  await store.recordTurn(turn('t1'));
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
  await t.throwsAsync(store.recordTurn(turn('t1')));
  t.truthy(store.lastWriteError);
});

test('a v1 store is migrated to the current version: messages get sequence numbers, new collections appear', async (t) => {
  const dir = await tempDir();
  const v1 = {
    schemaVersion: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    messages: [
      { id: 'a', turnId: 't', ts: '2026-01-01T00:00:00.000Z', role: 'user', text: 'hello', intent: null, latencyMs: null, source: 'mqtt' },
      { id: 'b', turnId: 't', ts: '2026-01-01T00:00:00.000Z', role: 'assistant', text: 'hi', intent: null, latencyMs: 1, source: 'local' },
    ],
    notes: [],
    bins: [],
    settings: { voiceEnabled: true },
  };
  await writeFile(path.join(dir, 'store.json'), JSON.stringify(v1));
  const { store, migratedFrom } = await MemoryStore.open(dir, log);
  t.is(migratedFrom, 1);
  t.is(store.data.schemaVersion, 3);
  t.deepEqual(store.data.messages.map((m) => m.seq), [1, 2]);
  t.is(store.data.nextSeq, 3);
  t.true(store.data.settings.voiceEnabled);
  t.deepEqual(store.data.lists, { shopping: [], todo: [] });
  t.deepEqual(store.data.fluidLog, []);
  t.deepEqual(store.data.fluidUsage, { day: '', calls: 0, tokens: 0 });
  const onDisk = JSON.parse(await readFile(path.join(dir, 'store.json'), 'utf8')) as { schemaVersion: number };
  t.is(onDisk.schemaVersion, 3, 'the migration is written back');
});

test('a v2 store gains the fluid link collections; its settings and notes are kept', async (t) => {
  const dir = await tempDir();
  const { store: first } = await MemoryStore.open(dir, log);
  await first.addNote('the gate code is 4321', null);
  await first.setCloudMode('always');
  await first.flush();
  const onDisk = JSON.parse(await readFile(path.join(dir, 'store.json'), 'utf8')) as Record<string, unknown>;
  const v2: Record<string, unknown> = { ...onDisk, schemaVersion: 2, bins: [] };
  delete v2.fluidLog;
  delete v2.fluidUsage;
  await writeFile(path.join(dir, 'store.json'), JSON.stringify(v2));
  const { store, migratedFrom } = await MemoryStore.open(dir, log);
  t.is(migratedFrom, 2);
  t.is(store.data.notes[0]!.text, 'the gate code is 4321');
  t.is(store.data.settings.cloudMode, 'always');
  t.deepEqual(store.data.bins, []);
  t.deepEqual(store.data.fluidUsage, { day: '', calls: 0, tokens: 0 });
});

test('old messages roll into archive segments: the live file stays bounded and nothing is lost', async (t) => {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log, { maxLiveMessages: 50 });
  for (let i = 0; i < 300; i++) await store.recordTurn(turn(`t${i}`));
  await store.flush();
  t.true(store.data.messages.length <= 52, `live messages: ${store.data.messages.length}`);
  t.true(store.archive.segments.length >= 1);
  const reopened = (await MemoryStore.open(dir, log, { maxLiveMessages: 50 })).store;
  const all: string[] = [];
  for await (const m of reopened.allMessages()) all.push(`${m.role}:${m.turnId}`);
  t.is(all.length, 600);
  t.deepEqual(all.slice(0, 2), ['user:t0', 'assistant:t0']);
  t.deepEqual(all.slice(-2), ['user:t299', 'assistant:t299']);
});

test('a crash between the archive append and the live write neither loses nor doubles messages', async (t) => {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log);
  for (let i = 0; i < 10; i++) await store.recordTurn(turn(`t${i}`));
  // Simulate the crash: the oldest 6 messages reached the archive, the live file still has them.
  const first = store.data.messages.slice(0, 6).map((m) => ({ kind: 'message' as const, ...m }));
  await store.archive.append(first);
  const reopened = (await MemoryStore.open(dir, log)).store;
  const seqs: number[] = [];
  for await (const m of reopened.allMessages()) seqs.push(m.seq);
  t.is(seqs.length, 20);
  t.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  t.is(new Set(seqs).size, 20);
});

test('a torn last archive line (power cut mid-append) is cut off at open', async (t) => {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log, { maxLiveMessages: 10 });
  for (let i = 0; i < 30; i++) await store.recordTurn(turn(`t${i}`));
  await store.flush();
  const seg = path.join(dir, 'archive', store.archive.segments.at(-1)!);
  const { appendFile } = await import('node:fs/promises');
  await appendFile(seg, '{"kind":"message","seq":99999,"te');
  const reopened = (await MemoryStore.open(dir, log, { maxLiveMessages: 10 })).store;
  let count = 0;
  for await (const _m of reopened.allMessages()) count++;
  t.is(count, 60);
  t.true((await readFile(seg, 'utf8')).endsWith('\n'));
});

test('lists, notes and timers persist across reopen', async (t) => {
  const dir = await tempDir();
  const { store } = await MemoryStore.open(dir, log);
  await store.addListItem('shopping', 'lait');
  await store.addListItem('shopping', 'Pain');
  t.is((await store.removeListItem('shopping', 'PAIN')).length, 1);
  await store.addNote('the gate code is 4521', [0.1, 0.2]);
  await store.addTimer({ id: 'x', name: 'pasta', durationMs: 60_000, dueAt: Date.now() + 60_000, createdAt: new Date().toISOString(), lang: 'en' });
  const again = (await MemoryStore.open(dir, log)).store;
  t.deepEqual(again.data.lists.shopping!.map((i) => i.text), ['lait']);
  t.is(again.data.notes[0]!.text, 'the gate code is 4521');
  t.is(again.data.timers[0]!.name, 'pasta');
});

test('a new episode opens after the configured silence', async (t) => {
  const { store } = await MemoryStore.open(await tempDir(), log, { episodeGapMs: 1000 });
  await store.recordTurn(turn('a'));
  await store.recordTurn(turn('b'));
  await new Promise((r) => setTimeout(r, 1100));
  await store.recordTurn(turn('c'));
  t.is(store.data.episodes.length, 2);
  t.is(store.data.episodes[0]!.turns, 2);
  t.not(store.data.messages[0]!.episodeId, store.data.messages.at(-1)!.episodeId);
});
