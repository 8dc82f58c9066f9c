// Only src/fluid may open an internet connection. This scans every module of the product for
// network imports and calls; the MQTT client (src/mqtt), the OTA HTTP transport, the Wyoming server and the web console
// (a server, its page and its benchmark) are the declared exceptions. The scanner is tested on snippets first, so a silent scanner cannot pass.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { repoRoot } from '../helpers/paths.js';

const NET_MODULES = ['http', 'https', 'http2', 'net', 'tls', 'dgram', 'undici', 'node-fetch', 'axios', 'got', 'ws', 'mqtt', 'request', 'superagent', 'ky'];
const EXCEPTIONS: Record<string, string> = {
  'src/mqtt/': 'the MQTT client and the embedded broker',
  'src/ota/transfer.ts': 'the OTA HTTP(S) transport (range requests for model bundles)',
  'src/audio/wyoming.ts': 'the Wyoming server: accepts local clients (loopback unless configured), never connects out',
  'src/web/server.ts': 'the web console server: accepts local clients (LAN ones only with a token), never connects out',
  'src/web/app/main.ts': 'the console page, in the browser: fetch and EventSource to its own origin only (CSP connect-src \'self\')',
  'src/web/web.bench.ts': 'the console benchmark (development only, not in a release): loopback requests to the daemon it starts',
};

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Network uses in one module's source: what it imports or calls that can open a connection. */
export function findNetworkUse(source: string): string[] {
  const src = stripComments(source);
  const found: string[] = [];
  const mod = `(?:node:)?(${NET_MODULES.map((m) => m.replace('-', '\\-')).join('|')})(?:/[\\w/.-]*)?`;
  const staticImport = new RegExp(`^\\s*import\\s+(?!type\\s)[^;]*?from\\s+['"]${mod}['"]`, 'gm');
  const sideImport = new RegExp(`^\\s*import\\s+['"]${mod}['"]`, 'gm');
  const dynamic = new RegExp(`\\b(?:import|require)\\s*\\(\\s*['"]${mod}['"]\\s*\\)`, 'g');
  const exportFrom = new RegExp(`^\\s*export\\s+(?!type\\s)[^;]*?from\\s+['"]${mod}['"]`, 'gm');
  for (const re of [staticImport, sideImport, dynamic, exportFrom]) for (const m of src.matchAll(re)) found.push(`imports ${m[1]}`);
  for (const m of src.matchAll(/(?<![\w.])(fetch|WebSocket|EventSource|XMLHttpRequest)\s*\(|new\s+(WebSocket|EventSource|XMLHttpRequest)\b|globalThis\.fetch\b/g)) found.push(`calls ${m[1] ?? m[2] ?? 'fetch'}`);
  return found;
}

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (/\.(ts|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield p;
  }
}

test('the scanner sees imports, dynamic imports, requires and fetch; not types or comments', (t) => {
  t.deepEqual(findNetworkUse(`import https from 'node:https';`), ['imports https']);
  t.deepEqual(findNetworkUse(`import { request } from "http";`), ['imports http']);
  t.deepEqual(findNetworkUse(`import * as net from 'net';`), ['imports net']);
  t.deepEqual(findNetworkUse(`const { Agent } = await import('undici');`), ['imports undici']);
  t.deepEqual(findNetworkUse(`const h = require('node:http2');`), ['imports http2']);
  t.deepEqual(findNetworkUse(`export { connect } from 'node:tls';`), ['imports tls']);
  t.deepEqual(findNetworkUse(`import mqtt from 'mqtt';`), ['imports mqtt']);
  t.deepEqual(findNetworkUse(`const r = await fetch(url, { method: 'POST' });`), ['calls fetch']);
  t.deepEqual(findNetworkUse(`const ws = new WebSocket('wss://x');`), ['calls WebSocket']);
  t.deepEqual(findNetworkUse(`import type { MqttClient } from 'mqtt';`), []);
  t.deepEqual(findNetworkUse(`// we never fetch(things) here\nconst x = 1;`), []);
  t.deepEqual(findNetworkUse(`/* import http from 'node:http' */`), []);
  t.deepEqual(findNetworkUse(`this.prefetch(x); store.fetchAll();`), []);
});

test('no module outside src/fluid opens a network connection (MQTT and the OTA transport excepted)', async (t) => {
  const offenders: string[] = [];
  const fluidUses: string[] = [];
  for (const root of ['src']) {
    for await (const file of tsFiles(path.join(repoRoot, root))) {
      const rel = path.relative(repoRoot, file).split(path.sep).join('/');
      const uses = findNetworkUse(await readFile(file, 'utf8'));
      if (!uses.length) continue;
      if (rel.startsWith('src/fluid/')) fluidUses.push(rel);
      else if (!Object.keys(EXCEPTIONS).some((e) => rel === e || (e.endsWith('/') && rel.startsWith(e)))) offenders.push(`${rel}: ${uses.join(', ')}`);
    }
  }
  t.deepEqual(offenders, [], 'network use outside src/fluid');
  t.true(fluidUses.includes('src/fluid/provider.ts'), 'the scan does see the fluid link itself');
});
