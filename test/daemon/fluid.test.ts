// The fluid link in the real daemon, through a real mosquitto, against a local server speaking the
// OpenAI API: an open question answered online is answered again offline from its bin (and says so),
// local commands never touch or wait on the cloud, the offline reply is immediate, the budget holds,
// the key comes from the environment and never reaches the log, and `wulf fluid log|bins` show it all.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { OpenAiServer } from '../helpers/openai-server.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const KEY = 'sk-live-DO-NOT-LOG-9876543210';

const home = {
  areas: [{ id: 'cuisine', names: { en: ['kitchen'], fr: ['cuisine'] } }],
  devices: [{ id: 'cuisine.light', names: { en: ['kitchen light'], fr: ['lumière de la cuisine'] }, area: 'cuisine', domain: 'light', preset: 'tasmota', target: 'kitchen' }],
};

interface Reply {
  text: string;
  intent: string | null;
  source: string;
  latency_ms: number;
  actions: Array<{ tool?: string; outcome?: string }>;
}

async function setup(t: import('ava').ExecutionContext, fluid: Record<string, unknown>, env: Record<string, string> = {}) {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const config = { ...home, fluid };
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url, ...env }, config });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  const replyTopic = `wulf/${daemon.deviceId}/reply`;
  await client.subscribe([replyTopic, 'cmnd/#']);
  let n = 0;
  const send = async (text: string, lang: 'en' | 'fr' = 'en', session = 's1'): Promise<string> => {
    const id = `q${++n}`;
    await client.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text, id, lang, session }), { qos: 1 });
    return id;
  };
  const reply = async (id: string, timeoutMs = 10_000) => (await client.waitJson(replyTopic, id, timeoutMs)) as unknown as Reply;
  const ask = async (text: string, lang: 'en' | 'fr' = 'en') => reply(await send(text, lang));
  const configFile = path.join(await tempDir('wulf-fluid-cli-'), 'config.json');
  await writeFile(configFile, JSON.stringify({ ...config, stateDir: daemon.stateDir }));
  return { broker, daemon, client, send, reply, ask, configFile };
}

test('an open question answered online is answered offline from its bin for a paraphrase; /clearmemory empties the bins', async (t) => {
  const server = await OpenAiServer.start();
  t.teardown(() => server.close());
  server.answerFor = () => 'Alexander Graham Bell patented it in 1876.';
  const { ask, daemon, configFile } = await setup(t, { providers: [{ name: 'alpha', kind: 'lan', url: server.url, model: 'm' }] });

  const online = await ask('who invented the telephone');
  t.is(online.intent, 'WulfAsk');
  t.is(online.source, 'cloud');
  t.is(online.text, 'Alexander Graham Bell patented it in 1876. (answer from alpha, online)');
  t.deepEqual(server.questions, ['who invented the telephone'], 'the question alone left the board');
  await server.close();

  const offline = await ask('who was the inventor of the telephone');
  t.is(offline.source, 'memory');
  t.regex(offline.text, /^Alexander Graham Bell patented it in 1876\. \(learned online from alpha on \d{4}-\d\d-\d\d\)$/);

  const log = await runCli(['fluid', 'log', '--json', '-c', configFile]);
  t.is(log.code, 0, log.stderr);
  const calls = log.stdout.trim().split('\n').map((l) => JSON.parse(l) as { sent: string | null; outcome: string; provider: string });
  t.like(calls[0], { sent: 'who invented the telephone', outcome: 'cloud', provider: 'alpha' });
  t.like(calls[1], { sent: null, outcome: 'bin', provider: 'alpha' });
  const human = await runCli(['fluid', 'log', '-c', configFile]);
  t.regex(human.stdout, /today \(\d{4}-\d\d-\d\d\): 1 calls, \d+ tokens/);
  const bins = await runCli(['fluid', 'bins', '--json', '-c', configFile]);
  const listed = bins.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.is(listed.length, 1);
  t.like(listed[0], { topic: 'invented telephone', source: 'alpha', uses: 1, lang: 'en' });
  t.false('embedding' in listed[0]!);

  t.regex((await ask('/clearmemory')).text, /^Should I clear my notes and knowledge\?/);
  t.regex((await ask('yes')).text, /and 1 knowledge bins/);
  const forgotten = await ask('who was the inventor of the telephone');
  t.is(forgotten.source, 'local');
  t.is(forgotten.text, "I'm offline and have nothing saved about that. Ask me again when I'm online.");
  t.is(daemon.proc.exitCode, null);
});

