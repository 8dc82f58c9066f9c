// The JSON the console's API returns, shared by the server (types.ts, views.ts) and the page
// (app/main.ts). No imports: the page is type-checked with the DOM library only.

export interface MemoryView {
  query: string;
  notes: Array<{ id: string; text: string; createdAt: string }>;
  lists: Array<{ name: string; items: Array<{ id: string; text: string; addedAt: string }> }>;
  timers: Array<{ id: string; name: string | null; durationMs: number; dueAt: string }>;
  bins: Array<{ id: string; topic: string; question: string; answer: string; source: string; createdAt: string; lastUsedAt: string; uses: number; decay: number }>;
}

export interface TurnView {
  turnId: string;
  ts: string;
  channel: string;
  lang: string | null;
  text: string;
  reply: string;
  intent: string | null;
  slots: Array<{ name: string; value: unknown }>;
  actions: unknown[];
  source: string;
  latencyMs: number | null;
  confidence: number | null;
  stages: Record<string, number>;
}

export interface SlotView {
  version: number;
  bundleId: string;
}

export interface ModelView {
  name: string;
  kind: string;
  /** Where the running file came from. */
  origin: 'ota' | 'shipped' | 'config';
  version: string;
  file: string | null;
  inService: boolean;
  slots: { active: ({ slot: 'a' | 'b' } & SlotView) | null; previous: ({ slot: 'a' | 'b' } & SlotView) | null } | null;
  probation: { slot: 'a' | 'b'; version: number; since: string } | null;
  last: { result: string; version: number | null; reason: string | null; at: string } | null;
  canRollback: boolean;
  provenance: { recipe: string | null; dataHash: string | null; parentVersion: number | null; createdAt: string | null; commands: string[] } | null;
  metrics: Record<string, unknown> | null;
}

export interface ModelsView {
  otaEnabled: boolean;
  models: ModelView[];
}
