// The OTA agent on real files: A/B install, rejections that leave the live model untouched,
// probation, rollback — and kill -9 at 20 points, after which the board always ends on a model
// that loads (the old one, or the new one committed).
import test from 'ava';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { buildBundle, OtaAgent, type Manifest } from '../../src/ota/index.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

const keys = generateKeyPairSync('ed25519');
const modelBytes = (v: number) => Buffer.alloc(200_000 + v, v);

async function bundle(version: number, golden: Manifest['golden'] = [], minRuntimeVersion = '0.1.0'): Promise<Buffer> {
  return buildBundle(
    { bundleId: randomUUID(), model: { name: 'neurolite-tiny', kind: 'nlu' }, version, minRuntimeVersion, createdAt: new Date().toISOString(), provenance: { recipe: 'test', dataHash: null, parentVersion: null, metrics: {} }, golden },
    [{ name: 'model.tflite', role: 'model', data: modelBytes(version) }],
    keys.privateKey,
    keys.publicKey,
  );
}

function agentFor(stateDir: string, over: Partial<ConstructorParameters<typeof OtaAgent>[0]> = {}) {
  const activated: Array<{ version: number; bytes: number }> = [];
  const agent = new OtaAgent({
    stateDir,
    trustedKeys: [keys.publicKey],
    maxBundleBytes: 64 * 2 ** 20,
    runtimeVersion: '0.1.0',
    check: { check: async (_files, m) => { if (m.golden.some((g) => g.expected === 'fail')) throw new Error('golden case 1: expected HassTurnOn, got unknown'); } },
    host: { activate: async (_name, dir, m) => void activated.push({ version: m.version, bytes: (await readFile(path.join(dir, 'model.tflite'))).length }) },
    probationTurns: 3,
    probationMs: 60_000,
    log: pino({ level: 'silent' }),
    ...over,
  });
  return { agent, activated };
}

test('install into A, then B; healthy turns commit; the previous slot is kept for rollback', async (t) => {
  const dir = await tempDir();
  let onProbation: () => void = () => undefined;
  const { agent, activated } = agentFor(dir, { onPhase: (_n, phase) => { if (phase === 'probation') onProbation(); } });
  await agent.start();
  const healthyTurnsWhenInProbation = () => new Promise<void>((resolve) => (onProbation = () => {
    for (let i = 0; i < 3; i++) agent.noteTurn('neurolite-tiny', true);
    resolve();
  }));
  let turns = healthyTurnsWhenInProbation();
  const first = agent.install(await bundle(1), 300_000);
  await turns;
  t.is((await first).result, 'committed');
  turns = healthyTurnsWhenInProbation();
  const second = agent.install(await bundle(2), 300_000);
  await turns;
  t.deepEqual(await second, { result: 'committed', name: 'neurolite-tiny', version: 2, reason: null });
  const m = agent.models()['neurolite-tiny']!;
  t.deepEqual([m.active?.slot, m.active?.version, m.previous?.slot, m.previous?.version], ['b', 2, 'a', 1]);
  t.deepEqual(activated.map((a) => a.version), [1, 2]);
  t.true(await agent.rollback('neurolite-tiny'), 'wulf ota rollback');
  t.is(agent.models()['neurolite-tiny']!.active?.version, 1);
  agent.stop();
});

test('rejected with the live model untouched: downgrade, failing golden case, too new a runtime, no disk space', async (t) => {
  const dir = await tempDir();
  const { agent } = agentFor(dir, { probationMs: 50 });
  await agent.start();
  t.is((await agent.install(await bundle(5), 300_000)).result, 'committed');
  // (probation ends after 50 ms without trouble)
  const before = JSON.stringify(agent.models());
  const cases: Array<[string, Buffer, number, RegExp]> = [
    ['downgrade', await bundle(4), 300_000, /not newer than the installed 5/],
    ['same version', await bundle(5), 300_000, /not newer/],
    ['golden case failing', await bundle(6, [{ input: 'allume', expected: 'fail' }]), 300_000, /golden case 1/],
    ['runtime too old', await bundle(7, [], '9.0.0'), 300_000, /needs runtime 9\.0\.0/],
    ['no disk space', await bundle(8), 2 ** 50, /limit|not enough disk space/],
  ];
  for (const [name, b, declared, reason] of cases) {
    const r = await agent.install(b, declared);
    t.is(r.result, 'rejected', name);
    t.regex(r.reason ?? '', reason, name);
    t.is(JSON.stringify({ ...agent.models(), x: 0 }).includes('"version":5'), true);
  }
  const after = agent.models()['neurolite-tiny']!;
  t.deepEqual([after.active, after.previous, after.probation], [JSON.parse(before)['neurolite-tiny'].active, JSON.parse(before)['neurolite-tiny'].previous, null]);
  t.deepEqual((await readdir(path.join(dir, 'models'))).filter((f) => f.startsWith('.incoming')), [], 'nothing half-staged');
  agent.stop();
});

