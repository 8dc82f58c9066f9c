// The store's data shapes, its schema version, and the migrations from older versions.
// A migration is a pure function from version N's data to N+1's; nothing here does I/O.

export const STORE_SCHEMA_VERSION = 3;

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

/** A knowledge bin (fluid link): one answer borrowed from the cloud, fading with age and disuse. */
export interface KnowledgeBin {
  id: string;
  /** Keywords of the question, for people reading `wulf fluid bins`. */
  topic: string;
  question: string;
  answer: string;
  lang: string;
  /** The NLU model's sentence embedding of the question, when a model was loaded. */
  embedding: number[] | null;
  /** The provider that answered. */
  source: string;
  createdAt: string;
  lastUsedAt: string;
  uses: number;
  /** Relevance at the last sweep or use, 1 when fresh; below the drop threshold the bin is removed. */
  decay: number;
}

/** One request the fluid link made (or declined): what left the board, to whom, and what came back. */
export interface FluidCall {
  ts: string;
  turnId: string;
  /** Why the cloud was considered: an open question, an unsure parse, small talk. */
  reason: string;
  /** The text that was sent (the question only, never the memory); null when nothing was sent. */
  sent: string | null;
  provider: string | null;
  outcome: 'cloud' | 'bin' | 'offline' | 'budget' | 'failed' | 'off';
  tokens: number;
  latencyMs: number;
  binId?: string;
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
  bins: KnowledgeBin[];
  notes: Note[];
  snapshots: unknown[];
  lists: Record<string, ListItem[]>;
  timers: StoredTimer[];
  settings: { voiceEnabled: boolean; cloudMode?: 'off' | 'when_unsure' | 'always' };
  /** The fluid link's requests, newest last (bounded), for `wulf fluid log`. */
  fluidLog: FluidCall[];
  /** Cloud use today (local date), against the daily budget. */
  fluidUsage: { day: string; calls: number; tokens: number };
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
    fluidLog: [],
    fluidUsage: { day: '', calls: 0, tokens: 0 },
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
  // v2 → v3: typed knowledge bins (v2 never wrote any), the fluid link's log and daily usage.
  (v2) => ({ ...v2, schemaVersion: 3, bins: [], fluidLog: [], fluidUsage: { day: '', calls: 0, tokens: 0 } }),
];

/** Bring data of any older version up to STORE_SCHEMA_VERSION. */
export function migrate(data: Record<string, unknown>): { data: StoreData; from: number } {
  const from = data.schemaVersion as number;
  let current = data;
  for (let v = from; v < STORE_SCHEMA_VERSION; v++) current = migrations[v - 1]!(current);
  return { data: current as unknown as StoreData, from };
}
