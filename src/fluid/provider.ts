// One provider of the OpenAI-compatible chat-completions API (xAI Grok, OpenAI, LM Studio, Ollama,
// llama.cpp server): one request with a connect timeout and a total timeout, plain or streamed
// (server-sent events), every failure classified so the link knows whether to retry, move on, or
// call the board offline. Written on node:http(s) because the connect phase needs its own timer.
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { providerDefaults, type ProviderConfig } from '../config/index.js';

// node:http(s) through require, not import: an ES import of a built-in builds its module facade,
// which reads every export, and node:http's lazy fetch/WebSocket exports then load undici at
// start-up (60 ms here, over a second on a slow board) for nothing.
const require = createRequire(import.meta.url);
const http = require('node:http') as typeof import('node:http');
const https = require('node:https') as typeof import('node:https');

export type FailureClass =
  | 'connect_timeout' // TCP/TLS did not open in time
  | 'unreachable' // refused, no route, DNS failure: the board is offline or the server is down
  | 'tls'
  | 'timeout' // connected, but the answer did not finish in time
  | 'http_429'
  | 'http_5xx'
  | 'http_4xx' // our request or key is wrong: retrying will not help
  | 'socket_closed' // the connection dropped before the answer
  | 'truncated_stream' // a stream ended before its end marker
  | 'malformed'; // the body is not the API's JSON

const RETRYABLE: ReadonlySet<FailureClass> = new Set(['http_429', 'http_5xx', 'socket_closed', 'truncated_stream']);
/** Failures that say the network path is down, not the server's answer wrong. */
export const UNREACHABLE: ReadonlySet<FailureClass> = new Set(['connect_timeout', 'unreachable']);

export class ProviderError extends Error {
  constructor(
    readonly failure: FailureClass,
    message: string,
    readonly status: number | null = null,
    /** Seconds the server asked us to wait (429/503 Retry-After). */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  get isRetryable(): boolean {
    return RETRYABLE.has(this.failure);
  }
}

export interface ChatRequest {
  system: string;
  user: string;
  /** Called with each piece of a streamed answer as it arrives. */
  onDelta?: (text: string) => void;
}

export interface ChatAnswer {
  text: string;
  /** Tokens used as the server reports them, or estimated (4 characters a token) when it does not. */
  tokens: number;
  model: string | null;
  streamed: boolean;
}

const MAX_BODY_BYTES = 2 * 2 ** 20;

/** The API base URL and key a provider config resolves to (the key from config or environment). */
export function resolveProvider(p: ProviderConfig, env: Record<string, string | undefined>): { url: URL; apiKey: string | null } {
  const base = p.url ?? providerDefaults[p.kind].url;
  if (!base) throw new Error(`provider ${p.name}: no url`);
  const keyEnv = p.apiKeyEnv ?? providerDefaults[p.kind].apiKeyEnv;
  const apiKey = p.apiKey ?? (keyEnv ? env[keyEnv] : undefined) ?? null;
  return { url: new URL(`${base.replace(/\/+$/, '')}/chat/completions`), apiKey: apiKey || null };
}

export class ChatProvider {
  readonly name: string;
  readonly url: URL;
  readonly #apiKey: string | null; // private field: never enumerated, never logged

  constructor(readonly config: ProviderConfig, env: Record<string, string | undefined>) {
    this.name = config.name;
    const r = resolveProvider(config, env);
    this.url = r.url;
    this.#apiKey = r.apiKey;
  }

  get hasKey(): boolean {
    return this.#apiKey !== null;
  }

  /** host:port, for the connectivity probe. */
  get endpoint(): { host: string; port: number; tls: boolean } {
    const tls = this.url.protocol === 'https:';
    return { host: this.url.hostname.replace(/^\[|\]$/g, ''), port: Number(this.url.port) || (tls ? 443 : 80), tls };
  }

  /** One request, no retries. Rejects with a ProviderError. */
  complete(ask: ChatRequest): Promise<ChatAnswer> {
    const c = this.config;
    const body = JSON.stringify({
      model: c.model,
      messages: [
        { role: 'system', content: ask.system },
        { role: 'user', content: ask.user },
      ],
      max_tokens: c.maxTokens,
      temperature: 0.3,
      stream: c.stream,
      // xAI and OpenAI report a stream's token use when asked; LAN servers may reject the field.
      ...(c.stream && c.kind !== 'lan' ? { stream_options: { include_usage: true } } : {}),
    });
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      accept: c.stream ? 'text/event-stream' : 'application/json',
      'user-agent': 'wulf-fluid',
    };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    const mod = this.url.protocol === 'https:' ? https : http;

