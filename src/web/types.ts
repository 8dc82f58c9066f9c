// What the console needs from the daemon. The daemon implements it with the modules the MQTT path
// and the CLI use (turn queue + assistant, the store, the timer service, the OTA agent): the console
// adds no logic of its own.
import type { InputError, ReplyPayload } from '../mqtt/index.js';

export type ConsoleEvent =
  | { type: 'turn'; turn: TurnView }
  | { type: 'partial'; id: string; seq: number; delta: string }
  | { type: 'memory' }
  | { type: 'models' };

export type Forget = { kind: 'notes' | 'timers' | 'bins'; id: string } | { kind: 'lists'; list: string; id: string };

export interface ConsoleDeps {
  status(): Promise<unknown>;
  /** One turn through the daemon's queue, exactly like an MQTT ask; partial replies as they come. */
  ask(input: { id: string; text: string; lang?: 'en' | 'fr' }, onPartial: (delta: string) => void): Promise<{ ok: true; reply: ReplyPayload } | { ok: false; error: InputError }>;
  memory(query: string): MemoryView;
  forget(what: Forget): Promise<boolean>;
  exportMemory(): unknown;
  models(): Promise<ModelsView>;
  rollback(name: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  turns(limit: number): TurnView[];
  onEvent(listener: (e: ConsoleEvent) => void): () => void;
}

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
