// kill -9 at random moments during 1,000 turns, 20 times: the store always loads, and every list
// item whose confirmation was published is in it. Natural language through the shipped model.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { tempDir } from '../helpers/paths.js';

const ITEMS = ['lait', 'pain', 'beurre', 'oeufs', 'farine', 'sucre', 'café', 'thé', 'riz', 'pâtes', 'tomates', 'pommes', 'poires', 'carottes', 'oignons', 'ail', 'fromage', 'yaourts', 'jambon', 'poulet'];
const EN = ['milk', 'bread', 'butter', 'eggs', 'flour', 'sugar', 'coffee', 'tea', 'rice', 'pasta', 'tomatoes', 'apples', 'pears', 'carrots', 'onions', 'garlic', 'cheese', 'yogurt', 'ham', 'chicken'];

test('kill -9 at 20 random moments over 1,000 turns: the store loads and holds every confirmed list item', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const stateDir = await tempDir();
  const deviceId = 'crashy';
  const confirmed = new Set<string>();
  let turn = 0;
  for (let round = 0; round < 20 && turn < 1000; round++) {
    const daemon = await DaemonProcess.start({ stateDir, deviceId, env: { WULF_MQTT_URL: broker.url } });
    await daemon.ready();
    t.falsy(daemon.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('STORE WAS CORRUPT')), `round ${round}: the store loads`);
    const client = await Recorder.connect(broker.url, { clientId: `asker-${round}` });
    await client.subscribe(`wulf/${deviceId}/reply`);
    client.client.on('message', (_topic, payload) => {
      const r = JSON.parse(payload.toString()) as { actions: Array<{ tool?: string; list?: string; item?: string; id?: string }> };
      for (const a of r.actions) if (a.tool === 'list_add' && a.id) confirmed.add(a.id);
    });
    const turnsThisRound = 20 + Math.floor(Math.random() * 80);
    const killAfterMs = 100 + Math.random() * 1500;
    const sending = (async () => {
      for (let i = 0; i < turnsThisRound && turn < 1000; i++, turn++) {
        const k = turn % ITEMS.length;
        const text = turn % 2 ? `ajoute ${ITEMS[k]} ${turn} à la liste de courses` : `add ${EN[k]} ${turn} to the shopping list`;
        // An ask in flight when the daemon dies may never be acknowledged: that is the point.
        client.client.publishAsync(`wulf/${deviceId}/ask`, JSON.stringify({ text, id: `t${turn}`, lang: turn % 2 ? 'fr' : 'en' }), { qos: 1 }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, killAfterMs));
    daemon.signal('SIGKILL');
    await daemon.exited;
    await sending;
    await client.end().catch(() => undefined); // closing with unacknowledged asks is expected here
  }
  t.true(turn >= 1000 || confirmed.size > 0);
  const store = JSON.parse(await readFile(path.join(stateDir, 'store.json'), 'utf8')) as { lists: Record<string, Array<{ id: string }>> };
  const stored = new Set(Object.values(store.lists).flat().map((i) => i.id));
  const lost = [...confirmed].filter((id) => !stored.has(id));
  t.log(`${turn} turns sent, ${confirmed.size} list items confirmed, ${stored.size} stored`);
  t.deepEqual(lost, [], 'no confirmed item is lost');
  t.true(confirmed.size > 50, 'enough items were confirmed for the test to mean something');
});
