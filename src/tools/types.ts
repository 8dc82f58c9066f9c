// What a tool is: a name, an argument schema, whether it is critical, and an executor. What it
// may touch is in ToolContext; it never sees MQTT topics from input, only from config.
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { MemoryStore } from '../memory/index.js';

export type Lang = 'en' | 'fr';

export interface ToolContext {
  config: Config;
  store: MemoryStore;
  /** Queue an MQTT publish (QoS 1); topics come from config or topics.ts, never from input. */
  publish(topic: string, payload: string, opts?: { retain?: boolean }): void;
  /** Cached payload last seen on a device's state topic, by device id. */
  deviceState(deviceId: string): string | null;
  timers: TimerScheduler;
  /** Embedding of a text by the NLU model, when one is loaded. */
  embed(text: string): Promise<number[] | null>;
  lang: Lang;
  log: Logger;
  now(): number;
}

export interface TimerScheduler {
  startTimer(opts: { name: string | null; durationMs: number; lang: Lang }): Promise<{ id: string; dueAt: number }>;
  cancel(match: { name?: string | null }): Promise<number>;
  pending(): Array<{ id: string; name: string | null; dueAt: number }>;
}

/** What a tool reports: what to say, in both languages, and what it did. */
export interface ToolResult {
  ok: boolean;
  say: Record<Lang, string>;
  /** What was done, for the reply's `actions` (topic + payload for device commands). */
  effects?: Array<Record<string, unknown>>;
  data?: Record<string, unknown>;
}

export interface Tool<A = unknown> {
  name: string;
  description: string;
  args: z.ZodType<A>;
  /** Critical tools need a yes first; may depend on the arguments (a critical device). */
  isCritical?(args: A, ctx: ToolContext): boolean;
  run(args: A, ctx: ToolContext): Promise<ToolResult>;
}

/** A call refused before it ran: not allow-listed, bad arguments, unknown tool. */
export class ToolRefusal extends Error {
  constructor(message: string, readonly code: 'not_allowed' | 'unknown_tool' | 'bad_args') {
    super(message);
    this.name = 'ToolRefusal';
  }
}

/** Tools are stored as Tool<unknown>; each validates its own arguments before run. */
export function defineTool<A>(tool: Tool<A>): Tool<unknown> {
  return tool as unknown as Tool<unknown>;
}

/** One of several wordings, the same index in every language (so en and fr say the same thing). */
export function pickVariant(variants: Record<Lang, string[]>, random: () => number = Math.random): Record<Lang, string> {
  const i = Math.floor(random() * variants.en.length);
  return { en: variants.en[i]!, fr: variants.fr[i] ?? variants.fr[0]! };
}
