// The web console in a real headless Chromium (Playwright, Debian's chromium) against the real
// daemon and a real mosquitto: log in, chat, see and delete memory, watch an OTA push land on the
// Models page and roll it back behind a confirmation; hostile memory text renders as text.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { MemoryStore } from '../../src/memory/index.js';
import { launchBrowser } from '../../src/web/browser.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { repoRoot, tempDir } from '../helpers/paths.js';
import { CONSOLE_TOKEN, consoleDaemon } from '../helpers/web-console.js';

const HOSTILE_NOTE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> the gate code is 4521';
const HOSTILE_ITEM = '<b onmouseover=alert(1)>soap</b>';
const NLU_MODEL = path.join(repoRoot, 'firmware-models/dist/neurolite-tiny/model.int8.tflite');
const otaCli = path.join(repoRoot, 'dist/ota/cli.js');

function wulfOta(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(process.execPath, [otaCli, ...args], { timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`wulf-ota ${args[0]}: ${stderr}`)) : resolve(stdout))));
}

/** A state dir whose store already holds hostile text (as if a person had said it weeks ago). */
async function seededStateDir(): Promise<string> {
  const dir = await tempDir('wulf-web-state-');
  const { store } = await MemoryStore.open(dir, pino({ level: 'silent' }));
  await store.addNote(HOSTILE_NOTE, null);
  await store.addListItem('todo', HOSTILE_ITEM);
  const now = new Date().toISOString();
  await store.addBin({ id: 'bin-1', topic: 'eiffel tower height', question: 'how tall is the eiffel tower', answer: 'About 330 metres.', lang: 'en', embedding: null, source: 'grok', createdAt: now, lastUsedAt: now, uses: 2, decay: 0.42 }, 10);
  await store.flush();
  return dir;
}

async function signingKit(): Promise<{ dir: string; key: string; keysDir: string }> {
  const dir = await tempDir('wulf-web-ota-');
  const keysDir = path.join(dir, 'trusted-keys');
  await mkdir(keysDir);
  await wulfOta(['keygen', '--out', dir, '--name', 'fleet']);
  await writeFile(path.join(keysDir, 'fleet.pub'), await readFile(path.join(dir, 'fleet.pub')));
  return { dir, key: path.join(dir, 'fleet.key'), keysDir };
}

async function pushNlu(kit: { dir: string; key: string }, broker: Mosquitto, deviceId: string, version: number): Promise<void> {
  const out = path.join(kit.dir, `nlu-v${version}.bin`);
  await wulfOta(['build', '--model', NLU_MODEL, '--name', 'neurolite-tiny', '--kind', 'nlu', '--version', String(version), '--key', kit.key, '--out', out, '--recipe', 'firmware-models/neurolite/train.py', '--data-hash', `datahash${version}`]);
  const results = JSON.parse(await wulfOta(['push', out, '--device', deviceId, '--broker', broker.url, '--json'])) as Array<{ result: string }>;
  if (results[0]?.result !== 'committed') throw new Error(`push v${version}: ${JSON.stringify(results)}`);
}

/** A logged-in page; `problems` collects script errors, which each test checks at its end. */
async function openConsole(t: import('ava').ExecutionContext, url: string, width: number): Promise<{ page: Page; problems: string[] }> {
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(url);
  await page.fill('#token', CONSOLE_TOKEN);
  await page.press('#token', 'Enter');
  await page.locator('main h1', { hasText: 'Status' }).waitFor();
  return { page, problems };
}

