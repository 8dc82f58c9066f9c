// A local HTTP server speaking the OpenAI chat-completions API (POST /v1/chat/completions, plain JSON
// or server-sent events), standing in for xAI, OpenAI or LM Studio. Each request takes the next
// scripted behaviour (then `fallback`), so a test can make a provider fail in every way a real one does.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour =
  | 'answer' // 200 JSON
  | 'stream' // 200 text/event-stream, ends with [DONE]
  | 'status500'
  | 'status429'
  | 'status401'
  | 'hang' // accepts the request, never answers
  | 'close' // destroys the socket without a response
  | 'malformed' // 200 with a body that is not JSON
  | 'half_stream'; // starts an event stream, then drops the connection

export interface SeenRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean }; messages?: Array<{ role: string; content: string }> } | null;
  raw: string;
}

export class OpenAiServer {
  readonly requests: SeenRequest[] = [];
  /** Behaviours for the next requests, in order; after them, `fallback`. */
  script: Behaviour[] = [];
  fallback: Behaviour = 'answer';
  /** The answer text for a question. */
  answerFor: (question: string) => string = (q) => `The answer to "${q}" is 42.`;
  private readonly sockets = new Set<Socket>();
  connections = 0;
  private withUsage = false;

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<OpenAiServer> {
    const server = http.createServer();
    const s = new OpenAiServer(server);
    server.on('connection', (sock) => {
      s.connections += 1;
      s.sockets.add(sock);
      sock.on('close', () => s.sockets.delete(sock));
    });
    server.on('request', (req, res) => s.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL as a provider's `url`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  get questions(): string[] {
    return this.requests.map((r) => r.body?.messages?.find((m) => m.role === 'user')?.content ?? '');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: SeenRequest['body'] = null;
      try {
        body = JSON.parse(raw) as SeenRequest['body'];
      } catch {
        body = null;
      }
      this.requests.push({ path: req.url ?? '', headers: req.headers, body, raw });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions' || !body) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      const question = body.messages?.find((m) => m.role === 'user')?.content ?? '';
      const behaviour = this.script.shift() ?? this.fallback;
      this.withUsage = body.stream_options?.include_usage === true;
      this.respond(behaviour, body.stream === true, this.answerFor(question), body.model ?? 'fake', res);
    });
  }

  private respond(b: Behaviour, wantsStream: boolean, answer: string, model: string, res: http.ServerResponse): void {
    const json = (status: number, obj: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(obj));
    };
    switch (b) {
      case 'answer':
      case 'stream':
        if (b === 'stream' || wantsStream) return this.stream(answer, model, res, false);
        return json(200, {
          id: 'chatcmpl-1', object: 'chat.completion', created: 1, model,
          choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
        });
      case 'status500':
        return json(500, { error: { message: 'internal error', type: 'server_error' } });
      case 'status429':
        return json(429, { error: { message: 'rate limited', type: 'rate_limit' } }, { 'retry-after': '0' });
      case 'status401':
        return json(401, { error: { message: 'invalid api key', type: 'invalid_request_error' } });
      case 'hang':
        return;
      case 'close':
        res.socket?.destroy();
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ {"message": oops');
        return;
      case 'half_stream':
        return this.stream(answer, model, res, true);
    }
  }

  private stream(answer: string, model: string, res: http.ServerResponse, cut: boolean): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const words = answer.split(/(?<= )/);
    const half = Math.max(1, Math.floor(words.length / 2));
    const event = (delta: Record<string, unknown>, finish: string | null): string =>
      `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(event({ role: 'assistant' }, null));
    for (const [i, w] of words.entries()) {
      if (cut && i === half) {
        // Let what was written reach the client first: half an answer, then the connection drops.
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      res.write(event({ content: w }, null));
    }
    res.write(event({}, 'stop'));
    // OpenAI's stream_options.include_usage: one last chunk with no choices and the usage.
    if (this.withUsage) res.write(`data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 } })}\n\n`);
    res.end('data: [DONE]\n\n');
  }
}
