// The device side of model updates: verify → check → stage into the inactive A/B slot → switch
// (atomic, fsynced) → probation → commit, with rollback on any failure. The state survives
// restarts; a restart during probation (a crash, a power cut) rolls back at the next start.
import { mkdir, readFile, rename, rm, statfs, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { AtomicJsonFile, fsyncDir } from '../memory/index.js';
import { verifyBundle, BundleError, type Manifest } from './bundle-format.js';

export type Slot = 'a' | 'b';
export type OtaPhase = 'idle' | 'downloading' | 'verifying' | 'checking' | 'staging' | 'switching' | 'probation' | 'committed' | 'rolled_back' | 'rejected';

export interface ModelState {
  active: { slot: Slot; version: number; bundleId: string } | null;
  previous: { slot: Slot; version: number; bundleId: string } | null;
  /** Set from the switch until commit; a start that finds it set rolls back. */
  probation: { slot: Slot; version: number; bundleId: string; since: string } | null;
  last: { result: 'committed' | 'rolled_back' | 'rejected'; version: number | null; reason: string | null; at: string } | null;
}

interface OtaStateFile {
  formatVersion: 1;
  models: Record<string, ModelState>;
}

/** Loads a staged model and runs its golden cases; throws with a reason when it fails. */
export interface CandidateCheck {
  check(files: Record<string, string>, manifest: Manifest): Promise<void>;
}

/** Puts a model directory into service (hot swap); called after the switch and after a rollback. */
export interface ModelHost {
  activate(name: string, dir: string, manifest: Manifest): Promise<void>;
}

export interface OtaAgentOptions {
  stateDir: string;
  trustedKeys: KeyObject[];
  maxBundleBytes: number;
  runtimeVersion: string;
  check: CandidateCheck;
  host: ModelHost;
  /** Probation ends (commit) after this many healthy turns, or this long without trouble. */
  probationTurns: number;
  probationMs: number;
  log: Logger;
  onPhase?: (name: string | null, phase: OtaPhase, detail?: Record<string, unknown>) => void;
  /** Test hook: SIGKILL ourselves when this phase is reached (the power-cut tests). */
  crashAt?: string | null;
}

export type InstallResult = { result: 'committed' | 'rolled_back' | 'rejected'; name: string | null; version: number | null; reason: string | null };

export class OtaError extends Error {
  constructor(message: string, readonly code: 'downgrade' | 'incompatible' | 'disk' | 'golden' | 'busy' | BundleError['code']) {
    super(message);
    this.name = 'OtaError';
  }
}

export class OtaAgent {
  private state: OtaStateFile = { formatVersion: 1, models: {} };
  private readonly file: AtomicJsonFile<OtaStateFile>;
  private probationTimer: NodeJS.Timeout | null = null;
  private probation: { name: string; turns: number; resolve: (r: InstallResult) => void } | null = null;
  private isBusy = false;

  constructor(private readonly o: OtaAgentOptions) {
    this.file = new AtomicJsonFile(path.join(this.root, 'ota-state.json'));
  }

  get root(): string {
    return path.join(this.o.stateDir, 'models');
  }

  slotDir(name: string, slot: Slot): string {
    return path.join(this.root, name, slot);
  }

  /** Read the state; roll back any model left in probation by a crash; drop half-staged files. */
  async start(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    this.state = (await this.file.read()) ?? { formatVersion: 1, models: {} };
    for (const entry of await readdir(this.root)) {
      if (entry.startsWith('.incoming-')) await rm(path.join(this.root, entry), { recursive: true, force: true });
    }
    for (const [name, m] of Object.entries(this.state.models)) {
      if (m.probation) {
        this.o.log.error({ name, version: m.probation.version }, 'restarted during probation: rolling back');
        await this.rollbackTo(name, 'restarted during probation (crash or power loss)');
      }
      for (const entry of await readdir(path.join(this.root, name)).catch(() => [] as string[])) {
        if (entry.startsWith('staging-')) await rm(path.join(this.root, name, entry), { recursive: true, force: true });
      }
    }
  }

  stop(): void {
    if (this.probationTimer) clearTimeout(this.probationTimer);
    this.probationTimer = null;
  }

  models(): Record<string, ModelState> {
    return structuredClone(this.state.models);
  }

  /** The directory of the model in service, or null. */
  activeDir(name: string): string | null {
    const a = this.state.models[name]?.active;
    return a ? this.slotDir(name, a.slot) : null;
  }

  /** Install one bundle; resolves when it is committed, rolled back or rejected. */
  async install(source: Readable | Buffer, declaredBytes: number, opts: { allowDowngrade?: boolean } = {}): Promise<InstallResult> {
    if (this.isBusy) return { result: 'rejected', name: null, version: null, reason: 'another update is in progress' };
    this.isBusy = true;
    let name: string | null = null;
    let version: number | null = null;
    const staging = path.join(this.root, `.incoming-${process.pid}-${Date.now()}`);
    try {
      await this.ensureSpace(declaredBytes);
      this.phase(null, 'verifying');
      const v = await verifyBundle(source, { trustedKeys: this.o.trustedKeys, maxBundleBytes: this.o.maxBundleBytes, stagingDir: staging });
      ({ name } = v.manifest.model);
      version = v.manifest.version;
      this.crashPoint('verified');
      const current = this.state.models[name]?.active;
      if (current && v.manifest.version <= current.version && !opts.allowDowngrade) throw new OtaError(`version ${v.manifest.version} is not newer than the installed ${current.version} (downgrades need wulf ota rollback)`, 'downgrade');
      if (compareVersions(v.manifest.minRuntimeVersion, this.o.runtimeVersion) > 0) throw new OtaError(`needs runtime ${v.manifest.minRuntimeVersion}; this is ${this.o.runtimeVersion}`, 'incompatible');
      this.phase(name, 'checking');
      await this.o.check.check(v.files, v.manifest).catch((err: unknown) => {
        throw new OtaError(`candidate failed its checks: ${(err as Error).message}`, 'golden');
      });
      this.crashPoint('checked');
      return await this.stageAndSwitch(name, v.manifest, staging);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      const reason = (err as Error).message;
      this.o.log.warn({ name, version, reason }, 'update rejected; the live model is untouched');
      if (name) await this.record(name, { result: 'rejected', version, reason });
      this.phase(name, 'rejected', { reason });
      return { result: 'rejected', name, version, reason };
    } finally {
      this.isBusy = false;
    }
  }

  /** A turn used the model under probation: healthy turns commit it, a failure rolls it back. */
  noteTurn(name: string, isHealthy: boolean): void {
    const p = this.probation;
    if (!p || p.name !== name) return;
    if (!isHealthy) {
      void this.endProbation(false, 'a turn failed on the new model');
      return;
    }
    p.turns += 1;
    if (p.turns >= this.o.probationTurns) void this.endProbation(true, null);
  }

  /** Local `wulf ota rollback`: go back to the previous slot, whatever its version. */
  async rollback(name: string): Promise<boolean> {
    const m = this.state.models[name];
    if (!m?.previous) return false;
    await this.rollbackTo(name, 'rolled back by hand');
    return true;
  }

  private async stageAndSwitch(name: string, manifest: Manifest, staging: string): Promise<InstallResult> {
    this.phase(name, 'staging');
    const m = (this.state.models[name] ??= { active: null, previous: null, probation: null, last: null });
    const target: Slot = m.active?.slot === 'a' ? 'b' : 'a';
    const targetDir = this.slotDir(name, target);
    await mkdir(path.join(this.root, name), { recursive: true });
    // The inactive slot is replaced whole. First forget it as a rollback target (saved), then
    // remove it, then rename the verified staging dir in: a crash anywhere here leaves the live
    // slot and the state pointing at it untouched.
    if (m.previous?.slot === target) {
      m.previous = null;
      await this.save();
    }
    await rm(targetDir, { recursive: true, force: true });
    this.crashPoint('slot-cleared');
    await rename(staging, targetDir);
    await writeManifest(targetDir, manifest);
    await fsyncDir(path.join(this.root, name));
    this.crashPoint('staged');
    this.phase(name, 'switching');
    const entry = { slot: target, version: manifest.version, bundleId: manifest.bundleId };
    m.previous = m.active;
    m.active = entry;
    m.probation = { ...entry, since: new Date().toISOString() };
    await this.save(); // the switch: one atomic, fsynced write of the slot pointer
    this.crashPoint('switched');
    // Probation starts at the switch: turns served from here on count toward commit or rollback.
    const done = new Promise<InstallResult>((resolve) => (this.probation = { name, turns: 0, resolve }));
    try {
      await this.o.host.activate(name, targetDir, manifest);
    } catch (err) {
      // The new model would not go into service: back to the old one at once.
      await this.endProbation(false, `activation failed: ${(err as Error).message}`);
      return done;
    }
    this.phase(name, 'probation', { version: manifest.version });
    this.crashPoint('probation');
    if (this.probation) this.probationTimer = setTimeout(() => void this.endProbation(true, null), this.o.probationMs);
    return done;
  }

  private async endProbation(isHealthy: boolean, reason: string | null): Promise<void> {
    const p = this.probation;
    if (!p) return;
    this.probation = null;
    if (this.probationTimer) clearTimeout(this.probationTimer);
    this.probationTimer = null;
    const m = this.state.models[p.name]!;
    const version = m.active?.version ?? null;
    if (isHealthy) {
      m.probation = null;
      await this.record(p.name, { result: 'committed', version, reason: null });
      this.phase(p.name, 'committed', { version });
      this.o.log.info({ name: p.name, version }, 'update committed');
      p.resolve({ result: 'committed', name: p.name, version, reason: null });
    } else {
      await this.rollbackTo(p.name, reason ?? 'unhealthy during probation');
      p.resolve({ result: 'rolled_back', name: p.name, version, reason });
    }
  }

  private async rollbackTo(name: string, reason: string): Promise<void> {
    const m = this.state.models[name]!;
    const failed = m.active;
    m.active = m.previous;
    m.previous = failed;
    m.probation = null;
    await this.record(name, { result: 'rolled_back', version: failed?.version ?? null, reason });
    this.phase(name, 'rolled_back', { reason });
    if (m.active) {
      const dir = this.slotDir(name, m.active.slot);
      const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
      await this.o.host.activate(name, dir, manifest);
    }
  }

  private async record(name: string, last: Omit<NonNullable<ModelState['last']>, 'at'>): Promise<void> {
    const m = (this.state.models[name] ??= { active: null, previous: null, probation: null, last: null });
    m.last = { ...last, at: new Date().toISOString() };
    await this.save();
  }

  private async save(): Promise<void> {
    await this.file.write(this.state);
  }

  private async ensureSpace(declaredBytes: number): Promise<void> {
    if (declaredBytes > this.o.maxBundleBytes) throw new OtaError(`bundle is ${declaredBytes} bytes; the limit is ${this.o.maxBundleBytes}`, 'size');
    const fs = await statfs(this.root);
    const free = Number(fs.bavail) * Number(fs.bsize);
    // Staging plus the slot it replaces, and a margin so the store keeps room to write.
    const need = declaredBytes * 2 + 16 * 2 ** 20;
    if (free < need) throw new OtaError(`not enough disk space: ${free} bytes free, ${need} needed`, 'disk');
  }

  private phase(name: string | null, phase: OtaPhase, detail?: Record<string, unknown>): void {
    this.o.onPhase?.(name, phase, detail);
  }

  private crashPoint(point: string): void {
    if (this.o.crashAt === point) {
      this.o.log.warn({ point }, 'test hook: SIGKILL at crash point');
      process.kill(process.pid, 'SIGKILL');
    }
  }
}

async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await new AtomicJsonFile<Manifest>(path.join(dir, 'manifest.json')).write(manifest);
}

/** Compare dotted versions numerically ("0.10.0" > "0.9.1"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}