    return new Promise<ChatAnswer>((resolve, reject) => {
      let done = false;
      const finish = (err: ProviderError | null, answer?: ChatAnswer): void => {
        if (done) return;
        done = true;
        clearTimeout(total);
        clearTimeout(connect);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(answer!);
      };
      const req = mod.request(this.url, { method: 'POST', headers, agent: false });
      const total = setTimeout(() => finish(new ProviderError('timeout', `${this.name}: no complete answer within ${c.timeoutMs} ms`)), c.timeoutMs);
      let connect: NodeJS.Timeout | undefined;
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        connect = setTimeout(() => finish(new ProviderError('connect_timeout', `${this.name}: could not connect within ${c.connectTimeoutMs} ms`)), c.connectTimeoutMs);
        socket.once(this.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connect));
      });
      let responding = false;
      // Once a response has begun, its reader reports a dropped connection (a cut stream is not a refused connect).
      req.on('error', (err: NodeJS.ErrnoException) => responding || finish(classifySocketError(this.name, err)));
      req.on('response', (res) => {
        responding = true;
        const status = res.statusCode ?? 0;
        const type = String(res.headers['content-type'] ?? '');
        if (status !== 200) {
          readBody(res, 64 * 1024).then(
            () => finish(httpError(this.name, status, res.headers['retry-after'])),
            () => finish(httpError(this.name, status, res.headers['retry-after'])),
          );
          return;
        }
        const parse = type.includes('text/event-stream') ? readStream(res, ask.onDelta) : readBody(res, MAX_BODY_BYTES).then(parseCompletion);
        parse.then(
          (a) => finish(null, a),
          (err: unknown) => finish(err instanceof ProviderError ? withName(this.name, err) : new ProviderError('socket_closed', `${this.name}: ${(err as Error).message}`)),
        );
      });
      req.end(body);
    });
  }
}

function withName(name: string, err: ProviderError): ProviderError {
  return new ProviderError(err.failure, `${name}: ${err.message}`, err.status, err.retryAfterS);
}

function classifySocketError(name: string, err: NodeJS.ErrnoException): ProviderError {
  const code = err.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN'].includes(code)) {
    return new ProviderError('unreachable', `${name}: unreachable (${code})`);
  }
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'EPROTO') return new ProviderError('tls', `${name}: TLS failed (${code})`);
  return new ProviderError('socket_closed', `${name}: connection closed (${code || err.message})`);
}

function httpError(name: string, status: number, retryAfter: string | string[] | undefined): ProviderError {
  const failure: FailureClass = status === 429 ? 'http_429' : status >= 500 ? 'http_5xx' : 'http_4xx';
  const s = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  return new ProviderError(failure, `${name}: HTTP ${status}`, status, Number.isFinite(s) && s >= 0 ? s : null);
}

/** The whole body, bounded; rejects if the connection drops before its end. */
function readBody(res: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        res.destroy();
        reject(new ProviderError('malformed', `answer larger than ${max} bytes`));
      } else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('close', () => res.complete || reject(new ProviderError('socket_closed', 'connection closed mid-answer')));
    res.on('error', () => reject(new ProviderError('socket_closed', 'connection closed mid-answer')));
  });
}

interface Completion {
  model?: unknown;
  choices?: Array<{ message?: { content?: unknown }; delta?: { content?: unknown }; finish_reason?: unknown }>;
  usage?: { total_tokens?: unknown };
}

function parseCompletion(text: string): ChatAnswer {
  let json: Completion;
  try {
    json = JSON.parse(text) as Completion;
  } catch {
    throw new ProviderError('malformed', 'answer is not JSON');
  }
  const content = json?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new ProviderError('malformed', 'answer has no choices[0].message.content');
  const used = json.usage?.total_tokens;
  return { text: content, tokens: typeof used === 'number' && used >= 0 ? used : estimateTokens(content), model: typeof json.model === 'string' ? json.model : null, streamed: false };
}

/** Server-sent events: `data: {chunk}` lines until `data: [DONE]` (or a chunk with finish_reason). */
function readStream(res: IncomingMessage, onDelta?: (t: string) => void): Promise<ChatAnswer> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let text = '';
    let tokens: number | null = null;
    let model: string | null = null;
    let finished = false;
    let size = 0;
    let settled = false;
    const fail = (err: ProviderError): void => {
      if (settled) return;
      settled = true;
      res.destroy();
      reject(err);
    };
    const line = (l: string): void => {
      if (!l.startsWith('data:')) return; // comments, event:, id:, retry:
      const data = l.slice(5).trim();
      if (data === '[DONE]') {
        finished = true;
        return;
      }
      let chunk: Completion;
      try {
        chunk = JSON.parse(data) as Completion;
      } catch {
        return fail(new ProviderError('malformed', 'a stream event is not JSON'));
      }
      const choice = chunk?.choices?.[0];
      const piece = choice?.delta?.content;
      if (typeof piece === 'string' && piece) {
        text += piece;
        onDelta?.(piece);
      }
      if (choice?.finish_reason) finished = true;
      if (typeof chunk?.usage?.total_tokens === 'number') tokens = chunk.usage.total_tokens;
      if (typeof chunk?.model === 'string') model = chunk.model;
    };
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) return fail(new ProviderError('malformed', 'stream larger than allowed'));
      buf += c;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        line(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    });
    const end = (): void => {
      if (buf) line(buf);
      buf = '';
      if (settled) return;
      if (!finished) return fail(new ProviderError('truncated_stream', `stream ended without its end marker after ${text.length} characters`));
      settled = true;
      resolve({ text, tokens: tokens ?? estimateTokens(text), model, streamed: true });
    };
    const cut = (): void => (finished ? end() : fail(new ProviderError('truncated_stream', `stream cut after ${text.length} characters`)));
    res.on('end', end);
    res.on('close', () => res.complete || cut());
    res.on('error', cut);
  });
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
