// Composition root: builds config → store → models → MQTT → inputs in that order, tells systemd
// where it stands, and tears everything down in reverse. The only module that wires others together.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ensureStateDir, loadConfig, type Config } from '../config/index.js';
import { MemoryStore, removePidFile, runningDaemonPid, writePidFile } from '../memory/index.js';
import {
  MqttLink,
  deviceTopics,
  sharedTopics,
  isInputError,
  parseAsk,
  redactUrl,
  startEmbeddedBroker,
  STATUS_OFFLINE,
  STATUS_ONLINE,
  type EmbeddedBroker,
  type InboundMessage,
  type InputError,
  type ReplyPayload,
  type Topics,
} from '../mqtt/index.js';
import { Assistant, KNOWN_INTENTS, TurnQueue, type StatusSnapshot, type TurnInput } from '../assistant/index.js';
import { allTools, stateTopicFor, TimerService, ToolRegistry, type Lang, type ToolContext } from '../tools/index.js';
import { createNotifier, monotonicUsec, watchdogIntervalMs, type Notifier } from './notify.js';
import { Watchdog } from './health.js';
import { Integrations } from './integrations.js';
import { modelFileIn, OtaService } from './ota-service.js';
import type { Manifest } from '../ota/index.js';
import { NluService } from './nlu-service.js';
import { GeneratorService } from './generator-service.js';
import { FluidLink } from '../fluid/index.js';
import { VoiceService } from './voice-service.js';
import { createRecognizers } from '../voice/recognizers.js';
import { WebConsole, memoryExport, memoryView, modelsView, turnsView, type ConsoleDeps, type ConsoleEvent, type LocalModel, type TurnView } from '../web/index.js';
import type { LogRing } from './log-ring.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** How long each start-up stage may take before systemd gives up on the start (sent as EXTEND_TIMEOUT_USEC). */
const STAGE_TIMEOUT_S = 60;

type Env = Record<string, string | undefined>;

export class Daemon {
  private readonly startedAtMs = Date.now();
  private isStopping = false;
  private watchdog: Watchdog | null = null;
  private stopPromise: Promise<void> | null = null;
  private web: WebConsole | null = null;
  private readonly consoleListeners = new Set<(e: ConsoleEvent) => void>();
  private recentLog: LogRing | null = null;

  constructor(
    private config: Config,
    private readonly log: Logger,
    private readonly env: Env,
    private readonly notifier: Notifier,
    readonly store: MemoryStore,
    private readonly broker: EmbeddedBroker | null,
    private readonly link: MqttLink,
    private readonly topics: Topics,
    private readonly assistant: Assistant,
    private readonly queue: TurnQueue,
    private readonly timers: TimerService,
    private readonly deviceStates: DeviceStates,
    private readonly integrations: Integrations,
    private readonly ota: OtaService | null,
    private readonly nlu: NluService,
    private readonly fluid: FluidLink,
    private readonly voice: VoiceService,
    private readonly generator: GeneratorService,
  ) {}

