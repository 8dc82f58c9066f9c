// What the console needs from the daemon. The daemon implements it with the modules the MQTT path
// and the CLI use (turn queue + assistant, the store, the timer service, the OTA agent): the console
// adds no logic of its own.
import type { InputError, ReplyPayload } from '../mqtt/index.js';
import type { MemoryView, ModelsView, TurnView } from './api-types.js';

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

export type { MemoryView, ModelView, ModelsView, SlotView, TurnView } from './api-types.js';
