// Pushing a bundle to boards over the broker: a retained offer, chunks on request (MQTT), or a
// URL served with range requests (HTTP); the result is each device's final state.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { deviceTopics } from '../src/mqtt/index.js';
import { readManifestUnverified, type OtaStatus } from '../src/ota/index.js';

export interface PushResult {
  deviceId: string;
  result: 'committed' | 'rolled_back' | 'rejected' | 'timeout';
  version: number | null;
  reason: string | null;
}

export interface PushOptions {
  client: MqttClient;
  prefix: string;
  deviceId: string;
  bundle: Buffer;
  via: 'mqtt' | 'http';
  /** For http: the URL the device downloads from. */
  url?: string;
  chunkSize: number;
  timeoutMs: number;
  onProgress?: (deviceId: string, status: OtaStatus) => void;
}

const FINAL = new Set(['committed', 'rolled_back', 'rejected']);

export async function pushToDevice(o: PushOptions): Promise<PushResult> {
  const manifest = await readManifestUnverified(o.bundle);
  const t = deviceTopics(o.prefix, o.deviceId);
  const bundleId = manifest.bundleId;
  const sha256 = createHash('sha256').update(o.bundle).digest('hex');
  const total = Math.ceil(o.bundle.length / o.chunkSize);
  const chunk = (i: number) => {
    const data = o.bundle.subarray(i * o.chunkSize, Math.min(o.bundle.length, (i + 1) * o.chunkSize));
    const header = Buffer.alloc(36);
    header.writeUInt32BE(i, 0);
    createHash('sha256').update(data).digest().copy(header, 4);
    return Buffer.concat([header, data]);
  };
  const result = new Promise<PushResult>((resolve) => {
    o.client.on('message', (topic, payload) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        return; // not JSON: not a message of this protocol
      }
      if (body.bundleId !== bundleId) return;
      if (topic === t.otaRequest && Array.isArray(body.chunks)) {
        for (const i of body.chunks) if (Number.isInteger(i) && i >= 0 && i < total) void o.client.publishAsync(t.otaChunk(bundleId), chunk(i), { qos: 1 });
      } else if (topic === t.otaStatus) {
        const status = body as unknown as OtaStatus;
        o.onProgress?.(o.deviceId, status);
        if (status.result && FINAL.has(status.result)) resolve({ deviceId: o.deviceId, result: status.result, version: status.version, reason: status.reason ?? null });
      }
    });
  });
  await o.client.subscribeAsync([t.otaRequest, t.otaStatus], { qos: 1 });
  const offer = { bundleId, name: manifest.model.name, version: manifest.version, size: o.bundle.length, sha256, via: o.via, chunkSize: o.chunkSize, ...(o.url ? { url: o.url } : {}) };
  // Retained: a device that is offline now picks the offer up when it comes back.
  await o.client.publishAsync(t.otaOffer, JSON.stringify(offer), { qos: 1, retain: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<PushResult>((resolve) => (timer = setTimeout(() => resolve({ deviceId: o.deviceId, result: 'timeout', version: manifest.version, reason: `no final state within ${o.timeoutMs} ms` }), o.timeoutMs)));
  const r = await Promise.race([result, timeout]);
  clearTimeout(timer);
  if (r.result !== 'timeout') await o.client.publishAsync(t.otaOffer, '', { qos: 1, retain: true }); // withdraw the offer
  return r;
}

/** Devices that announced themselves online (retained `<prefix>/<id>/status`). */
export async function onlineDevices(client: MqttClient, prefix: string, waitMs = 1000): Promise<string[]> {
  const found = new Set<string>();
  const onMessage = (topic: string, payload: Buffer) => {
    const parts = topic.split('/');
    if (parts.length === 3 && parts[0] === prefix && parts[2] === 'status' && payload.toString() === 'online') found.add(parts[1]!);
  };
  client.on('message', onMessage);
  await client.subscribeAsync(`${prefix}/+/status`, { qos: 1 });
  await new Promise((r) => setTimeout(r, waitMs));
  await client.unsubscribeAsync(`${prefix}/+/status`);
  client.off('message', onMessage);
  return [...found].sort();
}

/** A static file server with HTTP range requests (RFC 9110 §14), for the http transport. */
export function serveFiles(dir: string, port: number, host = '0.0.0.0'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    if (!/^[A-Za-z0-9._-]+$/.test(name) || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    const file = path.join(dir, name);
    stat(file).then(
      (s) => {
        const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (!m) {
          res.writeHead(200, { 'Content-Length': s.size, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' });
          createReadStream(file).pipe(res);
          return;
        }
        const start = Number(m[1]);
        const end = m[2] ? Math.min(Number(m[2]), s.size - 1) : s.size - 1;
        if (start >= s.size || start > end) {
          res.writeHead(416, { 'Content-Range': `bytes */${s.size}` }).end();
          return;
        }
        res.writeHead(206, { 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${s.size}`, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' });
        createReadStream(file, { start, end }).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}
