// The client side of a turn over MQTT, used by `wulf ask` and `wulf status`: publish on
// `<prefix>/<id>/ask`, wait for the reply (MQTT 5 response topic, or the echoed `id` on 3.1.1).
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { clientReplyTopic, deviceTopics, type ErrorPayload, type ReplyPayload } from '../mqtt/index.js';

export class AskFailure extends Error {
  constructor(message: string, readonly exitCode: 3 | 4) {
    super(message);
    this.name = 'AskFailure';
  }
}

export interface AskOptions {
  url: string;
  prefix: string;
  deviceId: string;
  text: string;
  lang?: 'en' | 'fr';
  timeoutMs: number;
  username?: string;
  password?: string;
}

export type AskOutcome = { kind: 'reply'; reply: ReplyPayload } | { kind: 'error'; error: ErrorPayload };

/** Connect with MQTT 5, falling back to 3.1.1 for brokers that refuse it (aedes). */
export async function connectClient(url: string, timeoutMs: number, auth: { username?: string; password?: string } = {}): Promise<MqttClient> {
  for (const protocolVersion of [5, 4] as const) {
    const client = mqtt.connect(url, { protocolVersion, reconnectPeriod: 0, connectTimeout: Math.min(timeoutMs, 5000), clientId: `wulf-cli-${randomUUID().slice(0, 8)}`, ...auth });
    const outcome = await new Promise<'ok' | 'protocol' | Error>((resolve) => {
      client.once('connect', () => resolve('ok'));
      client.once('error', (err: Error & { code?: unknown }) => resolve(err.code === 1 || err.code === 0x84 ? 'protocol' : err));
      client.once('close', () => resolve(new Error('connection closed')));
    });
    if (outcome === 'ok') return client;
    client.end(true);
    if (outcome !== 'protocol') throw new AskFailure(`cannot reach the MQTT broker at ${url}: ${outcome.message}`, 3);
  }
  throw new AskFailure(`the broker at ${url} speaks neither MQTT 5 nor 3.1.1`, 3);
}

export async function ask(opts: AskOptions): Promise<AskOutcome> {
  const client = await connectClient(opts.url, opts.timeoutMs, { ...(opts.username ? { username: opts.username } : {}), ...(opts.password ? { password: opts.password } : {}) });
  try {
    return await askOn(client, opts);
  } finally {
    await client.endAsync().catch(() => undefined); // the answer is already in hand
  }
}

async function askOn(client: MqttClient, opts: AskOptions): Promise<AskOutcome> {
  const topics = deviceTopics(opts.prefix, opts.deviceId);
  const id = randomUUID();
  const isV5 = client.options.protocolVersion === 5;
  const responseTopic = clientReplyTopic(opts.prefix, client.options.clientId ?? id);
  const result = new Promise<AskOutcome>((resolve) => {
    client.on('message', (topic, payload) => {
      let body: { id?: unknown; code?: unknown };
      try {
        body = JSON.parse(payload.toString()) as typeof body;
      } catch {
        return; // not ours: someone else's garbage on a shared topic
      }
      if (body.id !== id) return;
      if (topic === topics.error || typeof body.code === 'string') resolve({ kind: 'error', error: body as ErrorPayload });
      else resolve({ kind: 'reply', reply: body as ReplyPayload });
    });
  });
  await client.subscribeAsync(isV5 ? [responseTopic, topics.error] : [topics.reply, topics.error], { qos: 1 });
  const payload = JSON.stringify({ text: opts.text, id, ...(opts.lang ? { lang: opts.lang } : {}) });
  await client.publishAsync(topics.ask, payload, { qos: 1, ...(isV5 ? { properties: { responseTopic, correlationData: Buffer.from(id) } } : {}) });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AskFailure(`no reply from wulf/${opts.deviceId} within ${opts.timeoutMs} ms (is the daemon running, with that device id?)`, 4)), opts.timeoutMs);
  });
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
