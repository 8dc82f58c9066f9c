// The fluid link against a local server speaking the OpenAI API: fallback on every kind of provider
// failure, retries, the circuit breaker, streaming, the offline fast path, bins that outlive the
// connection and then fade, the daily budget, the modes, and what leaves the board.
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import pino from 'pino';
import { parseConfig, type ConfigInput } from '../../src/config/index.js';
import { FluidLink, type FluidReason } from '../../src/fluid/index.js';
import { MemoryStore } from '../../src/memory/index.js';
import { OpenAiServer, type Behaviour } from '../helpers/openai-server.js';
import { tempDir } from '../helpers/paths.js';

const KEY = 'sk-test-SECRET-0123456789';

interface Rig {
  link: FluidLink;
  store: MemoryStore;
  stateDir: string;
  clock: { t: number };
  logText: () => string;
}

type FluidInput = NonNullable<ConfigInput['fluid']>;
type ProviderInput = NonNullable<FluidInput['providers']>[number];

function provider(name: string, url: string, extra: Partial<ProviderInput> = {}): ProviderInput {
  return { name, kind: 'lan', url, model: 'fake-model', apiKey: KEY, connectTimeoutMs: 300, timeoutMs: 800, retries: 0, stream: false, ...extra };
}

async function rig(fluid: FluidInput): Promise<Rig> {
  const stateDir = await tempDir('wulf-fluid-');
  let text = '';
  const sink = new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) });
  const log = pino({ level: 'debug' }, sink);
  const { store } = await MemoryStore.open(stateDir, log);
  const config = { ...parseConfig({ fluid }, {}, null), stateDir };
  const clock = { t: Date.parse('2026-11-25T10:00:00Z') };
  const link = new FluidLink(config, store, {}, log, () => clock.t);
  return { link, store, stateDir, clock, logText: () => text };
}

function ask(link: FluidLink, question: string, reason: FluidReason = 'open_question', lang: 'en' | 'fr' = 'en') {
  return link.answer({ question, lang, reason, turnId: `t-${Math.random()}` });
}

