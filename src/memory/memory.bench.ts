// Benchmark: the store's write cost per turn as history grows (1 k, 100 k, 1 M messages).
// The reference is the 1 k figure measured in the same run; the goal is 1 M within 2× of it.
import { mkdtemp, open, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { MemoryStore, defaultStoreOptions } from './store.js';
import { freshData, type StoredMessage } from './schema.js';

const TURNS = 300;

function message(seq: number): StoredMessage {
  const role = seq % 2 ? 'user' : 'assistant';
  return { seq, id: `m${seq}`, turnId: `t${Math.ceil(seq / 2)}`, episodeId: 'e', ts: new Date(1_700_000_000_000 + seq * 1000).toISOString(), role, text: role === 'user' ? 'allume la lumière du salon' : 'J’ai allumé la lumière du salon.', lang: 'fr', intent: 'HassTurnOn', slots: [], latencyMs: 1, source: 'mqtt' };
}

/** A state dir holding `history` messages: all but the live window already in the archive. */
async function makeHistory(dir: string, history: number): Promise<void> {
  const live = Math.min(history, defaultStoreOptions.maxLiveMessages);
  const archived = history - live;
  await mkdir(path.join(dir, 'archive'), { recursive: true });
  const fh = await open(path.join(dir, 'archive', 'segment-000001.jsonl'), 'w');
  let chunk: string[] = [];
  for (let seq = 1; seq <= archived; seq++) {
    chunk.push(JSON.stringify({ kind: 'message', ...message(seq) }));
    if (chunk.length === 10_000 || seq === archived) {
      await fh.write(chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  await fh.close();
  const data = { ...freshData(), nextSeq: history + 1, archive: { throughSeq: archived }, messages: Array.from({ length: live }, (_, i) => message(archived + i + 1)) };
  await writeFile(path.join(dir, 'store.json'), JSON.stringify(data));
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export async function run(args: string[]): Promise<void> {
  const asJson = args.includes('--json');
  const log = pino({ level: 'silent' });
  const rows: Array<{ history: number; p50Ms: number; p90Ms: number; bytesPerTurn: number; liveFileKiB: number }> = [];
  for (const history of [1_000, 100_000, 1_000_000]) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wulf-bench-memory-'));
    await makeHistory(dir, history);
    const { store } = await MemoryStore.open(dir, log);
    const before = store.bytesWritten;
    const times: number[] = [];
    for (let i = 0; i < TURNS; i++) {
      const t0 = performance.now();
      await store.recordTurn({ turnId: `b${i}`, lang: 'fr', channel: 'mqtt', userText: 'ajoute du lait à la liste', replyText: 'J’ai ajouté du lait.', intent: 'HassShoppingListAddItem', slots: [], latencyMs: 1, source: 'local' });
      times.push(performance.now() - t0);
    }
    await store.flush();
    const sorted = [...times].sort((a, b) => a - b);
    rows.push({ history, p50Ms: pct(sorted, 0.5), p90Ms: pct(sorted, 0.9), bytesPerTurn: Math.round((store.bytesWritten - before) / TURNS), liveFileKiB: Math.round((await store.sizeBytes() - (await store.archive.sizeBytes())) / 1024) });
    await rm(dir, { recursive: true, force: true });
  }
  const ref = rows[0]!;
  const result = rows.map((r) => ({ ...r, p50Ratio: r.p50Ms / ref.p50Ms, bytesRatio: r.bytesPerTurn / ref.bytesPerTurn }));
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ suite: 'memory', turns: TURNS, reference: '1k history', rows: result })}\n`);
    return;
  }
  process.stdout.write(`memory: write cost per turn (${TURNS} turns, fsync on each commit), reference = 1k history\n`);
  process.stdout.write('history      p50 ms   p90 ms   bytes/turn  live KiB  p50 vs 1k  bytes vs 1k\n');
  for (const r of result) {
    process.stdout.write(`${String(r.history).padStart(9)}  ${r.p50Ms.toFixed(2).padStart(7)}  ${r.p90Ms.toFixed(2).padStart(7)}  ${String(r.bytesPerTurn).padStart(10)}  ${String(r.liveFileKiB).padStart(8)}  ${r.p50Ratio.toFixed(2).padStart(8)}×  ${r.bytesRatio.toFixed(2).padStart(10)}×\n`);
  }
}
