// Benchmark (`npm run bench -- fluid`): what the fluid link adds to a cloud answer, measured against
// a bare HTTP request to the same local OpenAI-style server in the same run; how long a question
// answered from a bin takes as bins accumulate (10, 100, 1000); and the offline reply (cold probe
// and remembered verdict). The store is real (fsynced writes), so its write cost is included.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parseConfig } from '../config/index.js';
import { MemoryStore } from '../memory/index.js';
import { FluidLink } from './link.js';
import { pct, timeIt } from '../../bench/stats.js';

const quiet = pino({ level: 'silent' });
const ANSWER = JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'Forty-two.' }, finish_reason: 'stop' }], usage: { total_tokens: 30 } });

function rawPost(port: number, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function link(dir: string, url: string) {
  const { store } = await MemoryStore.open(dir, quiet);
  const config = { ...parseConfig({ fluid: { providers: [{ name: 'bench', kind: 'lan', url, model: 'm', stream: false }], budget: { callsPerDay: 1_000_000, tokensPerDay: 100_000_000 }, bins: { max: 100_000 } } }, {}, null), stateDir: dir };
  return { store, link: new FluidLink(config, store, {}, quiet) };
}

const TOPICS = ['river', 'mountain', 'ocean', 'planet', 'volcano', 'desert', 'glacier', 'forest', 'island', 'comet', 'language', 'painter', 'composer', 'bridge', 'castle', 'engine', 'vaccine', 'element', 'empire', 'festival'];
const question = (i: number): string => `who discovered the ${TOPICS[i % TOPICS.length]} number ${i} of ${TOPICS[(i * 7 + 3) % TOPICS.length]}s`;

export async function run(args: readonly string[]): Promise<string> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 100);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/v1`;
  const lines: string[] = [];
  const dirs: string[] = [];
  try {
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    const raw = await timeIt(n, () => rawPost(port, body));
    const d1 = await mkdtemp(path.join(os.tmpdir(), 'wulf-fluid-bench-'));
    dirs.push(d1);
    const cloud = await link(d1, url);
    const viaLink = await timeIt(n, (i) => cloud.link.answer({ question: question(i), lang: 'en', reason: 'open_question', turnId: `b${i}` }));
    cloud.link.stop();
    lines.push(`cloud answer through the link   p50 ${pct(viaLink, 0.5).toFixed(2)} ms  p90 ${pct(viaLink, 0.9).toFixed(2)} ms  = ${(pct(viaLink, 0.5) / pct(raw, 0.5)).toFixed(1)}× a bare HTTP request (p50 ${pct(raw, 0.5).toFixed(2)} ms; the link adds the probe check, the bin lookup and two fsynced store writes)`);

    for (const bins of [10, 100, 1000]) {
      const d = await mkdtemp(path.join(os.tmpdir(), 'wulf-fluid-bench-'));
      dirs.push(d);
      const l = await link(d, url);
      for (let i = 0; i < bins; i++) await l.link.bins.learn(question(i), 'Forty-two.', 'en', 'bench', null);
      const hits = await timeIt(n, (i) => l.link.answer({ question: question(i % bins), lang: 'en', reason: 'open_question', turnId: `h${i}` }));
      l.link.stop();
      lines.push(`answer from a bin, ${String(bins).padStart(4)} bins   p50 ${pct(hits, 0.5).toFixed(2)} ms  p90 ${pct(hits, 0.9).toFixed(2)} ms  = ${(pct(hits, 0.5) / pct(viaLink, 0.5)).toFixed(2)}× the cloud answer above`);
    }

    const refused = net.createServer();
    await new Promise<void>((r) => refused.listen(0, '127.0.0.1', r));
    const deadPort = (refused.address() as AddressInfo).port;
    await new Promise<void>((r) => refused.close(() => r()));
    const d3 = await mkdtemp(path.join(os.tmpdir(), 'wulf-fluid-bench-'));
    dirs.push(d3);
    const off = await link(d3, `http://127.0.0.1:${deadPort}/v1`);
    const cold = await timeIt(1, () => off.link.answer({ question: 'who painted the night watch', lang: 'en', reason: 'open_question', turnId: 'o0' }));
    const warm = await timeIt(n, (i) => off.link.answer({ question: question(i), lang: 'en', reason: 'open_question', turnId: `o${i}` }));
    off.link.stop();
    lines.push(`offline reply                   first ${cold[0]!.toFixed(2)} ms (probe), then p50 ${pct(warm, 0.5).toFixed(2)} ms  p90 ${pct(warm, 0.9).toFixed(2)} ms (goal < 300 ms)`);
  } finally {
    server.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
  return `fluid link, ${n} questions each, local server on 127.0.0.1\n${lines.join('\n')}\n`;
}