async function failureLines(stateDir: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(stateDir, 'failures', 'fluid.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A port with nothing listening (connection refused). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const failures: Array<[Behaviour, string, Partial<ProviderInput>]> = [
  ['status500', 'http_5xx', {}],
  ['hang', 'timeout', {}],
  ['close', 'socket_closed', {}],
  ['malformed', 'malformed', {}],
  ['half_stream', 'truncated_stream', { stream: true }],
];

for (const [behaviour, failure, extra] of failures) {
  test(`fallback: the first provider fails (${behaviour}) → the second answers; the failure is logged without key or prompt`, async (t) => {
    const a = await OpenAiServer.start();
    const b = await OpenAiServer.start();
    t.teardown(() => Promise.all([a.close(), b.close()]));
    a.fallback = behaviour;
    const r = await rig({ providers: [provider('alpha', a.url, extra), provider('beta', b.url)] });
    t.teardown(() => r.link.stop());
    const answer = await ask(r.link, 'who painted the mona lisa');
    t.is(answer.outcome, 'cloud');
    t.is(answer.provider, 'beta');
    t.is(answer.text, 'The answer to "who painted the mona lisa" is 42.');
    t.deepEqual(answer.failures, [{ provider: 'alpha', failure }]);
    await r.link.failures.append({ ts: '', provider: 'flush', failure: 'none', status: null, latencyMs: 0, attempt: 0 });
    const lines = await failureLines(r.stateDir);
    t.like(lines[0], { provider: 'alpha', failure, attempt: 0 });
    t.is(typeof lines[0]!.latencyMs, 'number');
    const onDisk = await readFile(path.join(r.stateDir, 'failures', 'fluid.jsonl'), 'utf8');
    t.false(onDisk.includes(KEY), 'no API key in the failure log');
    t.false(onDisk.includes('mona lisa'), 'no prompt in the failure log');
    t.false(r.logText().includes(KEY), 'no API key in the service log');
    t.is(a.requests[0]!.headers.authorization, `Bearer ${KEY}`, 'the key does reach the provider');
  });
}

test('retryable failures are retried on the same provider; a 401 is not', async (t) => {
  const a = await OpenAiServer.start();
  const b = await OpenAiServer.start();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const r = await rig({ providers: [provider('alpha', a.url, { retries: 2 }), provider('beta', b.url)] });
  t.teardown(() => r.link.stop());
  a.script = ['status500', 'status429'];
  const first = await ask(r.link, 'why is the sky blue');
  t.is(first.provider, 'alpha');
  t.is(a.requests.length, 3, 'two retries, then the answer');
  a.script = ['status401'];
  const second = await ask(r.link, 'why is the sea salty');
  t.is(second.provider, 'beta');
  t.is(a.requests.length, 4, 'a 401 is not retried');
  t.deepEqual(second.failures, [{ provider: 'alpha', failure: 'http_4xx' }]);
});

test('the circuit opens after N failures (the provider is skipped), half-opens after the cooldown, closes on success', async (t) => {
  const a = await OpenAiServer.start();
  const b = await OpenAiServer.start();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.fallback = 'status500';
  const r = await rig({ providers: [provider('alpha', a.url), provider('beta', b.url)], breaker: { failures: 2, cooldownMs: 60_000 } });
  t.teardown(() => r.link.stop());
  await ask(r.link, 'question one');
  t.is(r.link.breakerState('alpha'), 'closed');
  await ask(r.link, 'question two');
  t.is(r.link.breakerState('alpha'), 'open');
  const third = await ask(r.link, 'question three');
  t.is(a.requests.length, 2, 'an open circuit sends nothing');
  t.is(third.provider, 'beta');
  t.deepEqual(third.failures, [{ provider: 'alpha', failure: 'circuit_open' }]);
  r.clock.t += 60_001;
  t.is(r.link.breakerState('alpha'), 'half_open');
  await ask(r.link, 'question four');
  t.is(a.requests.length, 3, 'one trial request when half-open');
  t.is(r.link.breakerState('alpha'), 'open', 'the failed trial opens it again');
  r.clock.t += 60_001;
  a.fallback = 'answer';
  const fifth = await ask(r.link, 'question five');
  t.is(fifth.provider, 'alpha');
  t.is(r.link.breakerState('alpha'), 'closed');
});

test('a streamed answer arrives piece by piece and is assembled', async (t) => {
  const a = await OpenAiServer.start();
  t.teardown(() => a.close());
  const r = await rig({ providers: [provider('alpha', a.url, { stream: true })] });
  t.teardown(() => r.link.stop());
  const pieces: string[] = [];
  const answer = await r.link.answer({ question: 'how far is the moon', lang: 'en', reason: 'open_question', turnId: 't1', onDelta: (p) => pieces.push(p) });
  t.is(answer.outcome, 'cloud');
  t.true(pieces.length > 3);
  t.is(pieces.join(''), 'The answer to "how far is the moon" is 42.');
  t.is(a.requests[0]!.body!.stream, true);
  t.is(a.requests[0]!.headers.accept, 'text/event-stream');
});

// The reply must not wait for a provider's connect timeout (5 s here); how fast it is (goal < 300 ms,
// measured ~2 ms) is `npm run bench -- fluid`'s to say: a timed assertion failed under CI load (310 ms).
test('offline: with no provider reachable, an open question is answered honestly, without waiting for a connect timeout', async (t) => {
  const refused = await closedPort();
  // 192.0.2.1 (TEST-NET-1) is never routed: a connect there hangs or fails, depending on the host.
  const r = await rig({ providers: [provider('lan', `http://127.0.0.1:${refused}/v1`), provider('cloud', 'http://192.0.2.1:9/v1', { connectTimeoutMs: 5000 })] });
  t.teardown(() => r.link.stop());
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const answer = await ask(r.link, `what is the meaning of life ${i}`);
    const ms = performance.now() - t0;
    t.is(answer.outcome, 'offline');
    t.true(ms < 2500, `answered in ${ms.toFixed(0)} ms: it waited on the unreachable provider`);
  }
  t.is(r.store.data.fluidLog.at(-1)!.sent, null, 'nothing left the board');
});