  /** Bring every part up in order; READY=1 only once MQTT is connected (or the wait ran out). */
  static async start(config: Config, log: Logger, env: Env = process.env, extras: { recentLog?: LogRing } = {}): Promise<Daemon> {
    const notifier = await createNotifier(env, log.child({ mod: 'notify' }));
    // Each stage that starts buys another STAGE_TIMEOUT_S from systemd (EXTEND_TIMEOUT_USEC): a cold
    // start on a slow board (an SD card after a power cut) may pass TimeoutStartSec while making
    // progress, and must not be killed for it; a stage that hangs still is.
    const starting = (stage: string): boolean => notifier.send(`STATUS=starting: ${stage}\nEXTEND_TIMEOUT_USEC=${STAGE_TIMEOUT_S * 1_000_000}`);
    starting('opening store');
    await ensureStateDir(config.stateDir);
    const otherPid = await runningDaemonPid(config.stateDir);
    if (otherPid && otherPid !== process.pid) throw new Error(`another wulf daemon (pid ${otherPid}) uses ${config.stateDir}`);
    await writePidFile(config.stateDir);
    const { store } = await MemoryStore.open(config.stateDir, log.child({ mod: 'memory' }));
    await writeProbe(config.debug.writeProbe, log);
    log.info({ file: store.file, messages: store.data.messages.length }, 'store open');


    starting('connecting to MQTT');
    const mqttLog = log.child({ mod: 'mqtt' });
    const broker = config.mqtt.url ? null : await startEmbeddedBroker(config.mqtt.embedded.host, config.mqtt.embedded.port, mqttLog);
    const url = config.mqtt.url ?? broker!.url;
    const topics = deviceTopics(config.mqtt.topicPrefix, config.deviceId);
    const deviceStates = new DeviceStates(config);
    const shared = sharedTopics(config.homeAssistant.discoveryPrefix);
    let daemon: Daemon | null = null;
    let integrations: Integrations | null = null;
    let ota: OtaService | null = null;
    let voice: VoiceService | null = null;
    const link: MqttLink = new MqttLink({
      url,
      clientId: `wulf-${config.deviceId}`,
      ...(config.mqtt.username ? { username: config.mqtt.username } : {}),
      ...(config.mqtt.password ? { password: config.mqtt.password } : {}),
      keepaliveS: config.mqtt.keepaliveS,
      reconnectMinMs: config.mqtt.reconnectMinMs,
      reconnectMaxMs: config.mqtt.reconnectMaxMs,
      will: { topic: topics.status, payload: STATUS_OFFLINE },
      subscriptions: [topics.ask, ...deviceStates.topics, ...Integrations.subscriptionsFor(config, topics, shared), ...VoiceService.subscriptionsFor(config, topics, shared), ...(config.ota.enabled ? [topics.otaOffer, topics.otaChunkFilter] : [])],
      onConnected: async (): Promise<void> => {
        await link.publish(topics.status, STATUS_ONLINE, { retain: true });
        integrations!.announce();
        ota?.transfer.onReconnect();
      },
      log: mqttLog,
    });
    if (broker) link.protocolVersion = 4; // aedes speaks MQTT 3.1.1 only
    const queue = new TurnQueue(config.assistant.maxConcurrentTurns, config.assistant.maxQueuedTurns);
    const toolLog = log.child({ mod: 'tools' });
    const timers = new TimerService(store, (event) => link.send(topics.timer, JSON.stringify(event)), toolLog);
    const registry = new ToolRegistry(allTools, config.tools.enabled, config.tools.critical);
    const nlu = new NluService(config, log.child({ mod: 'nlu' }));
    const generator = new GeneratorService(config, log.child({ mod: 'generator' }));
    const toolContext = (lang: Lang): ToolContext => ({
      config,
      store,
      publish: (topic, payload, opts) => link.send(topic, payload, opts),
      deviceState: (id) => deviceStates.get(id),
      timers,
      embed: async (text) => (nlu.isLoaded ? ((await nlu.understand(text, lang)).embedding ?? null) : null),
      lang,
      log: toolLog,
      now: Date.now,
    });
    const fluid = new FluidLink(config, store, env, log.child({ mod: 'fluid' }));
    fluid.start();
    const assistant = new Assistant({ config, store, registry, toolContext, status: () => daemon!.statusSnapshot(), understander: () => (nlu.isLoaded ? nlu : null), fluid, generator: () => generator.chat, log: log.child({ mod: 'assistant' }) });
    integrations = new Integrations({
      config, link, topics, shared, store, version: VERSION, log: log.child({ mod: 'integrations' }),
      eventTypes: [...KNOWN_INTENTS, ...config.routines.map((r) => `routine:${r.id}`)],
      understander: () => (nlu.isLoaded ? nlu : null),
      models: () => [...(ota?.served.values() ?? [])].map((m) => ({ name: m.name, version: m.version })),
      runText: (text) => daemon!.runTurn({ id: randomUUID(), text, lang: config.language, channel: 'mqtt', session: 'ha:text' }, null),
      say: (s) => voice!.say(s),
    });
    starting('building the speech recognizer');
    const recognizers = await createRecognizers(config, log.child({ mod: 'asr' }));
    voice = new VoiceService({
      config, link, topics, shared, store, log: log.child({ mod: 'voice' }), recognizers,
      runTurn: (input, onReply) => daemon!.runTurn(input, null, onReply),
    });
    starting('loading models');
    ota = await OtaService.create(config, link, topics, log.child({ mod: 'ota' }), () => { integrations?.announce(); daemon?.emit({ type: 'models' }); }, VERSION, (_name, dir, manifest) => {
      if (manifest.model.kind === 'nlu') return nlu.swap(modelFileIn(dir, manifest));
      if (manifest.model.kind === 'generator' && config.generator.enabled && !config.generator.model) return generator.swap(modelFileIn(dir, manifest));
      return Promise.resolve();
    });
    const served = [...(ota?.served.values() ?? [])];
    const otaNlu = served.find((m) => m.kind === 'nlu');
    await nlu.start(otaNlu ? modelFileIn(otaNlu.dir, otaNlu.manifest) : null);
    const otaGenerator = served.find((m) => m.kind === 'generator');
    await generator.start(otaGenerator ? modelFileIn(otaGenerator.dir, otaGenerator.manifest) : null);
    daemon = new Daemon(config, log, env, notifier, store, broker, link, topics, assistant, queue, timers, deviceStates, integrations, ota, nlu, fluid, voice, generator);
    daemon.recentLog = extras.recentLog ?? null;
    if (config.web.enabled) {
      starting('web console');
      const web = new WebConsole(config.web, daemon.consoleDeps(), log.child({ mod: 'web' }));
      try {
        await web.start();
        daemon.web = web;
      } catch (err) {
        // The console is a convenience: a busy port must not take the assistant down with it.
        log.error({ err: (err as Error).message, host: config.web.host, port: config.web.port }, 'web console could not start; running without it');
        await web.stop();
      }
    }
    // Inputs are wired before connecting: a persistent session may deliver queued asks at once.
    link.setHandler((msg) => daemon!.onInbound(msg));
    link.start();
    timers.start();
    await voice.start();
    const isConnected = await link.waitConnected(config.mqtt.connectWaitMs);
    if (!isConnected) log.warn({ url: redactUrl(url), waitedMs: config.mqtt.connectWaitMs }, 'broker not reachable yet; starting anyway and retrying');
    daemon.ready(isConnected ? 'ready' : 'ready, waiting for the MQTT broker');
    return daemon;
  }