test('chat adds milk, Memory lists it and deletes it from the store, hostile text stays text, Models follows an OTA push and a confirmed rollback', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const kit = await signingKit();
  const stateDir = await seededStateDir();
  const { daemon, url } = await consoleDaemon(t, { stateDir, env: { WULF_MQTT_URL: broker.url }, web: { token: CONSOLE_TOKEN }, config: { ota: { trustedKeysDir: kit.keysDir, probationMs: 500 } } });
  const { page, problems } = await openConsole(t, url, 1280);
  t.is(await page.locator('#device').textContent(), daemon.deviceId);
  t.regex((await page.locator('main').innerText()).replace(/\s+/g, ' '), /MQTT State connected/);

  // Chat: the reply, its intent and its action, as the assistant gave them.
  await page.click('#nav a[data-page="chat"]');
  await page.fill('#chat-input', 'add milk to the shopping list');
  await page.press('#chat-input', 'Enter');
  const reply = page.locator('.bubble.wulf:not(.pending)').first();
  await reply.waitFor();
  t.regex(await reply.locator('.said').innerText(), /milk/i);
  t.regex(await reply.locator('.meta').innerText(), /HassShoppingListAddItem[\s\S]*item = milk/);

  // Memory: milk is on the shopping list; hostile text is shown as the characters it is.
  await page.click('#nav a[data-page="memory"]');
  const milk = page.locator('[data-list="shopping"] li', { hasText: 'milk' });
  await milk.waitFor();
  t.true((await page.locator('#notes').innerText()).includes(HOSTILE_NOTE));
  t.true((await page.locator('[data-list="todo"]').innerText()).includes(HOSTILE_ITEM));
  t.is(await page.locator('#notes img, #notes script, [data-list="todo"] b, main img').count(), 0, 'no element came from stored text');
  t.is(await page.evaluate('window.__pwned'), undefined);
  // Knowledge bins with their decay, and the search box.
  t.regex((await page.locator('main').innerText()).replace(/\s+/g, ' '), /how tall is the eiffel tower — About 330 metres\. grok, used 2×.* relevance 42%/);
  await page.fill('#memory-search', 'EIFFEL');
  await page.press('#memory-search', 'Enter');
  await page.locator('main', { hasText: 'No notes match.' }).waitFor();
  t.regex(await page.locator('main').innerText(), /eiffel tower/);
  await page.fill('#memory-search', '');
  await page.press('#memory-search', 'Enter');
  await milk.waitFor();

  // Delete milk there: gone from the page and from the store on disk.
  await milk.getByRole('button', { name: 'Delete milk' }).click();
  await milk.waitFor({ state: 'detached' });
  const onDisk = JSON.parse(await readFile(path.join(stateDir, 'store.json'), 'utf8')) as { lists: Record<string, Array<{ text: string }>>; notes: Array<{ text: string }> };
  t.deepEqual(onDisk.lists.shopping, []);
  t.is(onDisk.notes.length, 1, 'only what was deleted is gone');

  // Models: the shipped model, then what OTA puts in service, live (no reload).
  await page.click('#nav a[data-page="models"]');
  const nlu = page.locator('[data-model="neurolite-tiny"]');
  await nlu.waitFor();
  t.regex(await nlu.innerText(), /shipped with Wulf/);
  await pushNlu(kit, broker, daemon.deviceId, 3);
  await nlu.locator('h2', { hasText: 'v3' }).waitFor();
  t.regex((await nlu.innerText()).replace(/\s+/g, ' '), /over-the-air update .*active v3/);
  await pushNlu(kit, broker, daemon.deviceId, 4);
  await nlu.locator('h2', { hasText: 'v4' }).waitFor();
  const slots = (await nlu.innerText()).replace(/\s+/g, ' ');
  t.regex(slots, /previous v3/);
  t.regex(slots, /active v4/);

  // Rollback sits behind a confirmation: dismissing it changes nothing, accepting it goes back to v3.
  const rollback = nlu.getByRole('button', { name: 'Roll back to v3' });
  page.once('dialog', (d) => void d.dismiss());
  await rollback.click();
  await page.waitForTimeout(300);
  t.regex(await nlu.locator('h2').innerText(), /v4/);
  page.once('dialog', (d) => {
    t.regex(d.message(), /Roll neurolite-tiny back to version 3/);
    void d.accept();
  });
  await rollback.click();
  await nlu.locator('h2', { hasText: 'v3' }).waitFor();
  await daemon.waitForLog((l) => l.msg === 'model in service' && l.version === 3 && l.name === 'neurolite-tiny');

  // Turns: the chat turn with its per-stage latency.
  await page.click('#nav a[data-page="turns"]');
  const row = page.locator('#turns tr', { hasText: 'add milk to the shopping list' });
  await row.waitFor();
  t.regex(await row.innerText(), /web[\s\S]*HassShoppingListAddItem[\s\S]*\d+ ms[\s\S]*nlu/);
  t.deepEqual(problems, [], 'no script error in the page');
});

test('phone width: every page renders without horizontal overflow of the page itself', async (t) => {
  const { url } = await consoleDaemon(t, { web: { token: CONSOLE_TOKEN } });
  const { page, problems } = await openConsole(t, url, 390);
  for (const name of ['status', 'chat', 'memory', 'models', 'turns']) {
    await page.click(`#nav a[data-page="${name}"]`);
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle');
    const width = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
    t.true(width[0] <= width[1], `${name}: page is ${width[0]} px wide in a ${width[1]} px window`);
  }
  t.deepEqual(problems, [], 'no script error in the page');
});
