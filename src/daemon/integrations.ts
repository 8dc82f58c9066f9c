// Home Assistant and Hermes on the broker: discovery announcements, the command entities (text,
// voice switch, cloud select), last-turn state topics, intent events, Hermes NLU and TTS.
// Every inbound payload is checked here; garbage is logged and ignored, never thrown.
import type { Logger } from 'pino';
import { isLoopbackHost, type Config } from '../config/index.js';
import type { MemoryStore } from '../memory/index.js';
import {
  CLOUD_MODES,
  discoveryMessages,
  intentEventPayload,
  intentNotRecognizedPayload,
  nluIntentPayload,
  parseNluQuery,
  parseTtsSay,
  type CloudMode,
  type InboundMessage,
  type MqttLink,
  type ReplyPayload,
  type SharedTopics,
  type Topics,
  type TtsSay,
} from '../mqtt/index.js';
import type { Understander } from '../nlu/index.js';

export interface IntegrationDeps {
  config: Config;
  link: MqttLink;
  topics: Topics;
  shared: SharedTopics;
  store: MemoryStore;
  version: string;
  eventTypes: string[];
  understander: () => Understander | null;
  models: () => Array<{ name: string; version: string }>;
  /** Run a turn from the text entity; the reply reaches lastReply through `afterTurn`. */
  runText: (text: string) => Promise<void>;
  /** Speak a Hermes tts/say (when voice is on) and answer sayFinished. */
  say: (s: TtsSay) => void;
  log: Logger;
}

const MAX_TEXT_BYTES = 1024;

export class Integrations {
  constructor(private readonly d: IntegrationDeps) {}

  /** Topics to subscribe to, beside the ask topic (needed before the link exists). */
  static subscriptionsFor(config: Config, t: Topics, shared: SharedTopics): string[] {
    const subs = [t.textCommand, t.voiceSet, t.cloudSet, t.updateInstall];
    if (config.homeAssistant.discovery) subs.push(shared.haStatus);
    if (config.hermes.enabled) subs.push(shared.hermesNluQuery, shared.hermesTtsSay);
    return subs;
  }

  /** After every (re)connect and on Home Assistant's birth message: configs and current states. */
  announce(): void {
    const { config, link, topics } = this.d;
    if (config.homeAssistant.discovery) {
      for (const m of this.discovery()) link.send(m.topic, JSON.stringify(m.payload), { retain: true });
    }
    link.send(topics.voiceState, this.d.store.data.settings.voiceEnabled ? 'ON' : 'OFF', { retain: true });
    link.send(topics.cloudState, this.d.store.data.settings.cloudMode ?? this.d.config.fluid.mode, { retain: true });
    const models = this.d.models();
    const installed = models.map((m) => `${m.name} ${m.version}`).join(', ') || 'none';
    link.send(topics.updateState, JSON.stringify({ installed_version: installed, latest_version: installed, title: 'Wulf models', release_summary: models.length ? null : 'No model installed yet' }), { retain: true });
    for (const m of models) link.send(topics.modelVersion(m.name), m.version, { retain: true });
  }

  discovery() {
    const { config } = this.d;
    return discoveryMessages({ deviceId: config.deviceId, deviceName: config.homeAssistant.deviceName ?? `Wulf ${config.deviceId}`, swVersion: this.d.version, topics: this.d.topics, shared: this.d.shared, eventTypes: this.d.eventTypes, models: this.d.models(), ...(consoleUrl(config) ? { configurationUrl: consoleUrl(config)! } : {}) });
  }

  /** Publish what a finished turn changed: last transcript/intent/reply, intent events. */
  afterTurn(text: string, reply: ReplyPayload): void {
    const { link, topics } = this.d;
    link.send(topics.lastTranscript, text.slice(0, 255), { retain: true });
    link.send(topics.lastReply, reply.text.slice(0, 255), { retain: true });
    link.send(topics.lastIntent, JSON.stringify({ intent: reply.intent ?? 'none', slots: reply.slots, id: reply.id }), { retain: true });
    // /voiceon, /voiceoff and the spoken intents change the setting behind Home Assistant's switch.
    if (reply.intent === 'WulfVoiceOn' || reply.intent === 'WulfVoiceOff') link.send(topics.voiceState, this.d.store.data.settings.voiceEnabled ? 'ON' : 'OFF', { retain: true });
    if (reply.intent) {
      link.send(topics.intentEvent, intentEventPayload(reply.intent, reply.slots, text));
      link.send(topics.intent(reply.intent), JSON.stringify({ id: reply.id, text, intent: reply.intent, slots: reply.slots, actions: reply.actions }));
    }
  }

