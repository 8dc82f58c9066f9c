// `npm run screenshots`: every console page at phone and desktop widths, from a real daemon with
// a little history (a shopping list, notes, a timer, a light turned on, a French turn) and two
// signed OTA updates of the NLU model (so the Models page shows both slots), written to
// var/screenshots/<page>-<phone|desktop>.png for a person to look at.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from './browser.js';
import { ROOT as root, startDevDaemon } from './dev-daemon.js';

const out = path.resolve(process.argv[2] ?? path.join(root, 'var/screenshots'));
const PAGES = ['status', 'chat', 'memory', 'models', 'turns'] as const;
const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 860 } } as const;
const SAID = ['add milk to the shopping list', 'add coffee beans to the shopping list', 'remember that the gate code is 4521', 'turn on the kitchen light', 'allume la lumière du salon', 'set a timer for 10 minutes', 'what did I tell you about the gate code', 'what time is it'];

const run = promisify(execFile);
const otaCli = path.join(root, 'dist/ota/cli.js');

/** A throwaway signing key, trusted by the daemon about to start. */
async function trustKey(dir: string): Promise<{ key: string; keysDir: string }> {
  const keysDir = path.join(dir, 'trusted-keys');
  await mkdir(keysDir);
  await run(process.execPath, [otaCli, 'keygen', '--out', dir, '--name', 'demo']);
  await copyFile(path.join(dir, 'demo.pub'), path.join(keysDir, 'demo.pub'));
  return { key: path.join(dir, 'demo.key'), keysDir };
}

/** The shipped NLU model, signed as version `version` and pushed over MQTT like a workstation would. */
async function pushNlu(dir: string, key: string, broker: string, deviceId: string, version: number): Promise<void> {
  const bundle = path.join(dir, `nlu-v${version}.bin`);
  const manifest = path.join(root, 'firmware-models/dist/neurolite-tiny/manifest.json');
  const metrics = path.join(dir, 'metrics.json');
  const m = JSON.parse(await readFile(manifest, 'utf8')) as { tflite: { test_split_int8: unknown }; data: { sha256: string } };
  await writeFile(metrics, JSON.stringify(m.tflite.test_split_int8));
  await run(process.execPath, [otaCli, 'build', '--model', path.join(root, 'firmware-models/dist/neurolite-tiny/model.int8.tflite'), '--name', 'neurolite-tiny', '--kind', 'nlu', '--version', String(version), '--key', key, '--out', bundle, '--recipe', 'firmware-models/neurolite/train.py', '--data-hash', m.data.sha256, '--metrics', metrics]);
  await run(process.execPath, [otaCli, 'push', bundle, '--device', deviceId, '--broker', broker]);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wulf-screens-'));
  const { key, keysDir } = await trustKey(dir);
  const config = {
    deviceId: 'kitchen-pi',
    web: { enabled: true, port: 0 },
    mqtt: { embedded: { port: 0 } },
    ota: { trustedKeysDir: keysDir, probationMs: 500 },
    areas: [{ id: 'kitchen', names: { en: ['kitchen'], fr: ['cuisine'] } }, { id: 'salon', names: { en: ['living room'], fr: ['salon'] } }],
    devices: [
      { id: 'kitchen_light', names: { en: ['kitchen light'], fr: ['lumière de la cuisine'] }, area: 'kitchen', domain: 'light', preset: 'zigbee2mqtt', target: 'kitchen_light' },
      { id: 'salon_light', names: { en: ['living room light'], fr: ['lumière du salon'] }, area: 'salon', domain: 'light', preset: 'zigbee2mqtt', target: 'salon_light' },
    ],
  };
  const daemon = await startDevDaemon(config);
  const url = daemon.consoleUrl!;
  const browser = await launchBrowser();
  try {
    await mkdir(out, { recursive: true });
    // bypassCSP only so the screenshot's own style (an unstuck header in full-page shots) applies.
    const context = await browser.newContext({ viewport: SIZES.desktop, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${url}/#/chat`);
    for (const [i, text] of SAID.entries()) {
      await page.fill('#chat-input', text);
      await page.press('#chat-input', 'Enter');
      await page.locator('.bubble.wulf:not(.pending)').nth(i).waitFor({ timeout: 20_000 });
    }
    for (const version of [2, 3]) await pushNlu(dir, key, daemon.brokerUrl, config.deviceId, version);
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewportSize(viewport);
      for (const name of PAGES) {
        await page.goto(`${url}/#/${name}`);
        await page.waitForSelector('main h1');
        await page.waitForLoadState('networkidle');
        await page.screenshot({ path: path.join(out, `${name}-${size}.png`), fullPage: true, style: '.top { position: static !important; }' });
      }
    }
    process.stdout.write(`screenshots written to ${out}\n`);
  } finally {
    await browser.close();
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
