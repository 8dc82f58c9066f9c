// `wulf-ota enroll`: a new board's settings from the workstation that will push its updates — the
// JSON install.sh --settings and a first boot read, with the fleet's public key (never the private).
import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { repoRoot, tempDir } from '../helpers/paths.js';

const cli = path.join(repoRoot, 'dist/ota/cli.js');
const run = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => execFile(process.execPath, [cli, ...args], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr })));

test('enroll prints the settings with the fleet public key; --out writes them root-only', async (t) => {
  const dir = await tempDir('wulf-enroll-');
  t.is((await run(['keygen', '--out', dir, '--name', 'fleet'])).code, 0);
  const r = await run(['enroll', '--device-id', 'pi-kitchen', '--broker', 'mqtt://192.168.1.5:1883', '--key', path.join(dir, 'fleet.key'), '--language', 'fr', '--cloud-mode', 'off', '--mqtt-user', 'wulf', '--mqtt-password', 'pw']);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { deviceId: string; broker: string; language: string; cloudMode: string; mqttUsername: string; mqttPassword: string; trustedKeys: string[] };
  t.like(s, { deviceId: 'pi-kitchen', broker: 'mqtt://192.168.1.5:1883', language: 'fr', cloudMode: 'off', mqttUsername: 'wulf', mqttPassword: 'pw' });
  t.is(s.trustedKeys.length, 1);
  t.is(s.trustedKeys[0], await readFile(path.join(dir, 'fleet.pub'), 'utf8'), 'the public half of the fleet key');
  t.false(r.stdout.includes('PRIVATE'));
  t.is(createPublicKey(s.trustedKeys[0]!).asymmetricKeyType, 'ed25519');
  const out = path.join(dir, 'wulf.json');
  const w = await run(['enroll', '--device-id', 'pi-hall', '--broker', 'mqtt://h:1883', '--pub', path.join(dir, 'fleet.pub'), '--out', out]);
  t.is(w.code, 0, w.stderr);
  t.regex(w.stderr, /wrote .*wulf\.json \(key id /);
  t.is((await stat(out)).mode & 0o777, 0o600);
  t.is((JSON.parse(await readFile(out, 'utf8')) as { deviceId: string }).deviceId, 'pi-hall');
});

test('enroll refuses bad settings with exit 2, and a key that is not ed25519 with exit 1', async (t) => {
  const bad = await run(['enroll', '--device-id', 'Kitchen Pi', '--broker', 'http://x', '--language', 'de']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--device-id/);
  t.regex(bad.stderr, /--broker/);
  t.regex(bad.stderr, /--language/);
  const dir = await tempDir('wulf-enroll-');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path.join(dir, 'junk.pub'), 'not a key');
  const junk = await run(['enroll', '--device-id', 'pi', '--broker', 'mqtt://h', '--pub', path.join(dir, 'junk.pub')]);
  t.is(junk.code, 1);
  t.regex(junk.stderr, /not a usable ed25519 key/);
});
