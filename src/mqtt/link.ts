// The daemon's one connection to the broker: connect, negotiate MQTT 5 → 3.1.1, reconnect with
// backoff, resubscribe, backpressure on inbound messages. It knows no topic strings (topics.ts) and
// no payload meaning (messages.ts); it moves bytes and reports its state.
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** MQTT 5 request/response (spec 4.10). */
  responseTopic?: string;
  correlationData?: Buffer;
}

/** Called for each inbound message; resolve when the message is admitted (that is the backpressure). */
export type InboundHandler = (msg: InboundMessage) => Promise<void>;

export interface LinkOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  keepaliveS: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  will: { topic: string; payload: string };
  subscriptions: string[];
  /** Runs after every (re)connect, once subscriptions are in place (e.g. publish `online`). */
  onConnected: () => Promise<void>;
  log: Logger;
}

// MQTT 3.1.1 CONNACK return code 1 / MQTT 5 reason 0x84: the broker speaks an older protocol.
const UNSUPPORTED_PROTOCOL = new Set([1, 0x84]);

export class MqttLink {
  private client: MqttClient | null = null;
  private handler: InboundHandler | null = null;
  private backoffMs: number;
  private stateValue: LinkState = 'connecting';
  private isClosing = false;
  private connectedOnce: Promise<void>;
  private resolveConnectedOnce!: () => void;
  protocolVersion: 4 | 5 = 5;
  connectCount = 0;

  constructor(private readonly opts: LinkOptions) {
    this.backoffMs = opts.reconnectMinMs;
    this.connectedOnce = new Promise((resolve) => (this.resolveConnectedOnce = resolve));
  }

  get state(): LinkState {
    return this.stateValue;
  }

  get isConnected(): boolean {
    return this.stateValue === 'connected';
  }

  setHandler(handler: InboundHandler): void {
    this.handler = handler;
  }

