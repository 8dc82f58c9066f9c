// Benchmark (`npm run bench -- web`): what the console costs. One real daemon (embedded broker,
// shipped NLU) with the console on: a turn typed through the console's API vs the same turn asked
// over MQTT in the same run (the reference), the Status/Memory/Turns reads, the page's weight, and
// the daemon's resident memory with the console on vs off (a second daemon, same config otherwise).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { PUBLIC_DIR } from './server.js';
import { pct, timeIt } from '../../bench/stats.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Running { proc: ChildProcess; consoleUrl: string | null; mqttUrl: string; deviceId: string; dir: string }

async function startDaemon(web: boolean, brokerUrl: string | null): Promise<Running> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wulf-web-bench-'));
  const port = await freePort();
  const deviceId = `bench${web ? 'on' : 'off'}`;
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ deviceId, log: { level: 'info' }, mqtt: brokerUrl ? { url: brokerUrl } : { embedded: { port } }, ...(web ? { web: { enabled: true, port: 0 } } : {}) }));
  const proc = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'run', '--config', path.join(dir, 'config.json')], { env: { ...process.env, WULF_STATE_DIR: path.join(dir, 'state'), NOTIFY_SOCKET: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const consoleUrl = await new Promise<string | null>((resolve, reject) => {
    let buf = '';
    let url: string | null = null;
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      url ??= /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"web console listening"/.exec(buf)?.[1] ?? null;
      if (buf.includes('"msg":"wulf is ready"')) resolve(url);
    });
    proc.once('exit', (code) => reject(new Error(`the daemon exited (${code}) before it was ready`)));
  });
  proc.stdout!.resume();
  return { proc, consoleUrl, mqttUrl: brokerUrl ?? `mqtt://127.0.0.1:${port}`, deviceId, dir };
}

async function stopDaemon(d: Running): Promise<void> {
  d.proc.kill('SIGTERM');
  await new Promise((r) => d.proc.once('exit', r));
  await rm(d.dir, { recursive: true, force: true });
}

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

  const on = await startDaemon(true, brokerUrl);
  try {
    const url = on.consoleUrl!;
    await new Promise((r) => setTimeout(r, 1000));
    const rssOn = await rssBytes(on.proc.pid!);
    const { csrf } = JSON.parse(await httpCall(url, 'GET', '/api/session')) as { csrf: string };
    const client = await mqtt.connectAsync(on.mqttUrl, { protocolVersion: 4 });
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
    const off = await startDaemon(false, brokerUrl);
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const rssOff = await rssBytes(off.proc.pid!);
      lines.push(`daemon RSS 1 s after ready, idle: console on ${(rssOn / 2 ** 20).toFixed(1)} MiB, off ${(rssOff / 2 ** 20).toFixed(1)} MiB: Δ ${((rssOn - rssOff) / 2 ** 20).toFixed(1)} MiB`);
    } finally {
      await stopDaemon(off);
    }
  } finally {
    await stopDaemon(on);
  }
  return `${lines.join('\n')}\n`;
}
