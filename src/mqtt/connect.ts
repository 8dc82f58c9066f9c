// A short-lived client connection for command-line tools (wulf ask, wulf-ota push): MQTT 5 first,
// 3.1.1 for brokers that refuse it (aedes). The daemon's long-lived link is link.ts.
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';

export class BrokerUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnreachable';
  }
}

export async function connectClient(url: string, timeoutMs: number, auth: { username?: string; password?: string } = {}, clientPrefix = 'wulf-cli'): Promise<MqttClient> {
  for (const protocolVersion of [5, 4] as const) {
    const client = mqtt.connect(url, { protocolVersion, reconnectPeriod: 0, connectTimeout: Math.min(timeoutMs, 5000), clientId: `${clientPrefix}-${randomUUID().slice(0, 8)}`, ...auth });
    const outcome = await new Promise<'ok' | 'protocol' | Error>((resolve) => {
      client.once('connect', () => resolve('ok'));
      client.once('error', (err: Error & { code?: unknown }) => resolve(err.code === 1 || err.code === 0x84 ? 'protocol' : err));
      client.once('close', () => resolve(new Error('connection closed')));
    });
    if (outcome === 'ok') return client;
    client.end(true);
    if (outcome !== 'protocol') throw new BrokerUnreachable(`cannot reach the MQTT broker at ${url}: ${outcome.message}`);
  }
  throw new BrokerUnreachable(`the broker at ${url} speaks neither MQTT 5 nor 3.1.1`);
}