  /** Handle a message on one of our topics; false when the topic is not ours. */
  async handle(msg: InboundMessage): Promise<boolean> {
    const { topics, shared } = this.d;
    switch (msg.topic) {
      case shared.haStatus:
        if (msg.payload.toString() === 'online') this.announce();
        else if (msg.payload.toString() !== 'offline') this.ignore(msg, 'expected "online" or "offline"');
        return true;
      case topics.textCommand:
        await this.onText(msg);
        return true;
      case topics.voiceSet:
        await this.onVoice(msg);
        return true;
      case topics.cloudSet:
        await this.onCloud(msg);
        return true;
      case topics.updateInstall:
        // TODO(#8): wire to the OTA agent.
        this.ignore(msg, 'model updates arrive with OTA (not in this build)');
        return true;
      case shared.hermesNluQuery:
        await this.onNluQuery(msg);
        return true;
      case shared.hermesTtsSay:
        this.onTtsSay(msg);
        return true;
      default:
        return false;
    }
  }

  private async onText(msg: InboundMessage): Promise<void> {
    const text = decode(msg.payload, MAX_TEXT_BYTES);
    if (text === null) return this.ignore(msg, `not UTF-8 text of 1..${MAX_TEXT_BYTES} bytes`);
    await this.d.runText(text);
  }

  private async onVoice(msg: InboundMessage): Promise<void> {
    const v = msg.payload.toString().trim().toUpperCase();
    if (v !== 'ON' && v !== 'OFF') return this.ignore(msg, 'expected ON or OFF');
    await this.d.store.setVoiceEnabled(v === 'ON');
    this.d.link.send(this.d.topics.voiceState, v, { retain: true });
  }

  private async onCloud(msg: InboundMessage): Promise<void> {
    const v = msg.payload.toString().trim() as CloudMode;
    if (!CLOUD_MODES.includes(v)) return this.ignore(msg, `expected one of ${CLOUD_MODES.join(', ')}`);
    await this.d.store.setCloudMode(v);
    this.d.link.send(this.d.topics.cloudState, v, { retain: true });
  }

  private siteIds(): string[] {
    return this.d.config.hermes.siteIds ?? ['default', this.d.config.deviceId];
  }

  private async onNluQuery(msg: InboundMessage): Promise<void> {
    const q = parseNluQuery(msg.payload);
    if ('error' in q) return this.ignore(msg, q.error);
    if (!this.siteIds().includes(q.siteId)) return;
    const { link, shared } = this.d;
    const nlu = this.d.understander();
    if (!nlu) {
      link.send(shared.hermesIntentNotRecognized, intentNotRecognizedPayload(q));
      return;
    }
    const lang = q.lang === 'fr' || q.lang === 'en' ? q.lang : this.d.config.language;
    const u = await nlu.understand(q.input, lang);
    const allowed = !q.intentFilter?.length || q.intentFilter.includes(u.intent);
    if (u.intent === 'unknown' || u.confidence < 0.5 || !allowed) {
      link.send(shared.hermesIntentNotRecognized, intentNotRecognizedPayload(q));
      return;
    }
    link.send(shared.hermesIntent(u.intent), nluIntentPayload(q, u.intent, u.confidence, u.slots));
  }

  private onTtsSay(msg: InboundMessage): void {
    const s = parseTtsSay(msg.payload);
    if ('error' in s) return this.ignore(msg, s.error);
    if (!this.siteIds().includes(s.siteId)) return;
    this.d.log.info({ siteId: s.siteId, chars: s.text.length, voiceEnabled: this.d.store.data.settings.voiceEnabled }, 'hermes tts/say');
    this.d.say(s);
  }

  private ignore(msg: InboundMessage, reason: string): void {
    this.d.log.warn({ topic: msg.topic, reason, bytes: msg.payload.length }, 'ignored malformed message');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(payload: Buffer, maxBytes: number): string | null {
  if (payload.length === 0 || payload.length > maxBytes) return null;
  try {
    const text = utf8.decode(payload).trim();
    return text.length ? text : null;
  } catch {
    return null;
  }
}

/**
 * Where people on the LAN reach the web console, for Home Assistant's "Visit" link: `web.publicUrl`,
 * else the address it listens on when that is one address; none when it is off or loopback only.
 */
export function consoleUrl(config: Config): string | null {
  const w = config.web;
  if (!w.enabled) return null;
  if (w.publicUrl) return w.publicUrl;
  if (isLoopbackHost(w.host) || w.host === '0.0.0.0' || w.host === '::' || w.port === 0) return null;
  return `http://${w.host.includes(':') ? `[${w.host}]` : w.host}:${w.port}`;
}
