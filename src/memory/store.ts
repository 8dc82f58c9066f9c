// The local store (lowdb): the endless session's messages, settings and knowledge, in one JSON
// file under the state dir. Owns the schema version and group commit; knows nothing of MQTT.
import { rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import type { Logger } from 'pino';
import { AtomicJsonFile, StoreCorruptError } from './atomic-json-file.js';

export const STORE_SCHEMA_VERSION = 1;
export const STORE_FILE = 'store.json';

export interface StoredMessage {
  id: string;
  turnId: string;
  ts: string;
  role: 'user' | 'assistant';
  text: string;
  intent: string | null;
  latencyMs: number | null;
  source: string;
}

export interface StoreData {
  schemaVersion: number;
  createdAt: string;
  messages: StoredMessage[];
  notes: unknown[];
  bins: unknown[];
  settings: { voiceEnabled: boolean };
}

/** A store file this build cannot read (written by a newer Wulf). */
export class StoreVersionError extends Error {
  constructor(readonly file: string, readonly found: unknown) {
    super(`${file} has schema version ${String(found)}; this build reads up to ${STORE_SCHEMA_VERSION}`);
    this.name = 'StoreVersionError';
  }
}

function freshData(): StoreData {
  return { schemaVersion: STORE_SCHEMA_VERSION, createdAt: new Date().toISOString(), messages: [], notes: [], bins: [], settings: { voiceEnabled: false } };
}

export interface OpenResult {
  store: MemoryStore;
  /** Where a corrupt file was moved, when it was. */
  movedAside: string | null;
}

export class MemoryStore {
  private pending: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private writing: Promise<void> | null = null;
  /** The last write's error, or null once a write succeeds again. */
  lastWriteError: unknown = null;

  constructor(private readonly db: Low<StoreData>, private readonly adapter: AtomicJsonFile<StoreData>, readonly file: string) {}

  /** Open (or create) the store in `stateDir`. A corrupt file is moved aside, never deleted. */
  static async open(stateDir: string, log: Logger): Promise<OpenResult> {
    const file = path.join(stateDir, STORE_FILE);
    const adapter = new AtomicJsonFile<StoreData>(file);
    const db = new Low<StoreData>(adapter, freshData());
    let movedAside: string | null = null;
    try {
      await db.read();
    } catch (err) {
      if (!(err instanceof StoreCorruptError)) throw err;
      movedAside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(file, movedAside);
      log.error({ err: err.message, movedTo: movedAside }, `STORE WAS CORRUPT: moved it aside to ${movedAside} and started a fresh store`);
      db.data = freshData();
    }
    const found = (db.data as Partial<StoreData>).schemaVersion;
    if (typeof found !== 'number' || found > STORE_SCHEMA_VERSION) throw new StoreVersionError(file, found);
    db.data = { ...freshData(), ...db.data, settings: { ...freshData().settings, ...db.data.settings } };
    const store = new MemoryStore(db, adapter, file);
    await store.commit();
    return { store, movedAside };
  }

  get data(): Readonly<StoreData> {
    return this.db.data;
  }

  /** Record one turn (the user's input and Wulf's reply) and make it durable. */
  async recordTurn(user: StoredMessage, assistant: StoredMessage): Promise<void> {
    this.db.data.messages.push(user, assistant);
    await this.commit();
  }

  async setVoiceEnabled(on: boolean): Promise<void> {
    this.db.data.settings.voiceEnabled = on;
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

  async sizeBytes(): Promise<number> {
    return (await stat(this.file).catch(() => ({ size: 0 }))).size;
  }

  /** Resolves once everything changed before this call is on disk. Concurrent calls share writes. */
  commit(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.kick();
    });
  }

  /** Wait for every write started or queued so far. */
  async flush(): Promise<void> {
    while (this.writing || this.pending.length) await (this.writing ?? this.commit());
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
