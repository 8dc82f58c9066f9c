// The board suite: a Debian 12 VM with a real systemd is the board. provisioning/install.sh installs
// the release built from this checkout, against a mosquitto on the host; then the service is driven
// as a user would: READY and STATUS, asks from the host, the watchdog, a flushing stop, power cuts
// during store writes and OTA installs, the sandbox, first-boot settings, idempotence, uninstall.
// `npm run test:vm` (root, qemu-system-x86, debootstrap: installed by .ci/setup).
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { repoRoot, tempDir } from '../helpers/paths.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { nodeTarball, payloadDisk, Vm } from './vm.js';

const run = promisify(execFile);
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

/** `wulf` on the host, talking to the board through the broker. */
function hostWulf(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return runCli(args, { WULF_MQTT_URL: rig.broker.url, WULF_DEVICE_ID: DEVICE }, timeoutMs);
}

async function askBoard(text: string, timeoutMs = 60_000): Promise<{ text: string; intent: string | null }> {
  const r = await hostWulf(['ask', text, '--json', '--timeout', String(timeoutMs)], timeoutMs + 10_000);
  if (r.code !== 0) throw new Error(`wulf ask ${JSON.stringify(text)} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as { text: string; intent: string | null };
}

/** Wait until the unit is active and answering on MQTT (the guest waits for "active" itself: one SSH round trip, not one a second). */
async function serviceUp(timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waitS = Math.max(1, Math.round((deadline - Date.now()) / 1000));
    const s = await rig.vm.exec(`for i in $(seq ${waitS}); do s=$(systemctl is-active wulf); case "$s" in active|failed) break;; esac; sleep 1; done; echo "$s"`, { check: false, timeoutMs: waitS * 1000 + 30_000 });
    const state = s.stdout.trim().split('\n').at(-1);
    if (state === 'active') {
      const r = await hostWulf(['status', '--json', '--timeout', '20000'], 30_000);
      if (r.code === 0) return;
    }
    if (state === 'failed') throw new Error(`wulf failed: ${(await rig.vm.exec('journalctl -b -u wulf -n 40 --no-pager', { check: false })).stdout}`);
    if (Date.now() > deadline) throw new Error(`wulf not up within ${timeoutMs} ms: ${(await rig.vm.exec('systemctl status wulf --no-pager; journalctl -b -u wulf -n 40 --no-pager', { check: false })).stdout}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Paths the sandbox must refuse (and the state dir, which it must allow), probed at every start. */
const PROBES = ['/opt/wulf/probe', '/etc/wulf/probe', '/usr/local/bin/probe', '/root/probe', '/home/probe', '/var/log/probe', '/boot/firmware/probe', '/tmp/probe', '/var/tmp/probe', '/var/lib/wulf/probe'];
/** Test hooks set at install (one install, no restarts between tests): the freeze signal, the write probe, a short OTA probation. */
const TEST_SETTINGS = { config: { debug: { freezeOnSigusr2Ms: 180_000, writeProbe: PROBES }, ota: { probationMs: 4000, probationTurns: 1000 } } };

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
  // The overlay, payload disk and release are large: keep them only when asked (WULF_VM_KEEP=1).
  if (rig?.work && !process.env.WULF_VM_KEEP) await rm(rig.work, { recursive: true, force: true });
});

