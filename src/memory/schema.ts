// The store's data shapes, its schema version, and the migrations from older versions.
// A migration is a pure function from version N's data to N+1's; nothing here does I/O.

export const STORE_SCHEMA_VERSION = 2;

export interface StoredSlot {
  name: string;
  value: unknown;
  raw?: string;
  start?: number;
  end?: number;
}

export interface StoredMessage {
  seq: number;
  id: string;
  turnId: string;
  episodeId: string;
  ts: string;
  role: 'user' | 'assistant';
  text: string;
  lang: string | null;
  intent: string | null;
  slots: StoredSlot[];
  latencyMs: number | null;
  /** Where the input came from (mqtt, cli, voice) or the answer (local, memory, model, cloud). */
  source: string;
  /** On Wulf's replies: what the tools did (device commands, list items…), or refused. */
  actions?: unknown[];
}

export interface TurnMetric {
  seq: number;
  turnId: string;
  ts: string;
  latencyMs: number;
  confidence: number | null;
  /** Entropy (nats) of the intent distribution; null without a model. */
  entropy: number | null;
  /** Distance to the nearest remembered note; null when there is none. */
  novelty: number | null;
  source: string;
  /** Milliseconds per stage of the turn (nlu, tools). */
  stages?: Record<string, number>;
}

export interface Episode {
  id: string;
  startedAt: string;
  lastAt: string;
  turns: number;
}

export interface ListItem {
  id: string;
  text: string;
  addedAt: string;
}

export interface Note {
  id: string;
  text: string;
  /** The NLU model's sentence embedding, for recall by meaning. */
  embedding: number[] | null;
  createdAt: string;
}

export interface StoredTimer {
  id: string;
  name: string | null;
  durationMs: number;
  /** Epoch ms when it rings. */
  dueAt: number;
  createdAt: string;
  lang: string;
}

export interface StoreData {
  schemaVersion: number;
  createdAt: string;
  nextSeq: number;
  messages: StoredMessage[];
  metrics: TurnMetric[];
  episodes: Episode[];
  bins: unknown[];
  notes: Note[];
  snapshots: unknown[];
  lists: Record<string, ListItem[]>;
  timers: StoredTimer[];
  settings: { voiceEnabled: boolean; cloudMode?: 'off' | 'when_unsure' | 'always' };
  /** Everything with seq ≤ throughSeq lives in the archive segments, not here. */
  archive: { throughSeq: number };
}

export function freshData(): StoreData {
  return {
    schemaVersion: STORE_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    nextSeq: 1,
    messages: [],
    metrics: [],
    episodes: [],
    bins: [],
    notes: [],
    snapshots: [],
    lists: { shopping: [], todo: [] },
    timers: [],
    settings: { voiceEnabled: false },
    archive: { throughSeq: 0 },
  };
}

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/** migrations[n] takes version n+1 to n+2. */
const migrations: Migration[] = [
  // v1 → v2: sequence numbers and episodes on messages; metrics, lists, timers, archive.
  (v1) => {
    const old = (v1.messages as Array<Record<string, unknown> & { ts: string }> | undefined) ?? [];
    const messages = old.map((m, i) => ({ lang: null, slots: [], episodeId: 'v1', ...m, seq: i + 1 }));
    const base = freshData();
    return {
      ...base,
      ...v1,
      schemaVersion: 2,
      nextSeq: messages.length + 1,
      messages,
      episodes: messages.length ? [{ id: 'v1', startedAt: messages[0]!.ts, lastAt: messages.at(-1)!.ts, turns: Math.ceil(messages.length / 2) }] : [],
      settings: { ...base.settings, ...(v1.settings as object | undefined) },
    };
  },
];

/** Bring data of any older version up to STORE_SCHEMA_VERSION. */
export function migrate(data: Record<string, unknown>): { data: StoreData; from: number } {
  const from = data.schemaVersion as number;
  let current = data;
  for (let v = from; v < STORE_SCHEMA_VERSION; v++) current = migrations[v - 1]!(current);
  return { data: current as unknown as StoreData, from };
}
