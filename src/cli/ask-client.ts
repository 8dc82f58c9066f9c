// The client side of a turn over MQTT, used by `wulf ask` and `wulf status`: publish on
// `<prefix>/<id>/ask`, wait for the reply (MQTT 5 response topic, or the echoed `id` on 3.1.1).
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { BrokerUnreachable, clientReplyTopic, connectClient as connectMqtt, deviceTopics, type ErrorPayload, type ReplyPayload } from '../mqtt/index.js';

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

/** Connect for the CLI; an unreachable broker is exit code 3. */
export async function connectClient(url: string, timeoutMs: number, auth: { username?: string; password?: string } = {}): Promise<MqttClient> {
  try {
    return await connectMqtt(url, timeoutMs, auth);
  } catch (err) {
    if (err instanceof BrokerUnreachable) throw new AskFailure(err.message, 3);
    throw err;
  }
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