test('bins: an answer learned online is served offline for a paraphrase, says where it came from, and fades after its window', async (t) => {
  const a = await OpenAiServer.start();
  const r = await rig({ providers: [provider('alpha', a.url)], bins: { halfLifeMs: 3_600_000, dropBelow: 0.25 } });
  t.teardown(() => r.link.stop());
  a.answerFor = () => 'Alexander Graham Bell patented the telephone in 1876.';
  const online = await ask(r.link, 'Who invented the telephone?');
  t.is(online.outcome, 'cloud');
  t.is(r.store.data.bins.length, 1);
  t.like(r.store.data.bins[0], { source: 'alpha', question: 'Who invented the telephone?', lang: 'en', uses: 0 });
  await a.close();

  r.clock.t += 3_600_000; // an hour later, offline
  const offline = await ask(r.link, 'who was the inventor of the telephone');
  t.is(offline.outcome, 'bin');
  t.is(offline.text, 'Alexander Graham Bell patented the telephone in 1876.');
  t.is(offline.provider, 'alpha');
  t.truthy(offline.learnedAt);
  t.is(r.store.data.bins[0]!.uses, 1, 'a recalled bin is refreshed');
  t.is(r.store.data.bins[0]!.decay, 1);

  const other = await ask(r.link, 'who invented the radio');
  t.is(other.outcome, 'offline', 'a different question is not answered from the bin');
  const when = await ask(r.link, 'when was the telephone invented');
  t.is(when.outcome, 'offline', 'nor the same topic asked for something else');

  r.clock.t += 1_900_000; // still under two half-lives since the last use
  t.is((await ask(r.link, 'who invented the telephone')).outcome, 'bin');
  r.clock.t += 2 * 3_600_000 + 1000; // two half-lives unused: relevance < 0.25
  const gone = await ask(r.link, 'who invented the telephone');
  t.is(gone.outcome, 'offline');
  t.is(r.store.data.bins.length, 0, 'a faded bin is dropped');
});

test('a bin learned in French answers a French paraphrase', async (t) => {
  const a = await OpenAiServer.start();
  t.teardown(() => a.close());
  const r = await rig({ providers: [provider('alpha', a.url)] });
  t.teardown(() => r.link.stop());
  a.answerFor = () => 'Canberra.';
  await ask(r.link, 'quelle est la capitale de l’Australie', 'open_question', 'fr');
  a.fallback = 'close';
  const again = await ask(r.link, "c'est quoi la capitale de l'australie", 'open_question', 'fr');
  t.is(again.outcome, 'bin');
  t.is(again.text, 'Canberra.');
  t.is((await ask(r.link, 'what is the capital of australia', 'open_question', 'en')).outcome, 'failed', 'bins answer in their own language only');
});

test('budget: calls beyond the daily budget are refused; the next day they go again', async (t) => {
  const a = await OpenAiServer.start();
  t.teardown(() => a.close());
  const r = await rig({ providers: [provider('alpha', a.url)], budget: { callsPerDay: 2, tokensPerDay: 10_000 } });
  t.teardown(() => r.link.stop());
  t.is((await ask(r.link, 'first question about rivers')).outcome, 'cloud');
  t.is((await ask(r.link, 'second question about mountains')).outcome, 'cloud');
  const third = await ask(r.link, 'third question about oceans');
  t.is(third.outcome, 'budget');
  t.is(a.requests.length, 2);
  t.like(r.link.budget, { calls: 2, callsPerDay: 2, tokens: 60 });
  r.clock.t += 24 * 3600_000;
  t.is((await ask(r.link, 'third question about oceans')).outcome, 'cloud');
});