// Not a speed test (that is `npm run bench -- fluid`): the reply must not wait for the 10 s connect timeout.
test('offline: a local command never contacts the cloud; an open question gets an honest reply without waiting for a connect timeout', async (t) => {
  const server = await OpenAiServer.start();
  t.teardown(() => server.close());
  const port = server.port;
  await server.close(); // nothing listens there any more
  const { ask, client } = await setup(t, {
    providers: [
      { name: 'lan', kind: 'lan', url: `http://127.0.0.1:${port}/v1`, model: 'm' },
      { name: 'far', kind: 'lan', url: 'http://192.0.2.1:9/v1', model: 'm', connectTimeoutMs: 10_000 },
    ],
  });
  const local = await ask('turn on the kitchen light');
  t.is(local.intent, 'HassTurnOn');
  t.false(local.actions.some((a) => a.tool === 'fluid'), 'no fluid step in a local command');
  await client.waitFor((m) => m.topic === 'cmnd/kitchen/POWER' && m.payload.toString() === 'ON');
  for (const q of ['who invented the telephone', 'what is the capital of australia']) {
    const r = await ask(q);
    t.is(r.text, "I'm offline and have nothing saved about that. Ask me again when I'm online.");
    t.true(r.latency_ms < 5000, `${q}: ${r.latency_ms} ms: it waited on the unreachable provider`);
  }
});

test('a local command is not held up by a slow cloud answer in flight', async (t) => {
  const server = await OpenAiServer.start();
  t.teardown(() => server.close());
  server.fallback = 'hang';
  const { send, reply } = await setup(t, { providers: [{ name: 'slow', kind: 'lan', url: server.url, model: 'm', timeoutMs: 8000, retries: 0 }] });
  const question = await send('who invented the telephone', 'en', 'a');
  // The command goes out once the question is with the (hanging) provider, however loaded the machine.
  for (const deadline = Date.now() + 10_000; server.requests.length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  t.is(server.requests.length, 1, 'the question reached the provider');
  const sentAt = Date.now();
  const command = await send('turn on the kitchen light', 'en', 'b');
  const cmd = await reply(command, 6000);
  t.is(cmd.intent, 'HassTurnOn');
  t.true(Date.now() - sentAt < 8000, 'the command was answered while the question was still with the provider');
  const q = await reply(question, 12_000);
  t.regex(q.text, /^The cloud did not answer \(slow failed\)/);
});

test('the daily budget refuses further calls with a clear reply', async (t) => {
  const server = await OpenAiServer.start();
  t.teardown(() => server.close());
  // kind openai asks for the stream's usage (include_usage), so the token count is the server's.
  const { ask } = await setup(t, { providers: [{ name: 'alpha', kind: 'openai', url: server.url, model: 'm', apiKey: 'k' }], budget: { callsPerDay: 1 } });
  t.is((await ask('who invented the telephone')).source, 'cloud');
  const refused = await ask('what is the capital of australia');
  t.is(refused.text, "Today's cloud budget is used up (1/1 calls, 30/100000 tokens). Ask me again tomorrow.");
  t.is(server.requests.length, 1);
});

test('the API key comes from the environment, reaches the provider, and never the log', async (t) => {
  const server = await OpenAiServer.start();
  t.teardown(() => server.close());
  server.script = ['status500', 'status500'];
  const { ask, daemon } = await setup(t, { providers: [{ name: 'openai', kind: 'openai', url: server.url, model: 'gpt-test', retries: 2 }] }, { OPENAI_API_KEY: KEY });
  const r = await ask('who invented the telephone');
  t.is(r.source, 'cloud');
  t.is(server.requests.length, 3);
  for (const req of server.requests) t.is(req.headers.authorization, `Bearer ${KEY}`);
  t.truthy(daemon.logs.find((l) => l.msg === 'cloud provider failed'));
  t.false(JSON.stringify(daemon.logs).includes(KEY));
  t.false(daemon.stderr.includes(KEY));
});

test('a sentence the model is unsure of goes to the cloud in when_unsure mode; Home Assistant’s select turns that off', async (t) => {
  const server = await OpenAiServer.start();
  t.teardown(() => server.close());
  server.answerFor = () => 'I am not sure what you mean, but here is a guess.';
  // A threshold of 1 makes every parse "unsure", whatever the shipped model says.
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url }, config: { nlu: { confidenceThreshold: 1 }, fluid: { providers: [{ name: 'alpha', kind: 'lan', url: server.url, model: 'm' }] } } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  const base = `wulf/${daemon.deviceId}`;
  await client.subscribe([`${base}/reply`, `${base}/cloud/state`]);
  t.is((await client.waitFor((m) => m.topic === `${base}/cloud/state`)).payload.toString(), 'when_unsure', 'the select shows the configured mode');
  await client.client.publishAsync(`${base}/ask`, JSON.stringify({ id: 'u1', text: 'blorp the zingle wobbler' }), { qos: 1 });
  const unsure = (await client.waitJson(`${base}/reply`, 'u1')) as unknown as Reply;
  t.is(unsure.source, 'cloud');
  t.is(unsure.intent, null);
  t.deepEqual(server.questions, ['blorp the zingle wobbler']);
  await client.client.publishAsync(`${base}/cloud/set`, 'off', { qos: 1 });
  await client.waitFor((m) => m.topic === `${base}/cloud/state` && m.payload.toString() === 'off');
  await client.client.publishAsync(`${base}/ask`, JSON.stringify({ id: 'u2', text: 'frobnicate the quux' }), { qos: 1 });
  const off = (await client.waitJson(`${base}/reply`, 'u2')) as unknown as Reply;
  t.is(off.text, "Sorry, I didn't get that. Could you say it another way?");
  t.is(server.requests.length, 1, 'nothing sent with the cloud off');
});
