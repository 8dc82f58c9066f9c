// The local store (lowdb): the endless session — messages, episodes, metrics, lists, notes,
// timers, settings — in one JSON file under the state dir, with old messages and metrics rolled
// into append-only archive segments. Owns schema versions, migrations and group commit.
import { randomUUID } from 'node:crypto';
import { rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import type { Logger } from 'pino';
import { AtomicJsonFile, StoreCorruptError } from './atomic-json-file.js';
import { Archive, type ArchiveRecord } from './archive.js';
import { freshData, migrate, STORE_SCHEMA_VERSION, type FluidCall, type KnowledgeBin, type ListItem, type Note, type StoreData, type StoredMessage, type StoredSlot, type StoredTimer } from './schema.js';

export const STORE_FILE = 'store.json';
export const ARCHIVE_DIR = 'archive';

/** A store file this build cannot read (written by a newer Wulf). */
export class StoreVersionError extends Error {
  constructor(readonly file: string, readonly found: unknown) {
    super(`${file} has schema version ${String(found)}; this build reads up to ${STORE_SCHEMA_VERSION}`);
    this.name = 'StoreVersionError';
  }
}

export interface StoreOptions {
  /** Live messages (and metrics) kept in store.json; beyond it the oldest half is archived. */
  maxLiveMessages: number;
  /** Silence after which the next turn opens a new episode. */
  episodeGapMs: number;
  maxSegmentBytes: number;
  /** Open without writing anything (export, backup, inspection while a daemon runs). */
  readOnly: boolean;
}

export const defaultStoreOptions: StoreOptions = { maxLiveMessages: 256, episodeGapMs: 30 * 60_000, maxSegmentBytes: 8 * 2 ** 20, readOnly: false };

/** One finished turn, as the assistant reports it. */
export interface TurnRecord {
  turnId: string;
  lang: string;
  channel: string;
  userText: string;
  replyText: string;
  intent: string | null;
  slots: StoredSlot[];
  latencyMs: number;
  source: string;
  confidence?: number | null;
  entropy?: number | null;
  novelty?: number | null;
  actions?: unknown[];
  stages?: Record<string, number>;
}

export interface OpenResult {
  store: MemoryStore;
  /** Where a corrupt file was moved, when it was. */
  movedAside: string | null;
  migratedFrom: number | null;
}

export class MemoryStore {
  private pending: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private writing: Promise<void> | null = null;
  private rolling: Promise<void> | null = null;
  private archiveBytes = 0;
  /** The last write's error, or null once a write succeeds again. */
  lastWriteError: unknown = null;

  constructor(
    private readonly db: Low<StoreData>,
    private readonly adapter: AtomicJsonFile<StoreData>,
    readonly archive: Archive,
    readonly file: string,
    private readonly opts: StoreOptions,
  ) {}

  /** Open (or create) the store in `stateDir`. A corrupt file is moved aside, never deleted. */
  static async open(stateDir: string, log: Logger, options: Partial<StoreOptions> = {}): Promise<OpenResult> {
    const opts = { ...defaultStoreOptions, ...options };
    const file = path.join(stateDir, STORE_FILE);
    const adapter = new AtomicJsonFile<StoreData>(file);
    const db = new Low<StoreData>(adapter, freshData());
    let movedAside: string | null = null;
    try {
      await db.read();
    } catch (err) {
      if (!(err instanceof StoreCorruptError) || opts.readOnly) throw err;
      movedAside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(file, movedAside);
      log.error({ err: err.message, movedTo: movedAside }, `STORE WAS CORRUPT: moved it aside to ${movedAside} and started a fresh store`);
      db.data = freshData();
    }
    const found = (db.data as Partial<StoreData>).schemaVersion;
    if (typeof found !== 'number' || found > STORE_SCHEMA_VERSION || found < 1) throw new StoreVersionError(file, found);
    const { data, from } = migrate(db.data as unknown as Record<string, unknown>);
    if (from !== STORE_SCHEMA_VERSION) log.info({ from, to: STORE_SCHEMA_VERSION }, 'store migrated');
    db.data = data;
    const archive = await Archive.open(path.join(stateDir, ARCHIVE_DIR), opts.maxSegmentBytes, opts.readOnly);
    const store = new MemoryStore(db, adapter, archive, file, opts);
    store.reconcileArchive();
    if (!opts.readOnly) await store.commit();
    return { store, movedAside, migratedFrom: from !== STORE_SCHEMA_VERSION ? from : null };
  }

  get data(): Readonly<StoreData> {
    return this.db.data;
  }

  /** Bytes this process wrote for the store (live file rewrites plus archive appends). */
  get bytesWritten(): number {
    return this.adapter.bytesWritten + this.archiveBytes;
  }

  /** Record one turn (input, reply, metric) and make it durable before resolving. */
  async recordTurn(turn: TurnRecord): Promise<void> {
    const d = this.db.data;
    const now = new Date();
    const ts = now.toISOString();
    const episodeId = this.episodeFor(now);
    const base = { turnId: turn.turnId, episodeId, ts, lang: turn.lang };
    const user: StoredMessage = { ...base, seq: d.nextSeq++, id: randomUUID(), role: 'user', text: turn.userText, intent: turn.intent, slots: turn.slots, latencyMs: null, source: turn.channel };
    const reply: StoredMessage = { ...base, seq: d.nextSeq++, id: randomUUID(), role: 'assistant', text: turn.replyText, intent: turn.intent, slots: [], latencyMs: turn.latencyMs, source: turn.source, ...(turn.actions?.length ? { actions: turn.actions } : {}) };
    d.messages.push(user, reply);
    d.metrics.push({ seq: d.nextSeq++, turnId: turn.turnId, ts, latencyMs: turn.latencyMs, confidence: turn.confidence ?? null, entropy: turn.entropy ?? null, novelty: turn.novelty ?? null, source: turn.source, ...(turn.stages ? { stages: turn.stages } : {}) });
    if (d.messages.length > this.opts.maxLiveMessages && !this.rolling) {
      this.rolling = this.roll().finally(() => (this.rolling = null));
    }
    await this.commit();
  }

  async setVoiceEnabled(on: boolean): Promise<void> {
    this.db.data.settings.voiceEnabled = on;
    await this.commit();
  }

  async setCloudMode(mode: 'off' | 'when_unsure' | 'always'): Promise<void> {
    this.db.data.settings.cloudMode = mode;
    await this.commit();
  }

  async addListItem(list: string, text: string): Promise<ListItem> {
    const item = { id: randomUUID(), text, addedAt: new Date().toISOString() };
    (this.db.data.lists[list] ??= []).push(item);
    await this.commit();
    return item;
  }

  /** Remove items whose text matches (case- and accent-insensitive); returns what was removed. */
  async removeListItem(list: string, text: string): Promise<ListItem[]> {
    const items = this.db.data.lists[list] ?? [];
    const key = foldText(text);
    const removed = items.filter((i) => foldText(i.text) === key);
    this.db.data.lists[list] = items.filter((i) => foldText(i.text) !== key);
    if (removed.length) await this.commit();
    return removed;
  }

  /** Remove one item by id (the console's delete button); false when it is not there. */
  async removeListItemById(list: string, id: string): Promise<boolean> {
    const items = this.db.data.lists[list];
    if (!items?.some((i) => i.id === id)) return false;
    this.db.data.lists[list] = items.filter((i) => i.id !== id);
    await this.commit();
    return true;
  }

  async addNote(text: string, embedding: number[] | null): Promise<Note> {
    const note = { id: randomUUID(), text, embedding, createdAt: new Date().toISOString() };
    this.db.data.notes.push(note);
    await this.commit();
    return note;
  }

  async removeNote(id: string): Promise<boolean> {
    const before = this.db.data.notes.length;
    this.db.data.notes = this.db.data.notes.filter((n) => n.id !== id);
    if (this.db.data.notes.length === before) return false;
    await this.commit();
    return true;
  }

  async addTimer(timer: StoredTimer): Promise<void> {
    this.db.data.timers.push(timer);
    await this.commit();
  }

  async removeTimer(id: string): Promise<boolean> {
    const before = this.db.data.timers.length;
    this.db.data.timers = this.db.data.timers.filter((t) => t.id !== id);
    if (this.db.data.timers.length === before) return false;
    await this.commit();
    return true;
  }

  /** Keep one more knowledge bin; beyond `max`, the least recently used go first. */
  async addBin(bin: KnowledgeBin, max: number): Promise<void> {
    const bins = this.db.data.bins;
    bins.push(bin);
    if (bins.length > max) {
      bins.sort((a, b) => Date.parse(a.lastUsedAt) - Date.parse(b.lastUsedAt));
      bins.splice(0, bins.length - max);
    }
    await this.commit();
  }

  /** A bin was used to answer: it is fresh again. `commit: false` leaves the write to the caller's next commit. */
  async touchBin(id: string, now: Date, opts: { commit: boolean } = { commit: true }): Promise<void> {
    const bin = this.db.data.bins.find((b) => b.id === id);
    if (!bin) return;
    bin.lastUsedAt = now.toISOString();
    bin.uses += 1;
    bin.decay = 1;
    if (opts.commit) await this.commit();
  }

  /**
   * Apply a decay sweep: new relevance for the bins kept (in memory; written with the next commit,
   * it is only a reading), removal of the rest (written now).
   */
  async sweepBins(relevance: Map<string, number>, dead: Set<string>): Promise<void> {
    for (const b of this.db.data.bins) b.decay = relevance.get(b.id) ?? b.decay;
    if (!dead.size) return;
    this.db.data.bins = this.db.data.bins.filter((b) => !dead.has(b.id));
    await this.commit();
  }

  /** Forget one knowledge bin now (the console's delete button); false when it is not there. */
  async removeBin(id: string): Promise<boolean> {
    if (!this.db.data.bins.some((b) => b.id === id)) return false;
    await this.sweepBins(new Map(), new Set([id]));
    return true;
  }

  /** Log one fluid-link request (bounded history) and count what it used against today's budget. */
  async recordFluidCall(call: FluidCall, day: string, used: { calls: number; tokens: number }): Promise<void> {
    const d = this.db.data;
    d.fluidLog.push(call);
    if (d.fluidLog.length > 500) d.fluidLog.splice(0, d.fluidLog.length - 500);
    if (d.fluidUsage.day !== day) d.fluidUsage = { day, calls: 0, tokens: 0 };
    d.fluidUsage.calls += used.calls;
    d.fluidUsage.tokens += used.tokens;
    await this.commit();
  }

  /** `/clearmemory`: forget notes and knowledge bins; keep the conversation, lists and settings. */
  async clearKnowledge(): Promise<{ notes: number; bins: number }> {
    const cleared = { notes: this.db.data.notes.length, bins: this.db.data.bins.length };
    this.db.data.notes = [];
    this.db.data.bins = [];
    await this.commit();
    return cleared;
  }

  /** Live file plus archive, in bytes. */
  async sizeBytes(): Promise<number> {
    const live = (await stat(this.file).catch(() => ({ size: 0 }))).size;
    return live + (await this.archive.sizeBytes());
  }

  /** Every message ever recorded, oldest first: archive, then live. */
  async *allMessages(): AsyncGenerator<StoredMessage> {
    const through = this.db.data.archive.throughSeq;
    for await (const r of this.archive.records()) {
      if (r.kind === 'message' && r.seq <= through) yield recordToMessage(r);
    }
    for (const m of this.db.data.messages) yield m;
  }

  /** Resolves once everything changed before this call is on disk. Concurrent calls share writes. */
  commit(): Promise<void> {
    if (this.opts.readOnly) return Promise.reject(new Error('store opened read-only'));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.kick();
    });
  }

  /** Wait for every write started or queued so far. */
  async flush(): Promise<void> {
    if (this.rolling) await this.rolling;
    while (this.writing || this.pending.length) await (this.writing ?? this.commit());
  }

  private episodeFor(now: Date): string {
    const episodes = this.db.data.episodes;
    const last = episodes.at(-1);
    if (last && now.getTime() - Date.parse(last.lastAt) < this.opts.episodeGapMs) {
      last.lastAt = now.toISOString();
      last.turns += 1;
      return last.id;
    }
    const episode = { id: randomUUID(), startedAt: now.toISOString(), lastAt: now.toISOString(), turns: 1 };
    episodes.push(episode);
    if (episodes.length > 1000) episodes.splice(0, episodes.length - 1000);
    return episode.id;
  }

  /**
   * Move the oldest half of the live messages and metrics to the archive: append (fsynced) first,
   * then drop them from the live file. A crash in between leaves them in both; reconcileArchive
   * drops the live copies at the next open, so nothing is lost or doubled.
   */
  private async roll(): Promise<void> {
    const d = this.db.data;
    const keep = Math.floor(this.opts.maxLiveMessages / 2);
    const cutSeq = d.messages[d.messages.length - keep - 1]?.seq;
    if (cutSeq === undefined) return;
    const records: ArchiveRecord[] = [
      ...d.messages.filter((m) => m.seq <= cutSeq).map((m) => ({ kind: 'message' as const, ...m })),
      ...d.metrics.filter((m) => m.seq <= cutSeq).map((m) => ({ kind: 'metric' as const, ...m })),
    ].sort((a, b) => a.seq - b.seq);
    this.archiveBytes += await this.archive.append(records);
    this.dropArchived(cutSeq);
    await this.commit();
  }

  private dropArchived(throughSeq: number): void {
    const d = this.db.data;
    d.messages = d.messages.filter((m) => m.seq > throughSeq);
    d.metrics = d.metrics.filter((m) => m.seq > throughSeq);
    d.archive.throughSeq = Math.max(d.archive.throughSeq, throughSeq);
  }

  private reconcileArchive(): void {
    if (this.archive.lastSeq > this.db.data.archive.throughSeq) this.dropArchived(this.archive.lastSeq);
  }

  private kick(): void {
    if (this.writing || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.db.write().then(
      () => {
        this.lastWriteError = null;
        for (const w of batch) w.resolve();
      },
      (err: unknown) => {
        this.lastWriteError = err;
        for (const w of batch) w.reject(err);
      },
    );
    void this.writing.finally(() => {
      this.writing = null;
      this.kick();
    });
  }
}

function recordToMessage(r: ArchiveRecord): StoredMessage {
  const { kind: _kind, ...message } = r;
  return message as unknown as StoredMessage;
}

/** Case-, accent- and space-insensitive form for matching list items and names. */
export function foldText(s: string): string {
  return s.normalize('NFKD').replace(/\p{Mn}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
