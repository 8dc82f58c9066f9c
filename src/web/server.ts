// The local web console (#14): one node:http server inside the daemon, off by default. It serves the
// built single-page app, read into memory at start (no part of a request path ever reaches the file
// system), and a JSON API over the daemon's own modules (`ConsoleDeps`): the console has no logic of
// its own, it calls what the MQTT path and the CLI call.
//
// Security, in the order a request meets it: Host check (DNS rebinding) → size limits → auth (token
// compared in constant time, then an HttpOnly SameSite=Strict session cookie) → CSRF (a per-session
// token in a header, plus same-origin checks) on every state-changing request → strict headers
// (CSP without inline script or style, no framing, no sniffing) on every response.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isLoopbackHost } from '../config/index.js';
import type { ConsoleDeps, ConsoleEvent } from './types.js';

export interface WebOptions {
  host: string;
  port: number;
  token?: string | undefined;
  maxBodyBytes: number;
  maxEventStreams: number;
  /** The console's address as people reach it (web.publicUrl); its origin is accepted too. */
  publicUrl?: string | undefined;
}

/** Where `npm run build` puts the app (dist/src/web/public), found from the package root. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../dist/src/web/public/', import.meta.url));

const SESSION_COOKIE = 'wulf_session';
const CSRF_HEADER = 'x-wulf-csrf';
const SESSION_TTL_MS = 12 * 3600_000;
const MAX_SESSIONS = 64;
const MAX_URL_CHARS = 2048;

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cache-control': 'no-store',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A request that gets a JSON error: status, a stable code and a sentence for people. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

interface Session {
  csrf: string;
  expiresAt: number;
}

const loginBody = z.strictObject({ token: z.string().max(512) });
const turnBody = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(), text: z.string().trim().min(1, 'is empty').max(2000), lang: z.enum(['en', 'fr']).optional() });
const rollbackBody = z.strictObject({ confirm: z.string() });

export class WebConsole {
  private server: Server | null = null;
  private readonly files = new Map<string, { body: Buffer; type: string }>();
  private readonly sessions = new Map<string, Session>();
  private readonly streams = new Set<ServerResponse>();
  /** CSRF token for clients without a session (no token configured, or a Bearer client). */
  private readonly sharedCsrf = randomBytes(32).toString('base64url');
  private readonly tokenDigest: Buffer | null;
  private unsubscribe: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private failedLogins = 0;
  private readonly publicOrigin: string | null;

  constructor(private readonly opts: WebOptions, private readonly deps: ConsoleDeps, private readonly log: Logger, private readonly publicDir = PUBLIC_DIR) {
    this.tokenDigest = opts.token ? digest(opts.token) : null;
    this.publicOrigin = opts.publicUrl ? new URL(opts.publicUrl).origin : null;
  }

  /** The address it listens on, once started. */
  get url(): string | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) return null;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async start(): Promise<void> {
    await this.loadApp();
    const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => void this.route(req, res));
    server.maxRequestsPerSocket = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err }, 'web console server error'));
    this.server = server;
    this.unsubscribe = this.deps.onEvent((e) => this.broadcast(e));
    // A comment line every 20 s keeps proxies and browsers from timing the stream out.
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) s.write(': keep-alive\n\n');
    }, 20_000);
    this.heartbeat.unref();
    this.log.info({ url: this.url, auth: this.tokenDigest ? 'token' : 'loopback only' }, 'web console listening');
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const s of this.streams) s.end();
    this.streams.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Read the built app into memory: the static server can only ever answer with these files. */
  private async loadApp(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.publicDir);
    } catch {
      throw new Error(`the web console's files are missing (${this.publicDir}); run npm run build`);
    }
    for (const name of names) {
      const type = TYPES[path.extname(name)];
      if (!type || !/^[a-z0-9][a-z0-9._-]*$/.test(name)) continue;
      this.files.set(`/${name}`, { body: await readFile(path.join(this.publicDir, name)), type });
    }
    if (!this.files.has('/index.html')) throw new Error(`the web console's index.html is missing in ${this.publicDir}; run npm run build`);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    try {
      const url = this.checkRequest(req);
      if (url.pathname.startsWith('/api/')) return await this.api(req, res, url);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method', 'only GET here');
      const file = this.files.get(url.pathname === '/' ? '/index.html' : url.pathname);
      if (!file) throw new HttpError(404, 'not_found', 'no such page');
      res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
      res.end(req.method === 'HEAD' ? undefined : file.body);
    } catch (err) {
      this.fail(res, err);
    }
  }

  /** Refusals that come before any routing: odd paths, foreign Host headers, huge URLs. */
  private checkRequest(req: IncomingMessage): URL {
    const raw = req.url ?? '/';
    if (raw.length > MAX_URL_CHARS) throw new HttpError(414, 'uri_too_long', 'the address is too long');
    if (!raw.startsWith('/')) throw new HttpError(400, 'bad_path', 'the path must start with /');
    // No traversal, encoded or not, and no backslashes: refused outright rather than normalised away.
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw.split('?')[0]!);
    } catch {
      throw new HttpError(400, 'bad_path', 'the path is not valid percent-encoding');
    }
    if (/(^|[/\\])\.\.?([/\\]|$)/.test(decoded) || decoded.includes('\\') || decoded.includes('\0') || decoded.includes('//')) throw new HttpError(400, 'bad_path', 'the path may not contain "..", "." segments, backslashes or empty segments');
    const host = req.headers.host ?? '';
    if (!this.tokenDigest && !isLoopbackAuthority(host)) {
      // Without a token, only this machine may talk to the console: a page on another site that
      // rebinds its DNS name to 127.0.0.1 still sends its own Host header and is refused here.
      throw new HttpError(421, 'bad_host', 'this console answers only to localhost addresses unless web.token is set');
    }
    return new URL(raw, 'http://console.invalid');
  }

  private async api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const route = `${method} ${url.pathname}`;
    if (route === 'POST /api/login') return this.login(req, res);
    if (route === 'POST /api/logout') {
      const sid = this.sessionId(req);
      this.checkCsrf(req, sid ? this.sessions.get(sid)?.csrf ?? null : this.sharedCsrf);
      if (sid) this.sessions.delete(sid);
      res.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
      return json(res, 200, { ok: true });
    }
    const auth = this.authenticate(req);
    if (!auth) throw new HttpError(401, 'unauthorized', 'log in with the console token');
    const isWrite = method !== 'GET' && method !== 'HEAD';
    // A Bearer token is no ambient credential (a browser never adds it on its own), so scripts using
    // it need no CSRF token; cookie sessions and the token-less loopback console always do.
    if (isWrite) {
      if (auth.bearer) this.checkSameOrigin(req);
      else this.checkCsrf(req, auth.csrf);
    }

    if (route === 'GET /api/session') return json(res, 200, { csrf: auth.csrf, auth: this.tokenDigest ? 'token' : 'none' });
    if (route === 'GET /api/events') return this.events(req, res);
    if (route === 'GET /api/status') return json(res, 200, await this.deps.status());
    if (route === 'POST /api/turns') {
      const body = turnBody.safeParse(await this.readJson(req));
      if (!body.success) throw new HttpError(400, 'bad_request', describe(body.error));
      const id = body.data.id ?? randomUUID();
      let seq = 0;
      const result = await this.deps.ask({ id, text: body.data.text, ...(body.data.lang ? { lang: body.data.lang } : {}) }, (delta) => this.broadcast({ type: 'partial', id, seq: seq++, delta }));
      if (!result.ok) return json(res, 422, { error: result.error.code, message: result.error.message, id });
      return json(res, 200, result.reply);
    }
    if (route === 'GET /api/turns') return json(res, 200, { turns: this.deps.turns(intParam(url, 'limit', 50, 1, 500)) });
    if (route === 'GET /api/memory') return json(res, 200, this.deps.memory(url.searchParams.get('q')?.slice(0, 200) ?? ''));
    if (route === 'GET /api/memory/export') {
      res.setHeader('content-disposition', 'attachment; filename="wulf-memory.json"');
      return json(res, 200, this.deps.exportMemory());
    }
    const del = /^DELETE \/api\/memory\/(notes|lists|timers|bins)\/([A-Za-z0-9_-]{1,64})(?:\/([A-Za-z0-9_-]{1,64}))?$/.exec(route);
    if (del) {
      const [, kind, a, b] = del as unknown as [string, 'notes' | 'lists' | 'timers' | 'bins', string, string | undefined];
      if ((kind === 'lists') !== (b !== undefined)) throw new HttpError(404, 'not_found', 'no such memory item');
      const removed = await this.deps.forget(kind === 'lists' ? { kind, list: a, id: b! } : { kind, id: a });
      if (!removed) throw new HttpError(404, 'not_found', 'no such memory item (already gone?)');
      this.broadcast({ type: 'memory' });
      return json(res, 200, { ok: true });
    }
    if (route === 'GET /api/models') return json(res, 200, await this.deps.models());
    const rb = /^POST \/api\/models\/([a-z0-9][a-z0-9_-]{0,63})\/rollback$/.exec(route);
    if (rb) {
      const name = rb[1]!;
      const body = rollbackBody.safeParse(await this.readJson(req));
      // The page asks the person to confirm; the API wants that confirmation spelt out too.
      if (!body.success || body.data.confirm !== name) throw new HttpError(400, 'confirm', `a rollback needs {"confirm": "${name}"}`);
      const result = await this.deps.rollback(name);
      if (!result.ok) throw new HttpError(409, 'rollback', result.reason);
      this.broadcast({ type: 'models' });
      return json(res, 200, { ok: true });
    }
    throw new HttpError(404, 'not_found', `no API ${route}`);
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.checkSameOrigin(req);
    const body = loginBody.safeParse(await this.readJson(req));
    if (!body.success) throw new HttpError(400, 'bad_request', describe(body.error));
    if (!this.tokenDigest) return json(res, 200, { csrf: this.sharedCsrf, auth: 'none' });
    if (!timingSafeEqual(digest(body.data.token), this.tokenDigest)) {
      this.failedLogins += 1;
      this.log.warn({ remote: req.socket.remoteAddress, failures: this.failedLogins }, 'web console: wrong token');
      // Slow guessing down (the token is long, this only keeps the log readable).
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * this.failedLogins)));
      throw new HttpError(401, 'unauthorized', 'wrong token');
    }
    this.failedLogins = 0;
    this.expireSessions();
    const sid = randomBytes(32).toString('base64url');
    const session = { csrf: randomBytes(32).toString('base64url'), expiresAt: Date.now() + SESSION_TTL_MS };
    this.sessions.set(sid, session);
    res.setHeader('set-cookie', `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}`);
    json(res, 200, { csrf: session.csrf, auth: 'token' });
  }

  /** Who is asking: null when a token is set and neither a session nor the token came with the request. */
  private authenticate(req: IncomingMessage): { csrf: string; bearer?: boolean } | null {
    if (!this.tokenDigest) return { csrf: this.sharedCsrf };
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) return timingSafeEqual(digest(bearer), this.tokenDigest) ? { csrf: this.sharedCsrf, bearer: true } : null;
    const sid = this.sessionId(req);
    const session = sid ? this.sessions.get(sid) : undefined;
    if (!session) return null;
    if (session.expiresAt < Date.now()) {
      this.sessions.delete(sid!);
      return null;
    }
    return session;
  }

  private sessionId(req: IncomingMessage): string | null {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [k, v] = part.trim().split('=');
      if (k === SESSION_COOKIE && v && /^[A-Za-z0-9_-]{43}$/.test(v)) return v;
    }
    return null;
  }

  private expireSessions(): void {
    const now = Date.now();
    for (const [sid, s] of this.sessions) if (s.expiresAt < now) this.sessions.delete(sid);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /** State-changing requests: same origin, and the CSRF token only our own page can read. */
  private checkCsrf(req: IncomingMessage, expected: string | null): void {
    this.checkSameOrigin(req);
    const got = req.headers[CSRF_HEADER];
    if (typeof got !== 'string' || !expected || !timingSafeEqual(digest(got), digest(expected))) throw new HttpError(403, 'csrf', 'missing or wrong CSRF token (reload the page)');
  }

  private checkSameOrigin(req: IncomingMessage): void {
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'cross_site', 'cross-site requests are refused');
    const origin = req.headers.origin;
    if (origin === undefined) return;
    // Our own page: the address it was loaded from (direct, or through a TLS proxy keeping the Host), or web.publicUrl.
    const host = req.headers.host ?? '';
    if (origin !== `http://${host}` && origin !== `https://${host}` && origin !== this.publicOrigin) throw new HttpError(403, 'cross_site', 'cross-origin requests are refused');
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    if (this.streams.size >= this.opts.maxEventStreams) throw new HttpError(503, 'busy', 'too many open console tabs');
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
  }

  private broadcast(e: ConsoleEvent): void {
    const frame = `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
    for (const s of this.streams) s.write(frame);
  }

  private async readJson(req: IncomingMessage): Promise<unknown> {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/.test(type)) throw new HttpError(415, 'content_type', 'send application/json');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > this.opts.maxBodyBytes) throw new HttpError(413, 'too_large', `the body is over ${this.opts.maxBodyBytes} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.opts.maxBodyBytes) throw new HttpError(413, 'too_large', `the body is over ${this.opts.maxBodyBytes} bytes`);
      chunks.push(chunk);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new HttpError(400, 'bad_json', 'the body is not JSON');
    }
  }

  private fail(res: ServerResponse, err: unknown): void {
    const e = err instanceof HttpError ? err : new HttpError(500, 'internal', 'the console failed; see the daemon log');
    if (!(err instanceof HttpError)) this.log.error({ err }, 'web console request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A body too big is refused before it is read: close the connection rather than drain it.
    if (e.status === 413) res.setHeader('connection', 'close');
    json(res, e.status, { error: e.code, message: e.message });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': data.length });
  res.end(data);
}

/** Fixed-length digests make the comparison constant-time whatever the lengths. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function isLoopbackAuthority(host: string): boolean {
  const m = /^(\[[0-9a-f:]+\]|[^:]+)(?::\d{1,5})?$/i.exec(host);
  if (!m) return false;
  const name = m[1]!.replace(/^\[|\]$/g, '');
  return isLoopbackHost(name);
}

function intParam(url: URL, name: string, dflt: number, min: number, max: number): number {
  const v = Number(url.searchParams.get(name) ?? dflt);
  return Number.isInteger(v) ? Math.min(max, Math.max(min, v)) : dflt;
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}