test('a new model that fails a turn during probation is rolled back automatically', async (t) => {
  const dir = await tempDir();
  let onProbation: () => void = () => undefined;
  const { agent, activated } = agentFor(dir, { probationMs: 50, onPhase: (_n, phase, detail) => { if (phase === 'probation' && detail?.version === 2) onProbation(); } });
  await agent.start();
  await agent.install(await bundle(1), 300_000);
  const inProbation = new Promise<void>((r) => (onProbation = r));
  const p = agent.install(await bundle(2), 300_000);
  await inProbation;
  agent.noteTurn('neurolite-tiny', false);
  const r = await p;
  t.is(r.result, 'rolled_back');
  t.is(agent.models()['neurolite-tiny']!.active?.version, 1);
  t.deepEqual(activated.map((a) => a.version), [1, 2, 1], 'the old model is back in service');
  agent.stop();
});

function child(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve) => {
    const p = execFile(process.execPath, [path.join(repoRoot, 'dist/test/helpers/ota-child.js'), ...args], (_err, stdout) => resolve({ code: p.exitCode, signal: p.signalCode, stdout }));
  });
}

test('kill -9 at 20 points of download, verify, stage, switch and probation: always a loadable model, old or committed new', async (t) => {
  const dir = await tempDir();
  const v1 = path.join(dir, 'v1.bin');
  const v2 = path.join(dir, 'v2.bin');
  const pub = path.join(dir, 'k.pub');
  await writeFile(v1, await bundle(1));
  const b2 = await bundle(2);
  await writeFile(v2, b2);
  await writeFile(pub, keys.publicKey.export({ format: 'pem', type: 'spki' }));
  const phases = ['verified', 'checked', 'slot-cleared', 'staged', 'switched', 'probation'];
  const points = [
    ...phases.map((p) => ({ first: true, at: p })),
    ...phases.map((p) => ({ first: false, at: p })),
    ...[600, 1500, 20_000, 60_000, 110_000, 150_000, 190_000, b2.length - 10].map((n) => ({ first: false, at: `bytes:${n}` })),
  ];
  t.is(points.length, 20);
  for (const [i, point] of points.entries()) {
    const stateDir = path.join(dir, `board-${i}`);
    if (!point.first) t.is(JSON.parse((await child(['install', stateDir, v1, pub])).stdout).result, 'committed', `${point.at}: v1 installs`);
    const crashed = await child(['install', stateDir, point.first ? v1 : v2, pub, point.at]);
    t.is(crashed.signal, 'SIGKILL', `${point.at}: the process was killed`);
    // Power back: the agent starts, and the board must be on a model that loads.
    const status = JSON.parse((await child(['status', stateDir, v1, pub])).stdout) as Record<string, { active: { slot: string; version: number } | null; probation: unknown }>;
    const m = status['neurolite-tiny'];
    const version = m?.active?.version ?? null;
    t.is(m?.probation ?? null, null, `${point.at}: no model is left in probation`);
    if (point.first) t.true(version === null || version === 1, `${point.at}: nothing, or v1`);
    else t.true(version === 1, `${point.at}: back on v1 (got ${version})`);
    if (version !== null) {
      const model = await readFile(path.join(stateDir, 'models', 'neurolite-tiny', m!.active!.slot, 'model.tflite'));
      t.deepEqual(model, modelBytes(version), `${point.at}: the active slot holds v${version} whole`);
    }
    // And the update still goes through afterwards.
    const retry = JSON.parse((await child(['install', stateDir, point.first ? v1 : v2, pub])).stdout) as { result: string; version: number };
    t.is(retry.result, 'committed', `${point.at}: the retry commits`);
  }
});
