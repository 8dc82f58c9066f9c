// A test-side MQTT client that records every message it receives.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
  correlationData?: Buffer;
}

export class Recorder {
  messages: Received[] = [];
  private waiters: Array<{ match: (m: Received) => boolean; resolve: (m: Received) => void }> = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const corr = packet.properties?.correlationData;
      const m: Received = { topic, payload, retain: packet.retain, ...(corr ? { correlationData: Buffer.from(corr) } : {}) };
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
    });
  }

  static async connect(url: string, opts: IClientOptions = {}): Promise<Recorder> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, ...opts });
    return new Recorder(client);
  }

  async subscribe(topics: string | string[]): Promise<void> {
    await this.client.subscribeAsync(topics, { qos: 1 });
  }

  waitFor(match: (m: Received) => boolean, timeoutMs = 10_000, what = 'message'): Promise<Received> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms; got ${this.messages.map((m) => `${m.topic}=${m.payload.toString().slice(0, 80)}`).join(' | ')}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  /** Wait for a JSON message on `topic` whose `id` is `id`. */
  async waitJson(topic: string, id: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const m = await this.waitFor((m) => m.topic === topic && jsonId(m.payload) === id, timeoutMs, `${topic} with id ${id}`);
    return JSON.parse(m.payload.toString()) as Record<string, unknown>;
  }

  async end(): Promise<void> {
    await this.client.endAsync(true);
  }
}

function jsonId(payload: Buffer): unknown {
  try {
    return (JSON.parse(payload.toString()) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}