test('install.sh installs and starts the service; it is active only after READY=1, shows its STATUS=, and answers the host', async (t) => {
  await rig.vm.exec(`cat > /root/settings.json <<'EOF_SETTINGS'\n${JSON.stringify(TEST_SETTINGS)}\nEOF_SETTINGS`);
  const t0 = Date.now();
  const out = await install('--settings /root/settings.json');
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
  // Compared on the daemon's own clock (pino's `time`, taken when it logged), not on when journald read
  // the line: stdout and the notify socket are two channels, and a busy journald may read the line
  // after PID 1 has handled READY=1 (a race the first version of this check lost under load).
  const activeRealtimeUs = Number(/^t (\d+)/.exec((await rig.vm.exec('busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/wulf_2eservice org.freedesktop.systemd1.Unit ActiveEnterTimestamp')).stdout.trim())![1]);
  const connectedAtMs = (JSON.parse(connected!.MESSAGE!) as { time: number }).time;
  t.true(activeAt > 0 && activeRealtimeUs / 1000 >= connectedAtMs, `active (${activeRealtimeUs / 1000}) only after the daemon was connected (${connectedAtMs}), READY=1`);
  const status = (await rig.vm.exec('systemctl status wulf --no-pager', { check: false })).stdout;
  t.regex(status, /Status: "ready; device vmboard"/);
  // The compile cache is written once READY (not at exit: a board that loses power never exits).
  t.regex((await rig.vm.exec('ls /var/cache/wulf/node-compile-cache', { check: false })).stdout, /^v22\./m, 'V8 compile cache written');
  const help = await askBoard('/help');
  t.regex(help.text, /^Commands: \/help/);
  const list = await askBoard('add milk to the shopping list');
  t.is(list.intent, 'HassShoppingListAddItem');
  const guest = await rig.vm.exec('wulf status --json --timeout 20000');
  t.is((JSON.parse(guest.stdout) as { deviceId: string }).deviceId, DEVICE, 'the wulf command on the board works too');
});

test('a second install changes nothing and says so; the service is not restarted', async (t) => {
  const before = (await rig.vm.exec('systemctl show wulf -p MainPID -p NRestarts')).stdout;
  const out = await install('--settings /root/settings.json');
  t.regex(out, /Wulf is installed and up to date; nothing changed/);
  t.is((await rig.vm.exec('systemctl show wulf -p MainPID -p NRestarts')).stdout, before);
});

test('systemctl stop flushes: a list item confirmed just before the stop is there after the restart', async (t) => {
  const r = await askBoard('add eggs to the shopping list');
  t.is(r.intent, 'HassShoppingListAddItem');
  await rig.vm.exec('systemctl stop wulf');
  t.regex((await rig.vm.exec('journalctl -b -u wulf --no-pager -n 30')).stdout, /"msg":"stopped"/);
  await rig.vm.exec('systemctl start wulf');
  await serviceUp();
  const store = JSON.parse((await rig.vm.exec('cat /var/lib/wulf/store.json')).stdout) as { lists: Record<string, Array<{ text: string }>> };
  t.true(store.lists.shopping!.some((i) => /eggs/i.test(i.text)), JSON.stringify(store.lists));
  t.regex((await askBoard('/status')).text, /^Up /);
});

