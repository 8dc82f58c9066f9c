// One turn: input text → (slash command | understanding) → reply, recorded in memory before the
// reply leaves. Until the NLU lands, natural language gets an honest "not yet" with intent null.
import type { MemoryStore } from '../memory/index.js';
import type { InputError, ReplyPayload } from '../mqtt/index.js';
import { formatDuration, replies, type Lang } from './replies.js';

export interface TurnInput {
  id: string;
  text: string;
  lang: Lang;
  channel: 'mqtt' | 'cli';
}

export type TurnResult = { ok: true; reply: ReplyPayload } | { ok: false; error: InputError };

/** What `/status` reports, gathered by the daemon (which alone sees every part). */
export interface StatusSnapshot {
  deviceId: string;
  version: string;
  uptimeS: number;
  mqtt: { state: string; url: string; protocolVersion: number; embeddedBroker: boolean };
  memory: { messages: number; bytes: number; file: string };
  models: Array<{ name: string; version: string }>;
  voice: { enabled: boolean; available: boolean };
  rssBytes: number;
  node: string;
}

type Handled = { text: string; intent: string | null; data?: Record<string, unknown> } | InputError;

export class Assistant {
  constructor(
    private readonly store: MemoryStore,
    private readonly status: () => Promise<StatusSnapshot>,
  ) {}

  async handle(input: TurnInput): Promise<TurnResult> {
    const started = performance.now();
    const handled = input.text.startsWith('/') ? await this.slash(input) : { text: replies.notUnderstood[input.lang], intent: null };
    if ('code' in handled) return { ok: false, error: { ...handled, id: input.id } };
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const reply: ReplyPayload = {
      id: input.id,
      text: handled.text,
      intent: handled.intent,
      slots: {},
      actions: [],
      source: 'local',
      latency_ms: latencyMs,
      ...(handled.data ? { data: handled.data } : {}),
    };
    // What the user is told must be on disk before the reply goes out (ARCHITECTURE: Memory).
    await this.store.recordTurn({ turnId: input.id, lang: input.lang, channel: input.channel, userText: input.text, replyText: reply.text, intent: reply.intent, slots: [], latencyMs, source: reply.source });
    return { ok: true, reply };
  }

  private async slash(input: TurnInput): Promise<Handled> {
    const cmd = input.text.split(/\s+/)[0]!.toLowerCase();
    const lang = input.lang;
    switch (cmd) {
      case '/help':
        return { text: replies.help[lang], intent: 'WulfHelp' };
      case '/status': {
        const s = await this.status();
        const line = {
          uptime: formatDuration(s.uptimeS),
          mqtt: s.mqtt.state,
          messages: s.memory.messages,
          storeKiB: Math.round(s.memory.bytes / 1024),
          models: s.models.length ? s.models.map((m) => `${m.name} ${m.version}`).join(', ') : 'none',
          rssMiB: Math.round(s.rssBytes / 2 ** 20),
        };
        return { text: replies.status[lang](line), intent: 'WulfStatus', data: { ...s } };
      }
      case '/clearmemory': {
        const cleared = await this.store.clearKnowledge();
        return { text: replies.cleared[lang](cleared.notes, cleared.bins), intent: 'WulfClearMemory', data: cleared };
      }
      case '/voiceon':
        await this.store.setVoiceEnabled(true);
        return { text: replies.voiceOn[lang], intent: 'WulfVoiceOn' };
      case '/voiceoff':
        await this.store.setVoiceEnabled(false);
        return { text: replies.voiceOff[lang], intent: 'WulfVoiceOff' };
      default:
        return { code: 'unknown_command', message: replies.unknownCommand[lang](cmd.slice(0, 64)) };
    }
  }
}