  private ready(status: string): void {
    this.notifier.send(`READY=1\nSTATUS=${status}; device ${this.config.deviceId}`);
    this.log.info({ topics: this.topics }, 'wulf is ready');
    const intervalMs = watchdogIntervalMs(this.env);
    if (intervalMs && !this.watchdog) {
      this.watchdog = new Watchdog(this.notifier, intervalMs, this.config.watchdog.maxEventLoopLagMs, {
        storeWriteError: () => this.store.lastWriteError,
        mqttState: () => this.link.state,
      }, this.log.child({ mod: 'watchdog' }));
      this.watchdog.start();
    }
  }

  /**
   * One inbound MQTT message. Never throws; every refusal is answered on `error`. Resolves once the
   * turn is queued (backpressure); it must never wait for a broker ack (see MqttLink.send).
   */
  private async onInbound(msg: InboundMessage): Promise<void> {
    if (msg.topic !== this.topics.ask) {
      if (this.voice.handle(msg)) return;
      if (await this.integrations.handle(msg)) return;
      if (this.ota && (await this.ota.handle(msg))) return;
      return this.deviceStates.update(msg.topic, msg.payload);
    }
    const parsed = parseAsk(msg.payload, this.config.mqtt.maxPayloadBytes);
    if (isInputError(parsed)) return this.refuse(msg, parsed);
    if (this.isStopping) return this.refuse(msg, { code: 'shutting_down', message: 'wulf is stopping; ask again when it is back online', ...(parsed.id ? { id: parsed.id } : {}) });
    const id = parsed.id ?? randomUUID();
    let seq = 0;
    // Partial replies: what the generator writes, as it writes it, for displays that want it early.
    const onPartial = (delta: string): void => this.link.send(this.topics.replyPartial, JSON.stringify({ id, seq: seq++, delta }));
    await this.runTurn({ id, text: parsed.text, lang: parsed.lang ?? this.config.language, channel: 'mqtt', session: parsed.session ?? `mqtt:${msg.topic}`, onPartial }, msg);
  }

  /** Queue one turn; its reply goes to `reply` (and the request's response topic), never awaited. */
  async runTurn(input: TurnInput, msg: InboundMessage | null, onReply?: (reply: ReplyPayload) => void, onRefuse?: (error: InputError) => void): Promise<void> {
    await this.queue.admit(async () => {
      try {
        const result = await this.assistant.handle(input);
        if (result.ok) {
          this.sendReply(msg, result.reply);
          this.integrations.afterTurn(input.text, result.reply);
          onReply?.(result.reply);
          this.ota?.noteTurn(true);
          if (this.consoleListeners.size) this.emit({ type: 'turn', turn: this.turnView(input, result.reply) });
        } else {
          onRefuse?.(result.error);
          if (msg) this.refuse(msg, result.error);
          else this.log.warn({ code: result.error.code, reason: result.error.message }, 'turn refused');
        }
      } catch (err) {
        this.log.error({ err, turnId: input.id }, 'turn failed');
        this.ota?.noteTurn(false);
        const error: InputError = { code: 'internal', message: 'the turn failed inside wulf; see its log', id: input.id };
        onRefuse?.(error);
        if (msg) this.refuse(msg, error);
      }
    });
  }

