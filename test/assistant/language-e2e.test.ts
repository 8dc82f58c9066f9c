// Natural language end to end with the shipped NeuroLite model, through a real mosquitto:
// French and English commands reach the configured devices; unknown rooms get an honest answer;
// Hermes NLU queries get intents that rhasspy-hermes parses, with their slots.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { repoRoot } from '../helpers/paths.js';
import { homeConfig } from '../helpers/home-config.js';

const config = homeConfig;

async function setup(t: import('ava').ExecutionContext) {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url }, config });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  t.truthy(daemon.logs.find((l) => l.msg === 'NLU model in service'), 'the shipped NLU model is loaded');
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  const reply = `wulf/${daemon.deviceId}/reply`;
  await client.subscribe([reply, 'zigbee2mqtt/#', 'cmnd/#']);
  let n = 0;
  const ask = async (text: string, lang: 'en' | 'fr') => {
    const id = `q${++n}`;
    await client.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text, id, lang }), { qos: 1 });
    return client.waitJson(reply, id) as Promise<{ text: string; intent: string; slots: Record<string, string>; actions: Array<{ topic?: string; payload?: string }> }>;
  };
  return { broker, daemon, client, ask };
}

test('"allume la lumière du salon" and "turn on the living room lights" publish the configured payload and say so in the request language', async (t) => {
  const { client, ask, daemon } = await setup(t);
  const fr = await ask('allume la lumière du salon', 'fr');
  t.is(fr.intent, 'HassTurnOn');
  t.regex(fr.text, /^(|C’est fait : |D’accord, )(J’ai|j’ai) allumé lumière du salon\./);
  const m = await client.waitFor((m) => m.topic === 'zigbee2mqtt/salon_lamp/set');
  t.is(m.payload.toString(), '{"state":"ON"}');
  const en = await ask('turn on the living room lights', 'en');
  t.is(en.intent, 'HassTurnOn');
  t.regex(en.text, /^(|Done: |OK, )(Turned|turned) on living room light\./);
  t.deepEqual(en.actions.map((a) => a.topic), ['zigbee2mqtt/salon_lamp/set']);
  const off = await ask('éteins la lumière de la cuisine', 'fr');
  t.is(off.intent, 'HassTurnOff');
  await client.waitFor((m) => m.topic === 'cmnd/kitchen/POWER' && m.payload.toString() === 'OFF');
  // Every turn is logged with what it did and how long each stage took.
  const store = JSON.parse(await readFile(path.join(daemon.stateDir, 'store.json'), 'utf8')) as { messages: Array<{ role: string; intent: string; actions?: Array<{ topic?: string }>; slots: unknown[] }>; metrics: Array<{ confidence: number; entropy: number; stages?: { nlu: number; tools: number } }> };
  const lastReply = store.messages.filter((m) => m.role === 'assistant').at(-1)!;
  t.deepEqual(lastReply.actions?.map((a) => a.topic), ['cmnd/kitchen/POWER']);
  const metric = store.metrics.at(-1)!;
  t.true(metric.stages!.nlu > 0 && metric.stages!.tools >= 0 && metric.confidence > 0.5 && metric.entropy >= 0);
});

test('an unknown room gets an honest reply naming what is known, and nothing is published', async (t) => {
  const { client, ask } = await setup(t);
  const r = await ask('allume la lumière du grenier', 'fr');
  t.is(r.intent, 'HassTurnOn');
  t.regex(r.text, /Je ne connais pas « [^»]*grenier »\. Je connais : lumière du salon, lumière de la cuisine\./);
  await new Promise((res) => setTimeout(res, 300));
  t.false(client.messages.some((m) => m.topic.startsWith('zigbee2mqtt') || m.topic.startsWith('cmnd')));
});

test('lists and timers from natural language', async (t) => {
  const { ask } = await setup(t);
  const add = await ask('ajoute du lait à la liste de courses', 'fr');
  t.is(add.intent, 'HassShoppingListAddItem');
  t.regex(add.text, /lait.* (à|est sur|va sur) la liste de courses\./i);
  const timer = await ask('set a timer for 10 minutes', 'en');
  t.is(timer.intent, 'HassStartTimer');
  t.regex(timer.text, /set for 10 minutes/);
});

test('Hermes: an NLU query from rhasspy-hermes gets hermes/intent/<Intent> with its slots, parsed by that package', async (t) => {
  const { broker } = await setup(t);
  const python = path.join(repoRoot, '.venv/hermes/bin/python');
  const r = await new Promise<{ topic?: string; parsed?: { intent: { intent_name?: string; intentName?: string }; slots: Array<{ slot_name?: string; slotName?: string; raw_value?: string; rawValue?: string }> } }>((resolve, reject) => {
    execFile(python, [path.join(repoRoot, 'test/helpers/hermes_client.py'), String(broker.port), 'nlu', 'turn off the kitchen light', 'default'], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(JSON.parse(stdout) as never)));
  });
  t.is(r.topic, 'hermes/intent/HassTurnOff');
  t.is(r.parsed?.intent.intent_name ?? r.parsed?.intent.intentName, 'HassTurnOff');
  const slots = (r.parsed?.slots ?? []).map((s) => [s.slot_name ?? s.slotName, s.raw_value ?? s.rawValue]);
  t.true(slots.some(([, raw]) => typeof raw === 'string' && raw.includes('kitchen')), `the place is a slot: ${JSON.stringify(slots)}`);
});