test('the watchdog: a daemon whose event loop freezes is killed and restarted by systemd within WatchdogSec + a margin', async (t) => {
  const restarts = (s: string): number => Number(/NRestarts=(\d+)/.exec(s)![1]);
  const before = restarts((await rig.vm.exec('systemctl show wulf -p NRestarts')).stdout);
  const watchdogSec = Number(/WatchdogUSec=(\d+)/.exec((await rig.vm.exec('systemctl show wulf -p WatchdogUSec')).stdout)?.[1] ?? '0') / 1e6 || 30;
  const t0 = Date.now();
  await rig.vm.exec('systemctl kill --kill-whom=main -s SIGUSR2 wulf');
  for (;;) {
    const now = restarts((await rig.vm.exec('systemctl show wulf -p NRestarts')).stdout);
    if (now > before) break;
    if (Date.now() - t0 > (watchdogSec + 45) * 1000) return t.fail(`no restart within ${watchdogSec + 45} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const took = (Date.now() - t0) / 1000;
  rig.timings['watchdog restart after freeze'] = Math.round(took);
  t.true(took <= watchdogSec + 45, `restarted after ${took} s (WatchdogSec=${watchdogSec})`);
  const journal = (await rig.vm.exec('journalctl -b -u wulf --no-pager')).stdout;
  t.regex(journal, /Watchdog timeout/);
  t.regex(journal, /Scheduled restart job/);
  await serviceUp();
});

test('the sandbox holds: the service cannot write outside its state dir; systemd-analyze security is recorded', async (t) => {
  const probes = PROBES;
  const lines = (await rig.vm.exec('journalctl -b -u wulf -o cat --no-pager')).stdout.split('\n').filter((l) => l.includes('"msg":"write probe"')).map((l) => JSON.parse(l) as { path: string; ok: boolean; code?: string });
  const last = new Map(lines.map((l) => [l.path, l]));
  for (const p of probes) {
    const l = last.get(p);
    t.truthy(l, `probed ${p}`);
    if (p.startsWith('/var/lib/wulf/')) t.true(l!.ok, `${p} is writable (the state dir)`);
    else t.false(l!.ok, `${p} must not be writable (${l?.code})`);
  }
  const sec = (await rig.vm.exec('systemd-analyze security wulf --no-pager', { check: false })).stdout;
  const score = Number(/Overall exposure level for wulf\.service: ([\d.]+)/.exec(sec)?.[1]);
  t.false(Number.isNaN(score), sec.slice(-500));
  rig.timings['systemd-analyze security exposure'] = score;
  t.true(score <= 3.0, `exposure ${score} (goal ≤ 3.0)`);
});

interface OtaState {
  models: Record<string, { active: { version: number } | null; previous: { version: number } | null; probation: unknown; last: { result: string } | null }>;
}

async function otaState(): Promise<OtaState> {
  const r = await rig.vm.exec('cat /var/lib/wulf/models/ota-state.json', { check: false });
  return r.code === 0 ? (JSON.parse(r.stdout) as OtaState) : { models: {} };
}

async function buildBundle(version: number): Promise<string> {
  const out = path.join(rig.work, `nlu-v${version}.bin`);
  await run(process.execPath, [path.join(repoRoot, 'dist/ota/cli.js'), 'build', '--model', path.join(repoRoot, 'firmware-models/dist/neurolite-tiny/model.int8.tflite'), '--name', 'neurolite-tiny', '--kind', 'nlu', '--version', String(version), '--key', rig.otaKey, '--out', out]);
  return out;
}

function push(bundle: string, timeoutMs: number) {
  const child = execFile(process.execPath, [path.join(repoRoot, 'dist/ota/cli.js'), 'push', bundle, '--device', DEVICE, '--broker', rig.broker.url, '--json', '--timeout', String(timeoutMs)], { timeout: timeoutMs + 10_000 });
  const done = new Promise<{ code: number; stdout: string }>((resolve) => {
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout }));
  });
  return { child, done };
}

/** The board after a cut, in one SSH round trip: store corruption in the journal, store.json parses, OTA state, READY timing. */
async function afterCut(): Promise<{ corrupt: boolean; storeParses: string; ota: OtaState; startS: number; readyAtS: number }> {
  const sep = '@@wulf-vm@@';
  const r = await rig.vm.exec([
    'journalctl -b -u wulf --no-pager -o cat | grep -c "STORE WAS CORRUPT"',
    `echo ${sep}`,
    `/opt/wulf/node/bin/node -e "JSON.parse(require('fs').readFileSync('/var/lib/wulf/store.json','utf8')); console.log('ok')" 2>&1 | tail -3`,
    `echo ${sep}`,
    'cat /var/lib/wulf/models/ota-state.json 2>/dev/null || echo "{\\"models\\":{}}"',
    `echo ${sep}`,
    'systemctl show wulf -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic',
  ].join('; '), { check: false });
  const [corrupt, store, ota, show] = r.stdout.split(`${sep}\n`);
  const active = Number(/ActiveEnterTimestampMonotonic=(\d+)/.exec(show ?? '')?.[1]);
  const exec = Number(/ExecMainStartTimestampMonotonic=(\d+)/.exec(show ?? '')?.[1]);
  return { corrupt: Number(corrupt) > 0, storeParses: (store ?? '').trim(), ota: JSON.parse(ota!) as OtaState, startS: (active - exec) / 1e6, readyAtS: active / 1e6 };
}

/** The OTA bundle version counter, shared by the power-cut tests (each install is a new version). */
let otaVersion = 0;
const cutLog: string[] = [];

/** Do something, cut the power in the middle of it, and check the board comes back whole. */
async function cutDuring(t: ExecutionContext, moments: Array<{ name: string; act: () => Promise<(() => void) | void> }>): Promise<void> {
  const t0 = Date.now();
  for (const m of moments) {
    const before = (await otaState()).models['neurolite-tiny']?.active?.version ?? null;
    const cleanup = await m.act();
    await rig.vm.powerCut();
    if (cleanup) cleanup();
    await serviceUp();
    const b = await afterCut();
    t.false(b.corrupt, `${m.name}: the store loads`);
    t.is(b.storeParses, 'ok', `${m.name}: store.json parses`);
    const after = b.ota.models['neurolite-tiny'];
    const active = after?.active?.version ?? null;
    t.true(active === before || active === otaVersion, `${m.name}: model v${active} is the old (v${before}) or the new (v${otaVersion})`);
    if (active === otaVersion && active !== before) t.falsy(after?.probation, `${m.name}: a new model in service after a cut is committed, not half-way`);
    cutLog.push(`${m.name}: v${before} → v${active}; wulf READY ${b.startS.toFixed(1)} s after exec, at ${b.readyAtS.toFixed(1)} s of boot`);
  }
  rig.timings['power cuts'] = (rig.timings['power cuts'] ?? 0) + Math.round((Date.now() - t0) / 1000);
  rig.timings['power cut count'] = (rig.timings['power cut count'] ?? 0) + moments.length;
}

/** An MQTT client on the host watching the board's OTA status. */
async function otaWatcher(t: ExecutionContext): Promise<{ client: Recorder; waitPhase: (phase: string, version: number) => Promise<void> }> {
  const client = await Recorder.connect(rig.broker.url);
  t.teardown(() => client.end());
  await client.subscribe([`wulf/${DEVICE}/ota/status`]);
  const waitPhase = async (phase: string, bundleVersion: number): Promise<void> => {
    client.messages = [];
    await client.waitFor((m) => {
      try {
        const s = JSON.parse(m.payload.toString()) as { phase?: string; version?: number };
        return s.phase === phase && (s.version === undefined || s.version === bundleVersion);
      } catch {
        return false;
      }
    }, 180_000, `OTA phase ${phase}`);
  };
  return { client, waitPhase };
}

// Ten power cuts (#10), in three tests so that each stays well inside the suite's per-test timeout.
test('power cuts during store writes (4 moments): the service comes back and the store loads', async (t) => {
  const client = await Recorder.connect(rig.broker.url);
  t.teardown(() => client.end());
  const flood = async (n: number, tag: string): Promise<void> => {
    for (let i = 0; i < n; i++) await client.client.publishAsync(`wulf/${DEVICE}/ask`, JSON.stringify({ id: `${tag}-${i}`, text: `add item ${tag} ${i} to the shopping list` }), { qos: 1 });
  };
  await cutDuring(t, [200, 700, 1500, 3000].map((ms) => ({ name: `store writes, cut after ${ms} ms`, act: async () => { void flood(20, `w${ms}`); await new Promise((r) => setTimeout(r, ms)); } })));
});

test('power cuts during an OTA install (downloading, verifying, staging, probation): the model is the old or the committed new one', async (t) => {
  const { client, waitPhase } = await otaWatcher(t);
  await cutDuring(t, ['downloading', 'verifying', 'staging', 'probation'].map((phase) => ({
    name: `OTA install, cut at ${phase}`,
    act: async () => {
      const v = ++otaVersion;
      const p = push(await buildBundle(v), 300_000);
      await waitPhase(phase, v);
      // The push dies with the cut; withdraw its retained offer so the next moment starts clean.
      return () => {
        p.child.kill('SIGKILL');
        void client.client.publishAsync(`wulf/${DEVICE}/ota/offer`, '', { qos: 1, retain: true });
      };
    },
  })));
});

test('power cuts at service start-up and when idle; then an install left alone commits and serves', async (t) => {
  await cutDuring(t, [
    { name: 'service start-up', act: async () => { await rig.vm.exec('systemctl restart --no-block wulf'); await new Promise((r) => setTimeout(r, 1500)); } },
    { name: 'idle', act: async () => { await new Promise((r) => setTimeout(r, 500)); } },
  ]);
  const v = ++otaVersion;
  const ok = await push(await buildBundle(v), 300_000).done;
  t.is(ok.code, 0, ok.stdout);
  t.is((await otaState()).models['neurolite-tiny']!.active!.version, v);
  const status = JSON.parse((await hostWulf(['status', '--json', '--timeout', '20000'])).stdout) as { models: Array<{ name: string; version: string }> };
  t.true(status.models.some((m) => m.name === 'neurolite-tiny' && m.version === String(v)), JSON.stringify(status.models));
  t.log(cutLog.join('\n'));
});

test('first boot: the wulf.json that wulf-ota enroll writes, left on the boot partition, is applied once and removed; a bad one is removed too and changes nothing', async (t) => {
  const enrolled = (await run(process.execPath, [path.join(repoRoot, 'dist/ota/cli.js'), 'enroll', '--device-id', DEVICE, '--broker', rig.guestBroker, '--key', rig.otaKey, '--language', 'fr', '--cloud-mode', 'off'])).stdout;
  await rig.vm.exec(`cat > /boot/firmware/wulf.json <<'EOF_FB'\n${enrolled}\nEOF_FB`);
  await rig.vm.reboot();
  await serviceUp();
  t.is((await rig.vm.exec('test -e /boot/firmware/wulf.json', { check: false })).code, 1, 'the file is gone');
  const config = JSON.parse((await rig.vm.exec('cat /etc/wulf/config.json')).stdout) as { language: string; fluid: { mode: string } };
  t.is(config.language, 'fr');
  t.is(config.fluid.mode, 'off');
  t.regex((await rig.vm.exec('journalctl -b -u wulf-firstboot --no-pager -o cat')).stdout, /first-boot settings applied/);
  t.regex((await askBoard('/help')).text, /^Commandes/, 'the daemon runs with the new settings');

  // The refusal path, without another reboot: the same unit, started by hand.
  await rig.vm.exec(`cat > /boot/firmware/wulf.json <<'EOF_FB'\n{"language": "de", "mqttPassword": "s3cret"}\nEOF_FB`);
  t.not((await rig.vm.exec('systemctl start wulf-firstboot', { check: false })).code, 0, 'the unit fails on refused settings');
  t.is((await rig.vm.exec('test -e /boot/firmware/wulf.json', { check: false })).code, 1, 'a refused file is removed as well (it holds credentials)');
  t.is((JSON.parse((await rig.vm.exec('cat /etc/wulf/config.json')).stdout) as { language: string }).language, 'fr', 'and changed nothing');
  t.regex((await rig.vm.exec('journalctl -b -u wulf-firstboot --no-pager -o cat')).stdout, /language/);
  t.is((await rig.vm.exec('systemctl is-active wulf')).stdout.trim(), 'active', 'the running service is untouched');
});

test('--uninstall leaves no unit, user or files but the state dir; a reinstall finds its memory; --purge removes it', async (t) => {
  const out = (await rig.vm.exec('bash /mnt/payload/install.sh --uninstall 2>&1')).stdout;
  t.regex(out, /memory is kept in \/var\/lib\/wulf/);
  const left = (await rig.vm.exec('for p in /etc/systemd/system/wulf.service /etc/systemd/system/wulf.service.d /etc/systemd/system/wulf-firstboot.service /opt/wulf /etc/wulf /usr/local/bin/wulf /usr/local/bin/wulf-ota /var/cache/wulf; do test -e $p && echo $p; done; id wulf 2>/dev/null; getent group wulf; true')).stdout.trim();
  t.is(left, '', 'nothing left behind');
  t.is((await rig.vm.exec('systemctl list-unit-files "wulf*" --no-legend', { check: false })).stdout.trim(), '');
  t.is((await rig.vm.exec('test -f /var/lib/wulf/store.json', { check: false })).code, 0, 'the state dir is kept');
  await install();
  await serviceUp();
  const store = JSON.parse((await rig.vm.exec('cat /var/lib/wulf/store.json')).stdout) as { lists: Record<string, Array<{ text: string }>> };
  t.true(store.lists.shopping!.some((i) => /eggs/i.test(i.text)), 'the reinstalled board remembers');
  await rig.vm.exec('bash /mnt/payload/install.sh --uninstall --purge');
  t.is((await rig.vm.exec('test -e /var/lib/wulf', { check: false })).code, 1, '--purge removes the state dir');
});
