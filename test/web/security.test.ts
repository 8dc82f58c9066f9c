// The web console's defences, over plain HTTP against the real daemon: the token, the session, CSRF
// and same-origin checks, traversal, size limits, bad bodies, and the port that must stay closed
// when the console is off (the default).
import test from 'ava';
import http from 'node:http';
import net from 'node:net';
import { parseConfig, ConfigError } from '../../src/config/index.js';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { listeningPorts } from '../helpers/listening.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { CONSOLE_TOKEN, consoleDaemon, login, request } from '../helpers/web-console.js';

test('with a token: no token, a wrong token, a missing CSRF token or a cross-site request is refused; the right ones pass', async (t) => {
  const { daemon, url } = await consoleDaemon(t, { web: { token: CONSOLE_TOKEN } });
  const json = { 'content-type': 'application/json' };
  const turn = JSON.stringify({ text: 'add rice to the shopping list' });

  // The page itself is public (it holds no data); every API call needs the token or a session.
  const page = await request(url);
  t.is(page.status, 200);
  t.regex(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'; style-src 'self'/);
  t.is(page.headers['x-frame-options'], 'DENY');
  t.is(page.headers['x-content-type-options'], 'nosniff');
  t.is((await request(url, { path: '/api/status' })).status, 401);
  t.is((await request(url, { path: '/api/memory', headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
  t.is((await request(url, { path: '/api/status', headers: { authorization: `Bearer ${CONSOLE_TOKEN}` } })).status, 200);
  const wrong = await request(url, { method: 'POST', path: '/api/login', headers: { ...json, origin: url }, body: JSON.stringify({ token: `${CONSOLE_TOKEN}x` }) });
  t.is(wrong.status, 401);
  t.is(wrong.headers['set-cookie'], undefined);
  // A forged or stale cookie is no session.
  t.is((await request(url, { path: '/api/status', headers: { cookie: `wulf_session=${'A'.repeat(43)}` } })).status, 401);

  const { cookie, csrf } = await login(url);
  t.regex(cookie, /^wulf_session=/);
  t.is((await request(url, { path: '/api/status', headers: { cookie } })).status, 200);
  // State changes need the session's CSRF token, from our own origin.
  const noCsrf = await request(url, { method: 'POST', path: '/api/turns', headers: { ...json, cookie }, body: turn });
  t.is(noCsrf.status, 403);
  t.is(noCsrf.json().error, 'csrf');
  t.is((await request(url, { method: 'POST', path: '/api/turns', headers: { ...json, cookie, 'x-wulf-csrf': 'guessed' }, body: turn })).status, 403);
  const crossOrigin = await request(url, { method: 'POST', path: '/api/turns', headers: { ...json, cookie, 'x-wulf-csrf': csrf, origin: 'http://evil.example' }, body: turn });
  t.is(crossOrigin.status, 403);
  t.is(crossOrigin.json().error, 'cross_site');
  t.is((await request(url, { method: 'POST', path: '/api/turns', headers: { ...json, cookie, 'x-wulf-csrf': csrf, 'sec-fetch-site': 'cross-site' }, body: turn })).status, 403);
  t.is((await request(url, { method: 'DELETE', path: '/api/memory/notes/abcdef12', headers: { cookie } })).status, 403);
  t.deepEqual(daemon.logs.filter((l) => l.msg === 'turn refused'), [], 'no refused request reached the assistant');
  const memoryBefore = (await request(url, { path: '/api/memory', headers: { cookie } })).json() as { lists: Array<{ name: string; items: unknown[] }> };
  t.deepEqual(memoryBefore.lists.find((l) => l.name === 'shopping')?.items, [], 'nothing was added by the refused requests');

  const ok = await request(url, { method: 'POST', path: '/api/turns', headers: { ...json, cookie, 'x-wulf-csrf': csrf, origin: url }, body: turn });
  t.is(ok.status, 200, ok.body);
  t.is(ok.json().intent, 'HassShoppingListAddItem');
  t.deepEqual(ok.json().slots, { item: 'rice' });
  const exported = await request(url, { path: '/api/memory/export', headers: { cookie } });
  t.regex(String(exported.headers['content-disposition']), /attachment; filename="wulf-memory.json"/);
  t.is(exported.json().format, 'wulf-memory-export');
  t.deepEqual((exported.json().lists as Array<{ name: string; items: Array<{ text: string }> }>).find((l) => l.name === 'shopping')?.items.map((i) => i.text), ['rice']);

  // A script with the token as Bearer needs no CSRF token (no browser sends it by itself), still same-origin only.
  const bearer = { ...json, authorization: `Bearer ${CONSOLE_TOKEN}` };
  t.is((await request(url, { method: 'POST', path: '/api/turns', headers: bearer, body: JSON.stringify({ text: 'add salt to the shopping list' }) })).status, 200);
  t.is((await request(url, { method: 'POST', path: '/api/turns', headers: { ...bearer, origin: 'http://evil.example' }, body: turn })).status, 403);
  t.is((await request(url, { method: 'POST', path: '/api/turns', headers: { ...json, authorization: 'Bearer wrong-token-wrong-token' }, body: turn })).status, 401);

  // Logging out ends the session.
  t.is((await request(url, { method: 'POST', path: '/api/logout', headers: { cookie, 'x-wulf-csrf': csrf } })).status, 200);
  t.is((await request(url, { path: '/api/status', headers: { cookie } })).status, 401);
});

test('behind a TLS proxy: the public URL\'s origin is our own, any other is still refused', async (t) => {
  const { url } = await consoleDaemon(t, { web: { token: CONSOLE_TOKEN, publicUrl: 'https://wulf.home.example' } });
  const { cookie, csrf } = await login(url);
  const post = (origin: string) => request(url, { method: 'POST', path: '/api/turns', headers: { 'content-type': 'application/json', cookie, 'x-wulf-csrf': csrf, origin }, body: JSON.stringify({ text: 'add tea to the shopping list' }) });
  t.is((await post('https://wulf.home.example')).status, 200);
  t.is((await post('https://wulf.home.example.evil.example')).status, 403);
  t.is((await post('http://wulf.home.example')).status, 403);
});

test('traversal, odd paths, huge or malformed bodies get a clear refusal, and the console keeps serving', async (t) => {
  const { url } = await consoleDaemon(t);
  for (const path of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/app.js/../../../etc/passwd', '/.%2e/package.json', '/static\\..\\..\\etc\\passwd', '//etc/passwd', '/%00index.html', '/%E0%A4%A']) {
    const res = await request(url, { path });
    t.true(res.status === 400, `${path}: ${res.status}`);
    t.notRegex(res.body, /root:|"name":\s*"wulf"/, path);
  }
  t.is((await request(url, { path: '/etc/passwd' })).status, 404);
  t.is((await request(url, { path: '/package.json' })).status, 404);
  const js = await request(url, { path: '/app.js' });
  t.is(js.status, 200);
  t.regex(String(js.headers['content-type']), /^text\/javascript/);

  const { csrf } = (await request(url, { path: '/api/session' })).json() as { csrf: string };
  const headers = { 'content-type': 'application/json', 'x-wulf-csrf': csrf };
  const big = await request(url, { method: 'POST', path: '/api/turns', headers, body: JSON.stringify({ text: 'x'.repeat(70 * 1024) }) });
  t.is(big.status, 413);
  t.is(big.json().error, 'too_large');
  t.is((await request(url, { method: 'POST', path: '/api/turns', headers, body: '{"text": "add milk' })).json().error, 'bad_json');
  t.is((await request(url, { method: 'POST', path: '/api/turns', headers: { ...headers, 'content-type': 'text/plain' }, body: 'add milk' })).status, 415);
  const empty = await request(url, { method: 'POST', path: '/api/turns', headers, body: JSON.stringify({ text: '   ' }) });
  t.is(empty.status, 400);
  t.regex(String(empty.json().message), /text: is empty/);
  t.is((await request(url, { method: 'POST', path: '/api/turns', headers, body: JSON.stringify({ text: 'hi', extra: 1 }) })).status, 400);
  t.is((await request(url, { method: 'DELETE', path: '/api/memory/notes/no-such-note', headers })).status, 404);
  t.is((await request(url, { method: 'DELETE', path: '/api/memory/notes/..%2f..%2fstore', headers })).status, 400);
  const rollback = await request(url, { method: 'POST', path: '/api/models/neurolite-tiny/rollback', headers, body: '{}' });
  t.is(rollback.status, 400);
  t.regex(String(rollback.json().message), /confirm/);
  t.is((await request(url, { method: 'POST', path: '/api/models/neurolite-tiny/rollback', headers, body: JSON.stringify({ confirm: 'neurolite-tiny' }) })).status, 409, 'nothing to roll back to');
  t.is((await request(url, { path: '/api/nope' })).status, 404);

  // Without a token the console answers to loopback names only: a rebinding DNS name is refused.
  t.is((await request(url, { path: '/api/status', headers: { host: 'evil.example' } })).status, 421);
  t.is((await request(url, { path: '/api/status', headers: { host: `localhost:${new URL(url).port}` } })).status, 200);
  // Still serving after all that.
  t.is((await request(url, { method: 'POST', path: '/api/turns', headers, body: JSON.stringify({ text: 'add milk to the shopping list' }) })).status, 200);
});

test('live updates: a turn from MQTT-free chat reaches an open event stream as it happens', async (t) => {
  const { url } = await consoleDaemon(t);
  const { csrf } = (await request(url, { path: '/api/session' })).json() as { csrf: string };
  const u = new URL(url);
  const received = new Promise<string>((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: u.port, path: '/api/events' }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        if (buf.includes('event: turn')) {
          req.destroy();
          resolve(buf);
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    setTimeout(() => reject(new Error(`no turn event; got so far: ${req.destroyed}`)), 20_000).unref();
  });
  await new Promise((r) => setTimeout(r, 200));
  await request(url, { method: 'POST', path: '/api/turns', headers: { 'content-type': 'application/json', 'x-wulf-csrf': csrf }, body: JSON.stringify({ text: 'add bread to the shopping list' }) });
  const frame = (await received).split('event: turn\ndata: ')[1]!.split('\n')[0]!;
  const event = JSON.parse(frame) as { turn: { text: string; intent: string; channel: string; stages: Record<string, number> } };
  t.is(event.turn.text, 'add bread to the shopping list');
  t.is(event.turn.intent, 'HassShoppingListAddItem');
  t.is(event.turn.channel, 'web');
  t.true('nlu' in event.turn.stages);
});

test('the console is off by default: the daemon opens no port at all (external broker)', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => daemon.kill());
  await daemon.ready(60_000);
  t.deepEqual(await listeningPorts(daemon.proc.pid!), []);
  t.falsy(daemon.logs.find((l) => l.msg === 'web console listening'));
  // The same check sees the console's port when it is on, so an empty list above means something.
  const on = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url }, config: { web: { enabled: true, port: 0 } } });
  t.teardown(() => on.kill());
  await on.ready(60_000);
  const port = Number(new URL(String((await on.waitForLog('web console listening')).url)).port);
  t.deepEqual(await listeningPorts(on.proc.pid!), [port]);
});

test('a busy console port is logged and the assistant runs without the console', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url }, config: { web: { enabled: true, port } } });
  t.teardown(() => daemon.kill());
  await daemon.ready(60_000);
  const line = await daemon.waitForLog('web console could not start; running without it');
  t.regex(String(line.err), /EADDRINUSE/);
});

test('config: a console on the network needs a token of at least 16 characters', (t) => {
  const e1 = t.throws(() => parseConfig({ web: { enabled: true, host: '0.0.0.0' } }, {}, null), { instanceOf: ConfigError });
  t.regex(e1!.message, /web\.token/);
  const e2 = t.throws(() => parseConfig({ web: { enabled: true, host: '0.0.0.0', token: 'short' } }, {}, null), { instanceOf: ConfigError });
  t.regex(e2!.message, /web\.token.*16/);
  t.is(parseConfig({ web: { enabled: true, host: '0.0.0.0', token: CONSOLE_TOKEN } }, {}, null).web.host, '0.0.0.0');
  t.is(parseConfig({ web: { enabled: true } }, {}, null).web.host, '127.0.0.1');
  t.false(parseConfig({}, {}, null).web.enabled);
});
