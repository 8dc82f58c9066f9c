// `npm run screenshots`: every console page at phone and desktop widths, from a real daemon with
// a little history (a shopping list, notes, a timer, a light turned on, a French turn), written to
// var/screenshots/<page>-<phone|desktop>.png for a person to look at.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(root, 'var/screenshots'));
const PAGES = ['status', 'chat', 'memory', 'models', 'turns'] as const;
const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 860 } } as const;
const SAID = ['add milk to the shopping list', 'add coffee beans to the shopping list', 'remember that the gate code is 4521', 'turn on the kitchen light', 'allume la lumière du salon', 'set a timer for 10 minutes', 'what did I tell you about the gate code', 'what time is it'];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wulf-screens-'));
  const config = {
    deviceId: 'kitchen-pi',
    web: { enabled: true, port: 0 },
    mqtt: { embedded: { port: 0 } },
    areas: [{ id: 'kitchen', names: { en: ['kitchen'], fr: ['cuisine'] } }, { id: 'salon', names: { en: ['living room'], fr: ['salon'] } }],
    devices: [
      { id: 'kitchen_light', names: { en: ['kitchen light'], fr: ['lumière de la cuisine'] }, area: 'kitchen', domain: 'light', preset: 'zigbee2mqtt', target: 'kitchen_light' },
      { id: 'salon_light', names: { en: ['living room light'], fr: ['lumière du salon'] }, area: 'salon', domain: 'light', preset: 'zigbee2mqtt', target: 'salon_light' },
    ],
  };
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  const daemon = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'run', '--config', path.join(dir, 'config.json')], { env: { ...process.env, WULF_STATE_DIR: path.join(dir, 'state'), NOTIFY_SOCKET: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    daemon.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"web console listening"/.exec(buf);
      if (m) resolve(m[1]!);
    });
    daemon.once('exit', (code) => reject(new Error(`the daemon exited (${code}) before its console listened`)));
  });
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
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
