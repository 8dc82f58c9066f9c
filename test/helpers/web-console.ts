// A daemon with its web console on (a free port), and plain-HTTP requests to it with every header
// under the test's control (node:http, so Origin, Sec-Fetch-Site and raw paths go out as written).
import http from 'node:http';
import type { ExecutionContext } from 'ava';
import { DaemonProcess } from './daemon-process.js';

export const CONSOLE_TOKEN = 'correct-horse-battery-staple-42';

export async function consoleDaemon(t: ExecutionContext, opts: { config?: Record<string, unknown>; env?: Record<string, string>; stateDir?: string; web?: Record<string, unknown> } = {}): Promise<{ daemon: DaemonProcess; url: string }> {
  const daemon = await DaemonProcess.start({ ...(opts.stateDir ? { stateDir: opts.stateDir } : {}), ...(opts.env ? { env: opts.env } : {}), config: { ...opts.config, web: { enabled: true, port: 0, ...opts.web } } });
  t.teardown(() => daemon.kill());
  await daemon.ready(60_000);
  const line = await daemon.waitForLog('web console listening');
  return { daemon, url: String(line.url) };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => Record<string, unknown>;
}

export function request(url: string, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as Record<string, unknown> });
      });
    });
    // A refused oversized body may close the socket before we finish writing: the answer still counts.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(opts.body);
  });
}

/** Log in with the token: the session cookie and the session's CSRF token. */
export async function login(url: string, token = CONSOLE_TOKEN): Promise<{ cookie: string; csrf: string }> {
  const res = await request(url, { method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ token }) });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${res.body}`);
  const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  return { cookie, csrf: String(res.json().csrf) };
}
