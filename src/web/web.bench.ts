// Benchmark (`npm run bench -- web`): what the console costs. One real daemon (embedded broker,
// shipped NLU) with the console on: a turn typed through the console's API vs the same turn asked
// over MQTT in the same run (the reference), the Status/Memory/Turns reads, the page's weight, and
// the daemon's resident memory with the console on vs off (a second daemon, same config otherwise).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import mqtt from 'mqtt';
import { PUBLIC_DIR } from './server.js';
import { startDevDaemon, type DevDaemon } from './dev-daemon.js';
import { pct, timeIt } from '../../bench/stats.js';

async function rssBytes(pid: number): Promise<number> {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

function httpCall(url: string, method: string, p: string, body?: string, headers: Record<string, string> = {}): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: p, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${method} ${p}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ms = (x: number): string => `${x.toFixed(2)} ms`;

export async function run(args: readonly string[]): Promise<string> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 100);
  // --broker=mqtt://host:port: use that broker (e.g. a mosquitto) instead of the embedded one.
  const brokerUrl = args.find((a) => a.startsWith('--broker='))?.slice('--broker='.length) ?? null;
  const items = ['milk', 'rice', 'coffee', 'bread', 'eggs', 'apples', 'butter', 'tea'];
  const lines: string[] = [`web console benchmark (${n} turns each way, one daemon, ${brokerUrl ? `broker ${brokerUrl}` : 'embedded broker'}, shipped NLU)`];

  const daemonConfig = (web: boolean) => ({ deviceId: `bench${web ? 'on' : 'off'}`, mqtt: brokerUrl ? { url: brokerUrl } : { embedded: { port: 0 } }, ...(web ? { web: { enabled: true, port: 0 } } : {}) });
  const on: DevDaemon & { deviceId: string } = { ...(await startDevDaemon(daemonConfig(true))), deviceId: 'benchon' };
  try {
    const url = on.consoleUrl!;
    await new Promise((r) => setTimeout(r, 1000));
    const rssOn = await rssBytes(on.proc.pid!);
    const { csrf } = JSON.parse(await httpCall(url, 'GET', '/api/session')) as { csrf: string };
    const client = await mqtt.connectAsync(on.brokerUrl, { protocolVersion: 4 });
    (client.stream as net.Socket).setNoDelay?.(true);
    const pending = new Map<string, () => void>();
    client.on('message', (_t, payload) => {
      const id = (JSON.parse(payload.toString()) as { id?: string }).id;
      if (id) pending.get(id)?.();
    });
    await client.subscribeAsync(`wulf/${on.deviceId}/reply`);
    const viaMqtt = (i: number): Promise<void> => {
      const id = randomUUID();
      return new Promise<void>((resolve) => {
        pending.set(id, () => (pending.delete(id), resolve()));
        void client.publishAsync(`wulf/${on.deviceId}/ask`, JSON.stringify({ id, text: `add ${items[i % items.length]} to the shopping list` }));
      });
    };
    const viaConsole = (i: number): Promise<string> => httpCall(url, 'POST', '/api/turns', JSON.stringify({ text: `add ${items[i % items.length]} to the shopping list` }), { 'x-wulf-csrf': csrf });
    // Warm both paths, then interleave rounds so drift hits both alike.
    await timeIt(10, viaMqtt);
    await timeIt(10, viaConsole);
    const mq: number[] = [];
    const web: number[] = [];
    for (let r = 0; r < 4; r++) {
      mq.push(...(await timeIt(n / 4, viaMqtt)));
      web.push(...(await timeIt(n / 4, viaConsole)));
    }
    await client.endAsync();
    lines.push(`turn "add X to the shopping list", request → reply (store write included):`);
    lines.push(`  over MQTT (reference)  p50 ${ms(pct(mq, 0.5))}  p90 ${ms(pct(mq, 0.9))}`);
    lines.push(`  through the console    p50 ${ms(pct(web, 0.5))}  p90 ${ms(pct(web, 0.9))}   ratio p50 ${(pct(web, 0.5) / pct(mq, 0.5)).toFixed(2)}×`);
    for (const [label, p] of [['GET /api/status', '/api/status'], ['GET /api/memory', '/api/memory'], ['GET /api/turns?limit=100', '/api/turns?limit=100'], ['GET /app.js', '/app.js']] as const) {
      const xs = await timeIt(n, () => httpCall(url, 'GET', p));
      lines.push(`  ${label.padEnd(26)} p50 ${ms(pct(xs, 0.5))}  p90 ${ms(pct(xs, 0.9))}`);
    }
    let bytes = 0;
    for (const f of ['index.html', 'app.js', 'app.css', 'icon.svg']) bytes += (await readFile(path.join(PUBLIC_DIR, f))).length;
    lines.push(`page weight (index.html + app.js + app.css + icon, uncompressed): ${(bytes / 1024).toFixed(1)} KiB`);
    const off = await startDevDaemon(daemonConfig(false));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const rssOff = await rssBytes(off.proc.pid!);
      lines.push(`daemon RSS 1 s after ready, idle: console on ${(rssOn / 2 ** 20).toFixed(1)} MiB, off ${(rssOff / 2 ** 20).toFixed(1)} MiB: Δ ${((rssOn - rssOff) / 2 ** 20).toFixed(1)} MiB`);
    } finally {
      await off.stop();
    }
  } finally {
    await on.stop();
  }
  return `${lines.join('\n')}\n`;
}