  /** Start connecting; resolves at once (the link keeps trying on its own). */
  start(): void {
    this.client = mqtt.connect(this.opts.url, this.clientOptions());
    const client = this.client;
    // mqtt.js calls handleMessage one packet at a time and sends PUBACK after its callback:
    // holding the callback holds the stream, which bounds what we buffer.
    client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void) => {
      this.dispatch(packet).then(() => done(), (err: unknown) => {
        this.opts.log.error({ err, topic: packet.topic }, 'inbound handler failed');
        done();
      });
    };
    client.on('connect', () => void this.onConnect());
    client.on('close', () => this.onClose());
    client.on('error', (err) => this.onError(err));
  }

  /** Wait until the first connection is up, or `timeoutMs` passes. True when connected. */
  async waitConnected(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ok = await Promise.race([this.connectedOnce.then(() => true as const), timeout]);
    clearTimeout(timer);
    return ok;
  }

  async publish(topic: string, payload: string | Buffer, opts: { retain?: boolean; correlationData?: Buffer } = {}): Promise<void> {
    if (!this.client) throw new Error('mqtt link not started');
    const properties = this.protocolVersion === 5 && opts.correlationData ? { correlationData: opts.correlationData } : undefined;
    await this.client.publishAsync(topic, payload, { qos: 1, retain: opts.retain ?? false, ...(properties ? { properties } : {}) });
  }

  /**
   * Queue a QoS 1 publish without waiting for its PUBACK. Inbound handlers must use this: mqtt.js
   * reads no packet (the PUBACK included) until the handler of the current one returns, so awaiting
   * an ack there deadlocks. mqtt.js keeps the message until acked and resends it after a reconnect.
   */
  send(topic: string, payload: string | Buffer, opts: { retain?: boolean; correlationData?: Buffer } = {}): void {
    this.publish(topic, payload, opts).catch((err: unknown) => this.opts.log.warn({ err, topic }, 'publish failed'));
  }

  async unsubscribe(topics: string[]): Promise<void> {
    if (this.client && this.isConnected) await this.client.unsubscribeAsync(topics);
  }

  /** Clean disconnect; `beforeClose` runs while still connected (publish `offline`). */
  async stop(beforeClose?: () => Promise<void>, timeoutMs = 3000): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.isClosing = true;
    const work = (async () => {
      if (beforeClose && this.isConnected) await beforeClose();
      await client.endAsync();
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([work.catch((err: unknown) => this.opts.log.warn({ err }, 'mqtt stop failed')), timeout]);
    clearTimeout(timer);
    if (!client.disconnected) client.end(true);
    this.stateValue = 'closed';
    this.client = null;
  }

  private clientOptions(): IClientOptions {
    const v5 = this.protocolVersion === 5;
    return {
      clientId: this.opts.clientId,
      protocolVersion: this.protocolVersion,
      // A persistent session: asks published while the daemon restarts wait for it at the broker.
      clean: false,
      ...(v5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
      keepalive: this.opts.keepaliveS,
      reconnectPeriod: this.opts.reconnectMinMs,
      connectTimeout: 10_000,
      resubscribe: false, // we subscribe in onConnect, every time
      username: this.opts.username,
      password: this.opts.password,
      // MQTT-3.1.2-8: the will is published if we vanish without DISCONNECT.
      will: { topic: this.opts.will.topic, payload: Buffer.from(this.opts.will.payload), qos: 1, retain: true },
    };
  }

  private async onConnect(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.connectCount += 1;
    this.backoffMs = this.opts.reconnectMinMs;
    client.options.reconnectPeriod = this.backoffMs;
    // Nagle off: a reply is several small packets (reply, last_reply, acks); with Nagle on, each
    // waited for the broker's delayed ACK (~40 ms on Linux). `npm run bench -- web` measures it.
    (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    try {
      await client.subscribeAsync(this.opts.subscriptions, { qos: 1 });
      this.stateValue = 'connected';
      await this.opts.onConnected();
      this.opts.log.info({ url: redactUrl(this.opts.url), protocolVersion: this.protocolVersion, connects: this.connectCount }, 'mqtt connected');
      this.resolveConnectedOnce();
    } catch (err) {
      // The connection dropped between CONNACK and SUBACK; the next connect retries.
      this.opts.log.warn({ err }, 'mqtt subscribe after connect failed');
    }
  }

  private onClose(): void {
    if (this.isClosing || this.stateValue === 'closed' || !this.client) return;
    if (this.stateValue === 'connected') this.opts.log.warn('mqtt connection lost; reconnecting');
    this.stateValue = 'reconnecting';
    // Exponential backoff with ±20% jitter; mqtt.js reads reconnectPeriod when it arms its timer.
    const jitter = 0.8 + Math.random() * 0.4;
    this.client.options.reconnectPeriod = Math.round(this.backoffMs * jitter);
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.reconnectMaxMs);
  }

  private onError(err: Error & { code?: number | string }): void {
    const client = this.client;
    if (client && typeof err.code === 'number' && UNSUPPORTED_PROTOCOL.has(err.code) && this.protocolVersion === 5) {
      this.opts.log.info('broker does not speak MQTT 5; falling back to MQTT 3.1.1');
      this.protocolVersion = 4;
      Object.assign(client.options, this.clientOptions());
      delete client.options.properties;
      return;
    }
    this.opts.log.warn({ err: { message: err.message, code: err.code } }, 'mqtt error');
  }

  private async dispatch(packet: IPublishPacket): Promise<void> {
    if (!this.handler) return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const props = packet.properties;
    await this.handler({
      topic: packet.topic,
      payload,
      ...(props?.responseTopic ? { responseTopic: props.responseTopic } : {}),
      ...(props?.correlationData ? { correlationData: Buffer.from(props.correlationData) } : {}),
    });
  }
}

/** Strip credentials from a broker URL before it reaches a log line. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