  private emit(e: ConsoleEvent): void {
    for (const l of this.consoleListeners) l(e);
  }

  /** The turn as the store recorded it (with its metric), else as the reply describes it. */
  private turnView(input: TurnInput, reply: ReplyPayload): TurnView {
    const recorded = turnsView(this.store.data, 8).find((t) => t.turnId === input.id);
    return recorded ?? { turnId: input.id, ts: new Date().toISOString(), channel: input.channel, lang: input.lang, text: input.text, reply: reply.text, intent: reply.intent, slots: Object.entries(reply.slots).map(([name, value]) => ({ name, value })), actions: reply.actions, source: reply.source, latencyMs: reply.latency_ms, confidence: null, stages: {} };
  }

  /** The web console's view of this daemon: the same modules the MQTT path and the CLI use. */
  private consoleDeps(): ConsoleDeps {
    return {
      status: async () => ({ ...(await this.statusSnapshot()), recentProblems: this.recentLog?.recent() ?? [], language: this.config.language, generator: this.config.generator.enabled ? 'on' : 'off', ota: this.ota ? 'on' : 'off' }),
      ask: (input, onPartial) =>
        new Promise((resolve) => {
          if (this.isStopping) return resolve({ ok: false, error: { code: 'shutting_down', message: 'wulf is stopping; ask again when it is back online', id: input.id } });
          void this.runTurn({ id: input.id, text: input.text, lang: input.lang ?? this.config.language, channel: 'web', session: 'web', onPartial }, null, (reply) => resolve({ ok: true, reply }), (error) => resolve({ ok: false, error }));
        }),
      memory: (query) => memoryView(this.store.data, query),
      forget: async (what) => {
        if (what.kind === 'lists') return this.store.removeListItemById(what.list, what.id);
        if (what.kind === 'notes') return this.store.removeNote(what.id);
        if (what.kind === 'bins') return this.store.removeBin(what.id);
        return this.timers.cancelById(what.id);
      },
      exportMemory: () => memoryExport(this.store.data, this.config.deviceId),
      models: async () => {
        const local: LocalModel[] = [];
        const otaRoot = this.ota?.agent.root;
        for (const [kind, info, configured] of [['nlu', this.nlu.info, this.config.nlu.model], ['generator', this.generator.info, this.config.generator.model]] as const) {
          if (!info || (otaRoot && info.file.startsWith(otaRoot + path.sep))) continue;
          local.push({ name: info.name, version: info.version, kind, file: info.file, origin: configured && path.resolve(configured) === path.resolve(info.file) ? 'config' : 'shipped' });
        }
        const models = await modelsView({
          otaEnabled: !!this.ota,
          ota: this.ota?.agent.models() ?? {},
          otaManifest: async (name, slot) => {
            if (!this.ota) return null;
            try {
              return JSON.parse(await readFile(path.join(this.ota.agent.slotDir(name, slot), 'manifest.json'), 'utf8')) as Manifest;
            } catch {
              return null;
            }
          },
          served: new Set(this.ota?.served.keys() ?? []),
          local,
        });
        return { otaEnabled: !!this.ota, models };
      },
      rollback: async (name) => {
        if (!this.ota) return { ok: false, reason: 'model updates (ota.enabled) are off on this board' };
        return (await this.ota.agent.rollback(name)) ? { ok: true } : { ok: false, reason: `${name} has no previous version to go back to` };
      },
      turns: (limit) => turnsView(this.store.data, limit),
      onEvent: (listener) => {
        this.consoleListeners.add(listener);
        return () => this.consoleListeners.delete(listener);
      },
    };
  }

  private sendReply(msg: InboundMessage | null, reply: ReplyPayload): void {
    const body = JSON.stringify(reply);
    this.link.send(this.topics.reply, body);
    if (msg?.responseTopic) this.link.send(msg.responseTopic, body, msg.correlationData ? { correlationData: msg.correlationData } : {});
  }

  private refuse(msg: InboundMessage, error: InputError): void {
    this.log.warn({ topic: msg.topic, code: error.code, reason: error.message, bytes: msg.payload.length }, 'refused input');
    const body = JSON.stringify({ ...error, topic: msg.topic });
    this.link.send(this.topics.error, body);
    if (msg.responseTopic) this.link.send(msg.responseTopic, body, msg.correlationData ? { correlationData: msg.correlationData } : {});
  }