test('a token budget is enforced too', async (t) => {
  const a = await OpenAiServer.start();
  t.teardown(() => a.close());
  const r = await rig({ providers: [provider('alpha', a.url)], budget: { callsPerDay: 100, tokensPerDay: 50 } });
  t.teardown(() => r.link.stop());
  await ask(r.link, 'question about volcanoes');
  await ask(r.link, 'question about glaciers'); // 60 tokens used now
  t.is((await ask(r.link, 'question about deserts')).outcome, 'budget');
});

test('modes: off sends nothing; when_unsure leaves small talk local; always sends it; no provider means off', async (t) => {
  const a = await OpenAiServer.start();
  t.teardown(() => a.close());
  const r = await rig({ providers: [provider('alpha', a.url)], mode: 'off' });
  t.teardown(() => r.link.stop());
  t.is((await ask(r.link, 'how tall is everest')).outcome, 'off');
  await r.store.setCloudMode('when_unsure');
  t.is((await ask(r.link, 'how are you today', 'chat')).outcome, 'off');
  t.is((await ask(r.link, 'how tall is everest')).outcome, 'cloud');
  t.is((await ask(r.link, 'zorg blim', 'unsure')).outcome, 'cloud');
  await r.store.setCloudMode('always');
  t.is((await ask(r.link, 'how are you today', 'chat')).outcome, 'cloud');
  t.is(a.requests.length, 3);
  const none = await rig({});
  t.is(none.link.mode, 'off');
  t.is((await ask(none.link, 'how tall is everest')).outcome, 'off');
});

test('what is sent is the question alone, recorded in the fluid log; never the notes', async (t) => {
  const a = await OpenAiServer.start();
  t.teardown(() => a.close());
  const r = await rig({ providers: [provider('alpha', a.url)] });
  t.teardown(() => r.link.stop());
  await r.store.addNote('the gate code is 4321', null);
  await ask(r.link, 'what is the tallest tree');
  const body = a.requests[0]!.body!;
  t.is(body.model, 'fake-model');
  t.deepEqual(body.messages!.map((m) => m.role), ['system', 'user']);
  t.is(body.messages![1]!.content, 'what is the tallest tree');
  t.false(a.requests[0]!.raw.includes('4321'));
  t.like(r.store.data.fluidLog.at(-1), { sent: 'what is the tallest tree', provider: 'alpha', outcome: 'cloud', reason: 'open_question', tokens: 30 });
});

test('the failure log rotates by size and keeps a bounded number of files', async (t) => {
  const r = await rig({ providers: [], failureLog: { maxBytes: 1024, keep: 2 } });
  for (let i = 0; i < 60; i++) await r.link.failures.append({ ts: new Date().toISOString(), provider: 'alpha', failure: 'http_5xx', status: 500, latencyMs: i, attempt: 0 });
  const files = (await readdir(path.join(r.stateDir, 'failures'))).sort();
  t.deepEqual(files, ['fluid.1.jsonl', 'fluid.2.jsonl', 'fluid.jsonl']);
  for (const f of files) {
    const text = await readFile(path.join(r.stateDir, 'failures', f), 'utf8');
    t.true(text.length <= 1024);
    for (const line of text.split('\n').filter(Boolean)) t.is((JSON.parse(line) as { provider: string }).provider, 'alpha');
  }
});

test('a failure log that cannot be written (its directory is a file) costs a log line, not the answer', async (t) => {
  const a = await OpenAiServer.start();
  const b = await OpenAiServer.start();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.fallback = 'status500';
  const r = await rig({ providers: [provider('alpha', a.url), provider('beta', b.url)] });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path.join(r.stateDir, 'failures'), 'not a directory');
  const answer = await ask(r.link, 'what is the speed of light');
  t.is(answer.provider, 'beta');
  await r.link.failures.append({ ts: '', provider: 'x', failure: 'y', status: null, latencyMs: 0, attempt: 0 });
  t.true(r.logText().includes('could not write the fluid failure log'));
});