  async statusSnapshot(): Promise<StatusSnapshot> {
    return {
      deviceId: this.config.deviceId,
      version: VERSION,
      uptimeS: Math.round((Date.now() - this.startedAtMs) / 1000),
      mqtt: { state: this.link.state, url: redactUrl(this.config.mqtt.url ?? this.broker?.url ?? ''), protocolVersion: this.link.protocolVersion, embeddedBroker: this.broker?.isOurs ?? false },
      memory: { messages: this.store.data.messages.length, bytes: await this.store.sizeBytes(), file: this.store.file },
      models: [
        ...[this.nlu.info, this.generator.info].filter((m) => m && !this.ota?.served.has(m.name)).map((m) => ({ name: m!.name, version: m!.version })),
        ...[...(this.ota?.served.values() ?? [])].map((m) => ({ name: m.name, version: m.version })),
      ],
      voice: this.voice.status(),
      cloud: { mode: this.fluid.mode, providers: this.fluid.providers.map((p) => ({ name: p.name, circuit: this.fluid.breakerState(p.name) ?? 'closed' })), bins: this.store.data.bins.length, ...this.fluid.budget },
      rssBytes: process.memoryUsage.rss(),
      node: process.version,
    };
  }

  /** SIGHUP: re-read the config; apply what can change live, name what needs a restart. */
  async reload(): Promise<void> {
    this.notifier.send(`RELOADING=1\nMONOTONIC_USEC=${monotonicUsec()}\nSTATUS=reloading config`);
    try {
      const next = await loadConfig({ ...(this.config.configPath ? { path: this.config.configPath } : {}), env: this.env });
      this.log.level = next.log.level;
      const needRestart = (['deviceId', 'stateDir', 'mqtt', 'devices', 'areas', 'tools', 'routines'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(this.config[k]));
      this.config = { ...this.config, log: next.log, language: next.language, assistant: next.assistant, watchdog: next.watchdog };
      this.log.info({ needRestart }, needRestart.length ? 'config reloaded; some changes need a restart' : 'config reloaded');
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'config reload failed; keeping the running config');
    }
    this.notifier.send(`READY=1\nSTATUS=ready; device ${this.config.deviceId}`);
  }

  /** SIGTERM: stop taking input, let turns in flight finish (bounded), flush, say `offline`. */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    this.isStopping = true;
    this.notifier.send('STOPPING=1\nSTATUS=stopping');
    this.log.info('stopping');
    this.watchdog?.stop();
    await this.web?.stop();
    this.timers.stop();
    await this.voice.stop();
    await this.ota?.stop();
    await this.link.unsubscribe([this.topics.ask]).catch((err: unknown) => this.log.warn({ err }, 'unsubscribe failed'));
    const isDrained = await this.queue.drain(this.config.assistant.shutdownGraceMs);
    if (!isDrained) this.log.warn({ inFlight: this.queue.inFlight }, 'turns still running at shutdown; not waiting longer');
    this.assistant.stop();
    this.fluid.stop();
    await this.nlu.stop();
    await this.generator.stop();
    await this.store.flush().catch((err: unknown) => this.log.error({ err }, 'final store flush failed'));
    await this.link.stop(() => this.link.publish(this.topics.status, STATUS_OFFLINE, { retain: true }));
    await this.broker?.close();
    await removePidFile(this.config.stateDir).catch((err: unknown) => this.log.warn({ err }, 'could not remove the pid file'));
    this.notifier.close();
    this.log.info('stopped');
  }
}

/** Test hook (debug.writeProbe): try to write where the sandbox should say no, and log the answer. */
async function writeProbe(paths: string[], log: Logger): Promise<void> {
  for (const p of paths) {
    try {
      await writeFile(p, 'wulf write probe\n', { flag: 'wx' });
      await rm(p, { force: true });
      log.warn({ path: p, ok: true }, 'write probe');
    } catch (err) {
      log.info({ path: p, ok: false, code: (err as NodeJS.ErrnoException).code }, 'write probe');
    }
  }
}

/** Last payload seen on each device's state topic (bounded: one small entry per configured device). */
class DeviceStates {
  private readonly byTopic = new Map<string, string>();
  private readonly values = new Map<string, string>();

  constructor(config: Config) {
    for (const d of config.devices) {
      const topic = stateTopicFor(d);
      if (topic) this.byTopic.set(topic, d.id);
    }
  }

  get topics(): string[] {
    return [...this.byTopic.keys()];
  }

  update(topic: string, payload: Buffer): void {
    const id = this.byTopic.get(topic);
    if (id) this.values.set(id, payload.subarray(0, 4096).toString());
  }

  get(id: string): string | null {
    return this.values.get(id) ?? null;
  }
}
