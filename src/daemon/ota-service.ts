// OTA inside the daemon: trusted keys from disk, the agent (A/B slots, probation), the transfer
// (MQTT chunks or HTTP), a candidate check that loads every .tflite in LiteRT, and a host that
// keeps the list of models in service for /status and Home Assistant.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { InboundMessage, MqttLink, Topics } from '../mqtt/index.js';
import { loadPublicKey, OtaAgent, OtaTransfer, type CandidateCheck, type Manifest, type ModelHost, type ModelState } from '../ota/index.js';
import { loadLiteRtRuntime, Model } from '../runtime/index.js';
import { NeuroLiteModel } from '../nlu/index.js';
import { AtomicJsonFile } from '../memory/index.js';

export interface ServedModel {
  name: string;
  version: string;
  kind: string;
  dir: string;
  manifest: Manifest;
}

/** The .tflite of an OTA slot: the payload whose role is "model". */
export function modelFileIn(dir: string, manifest: Manifest): string {
  const payload = manifest.payloads.find((p) => p.role === 'model' && p.name.endsWith('.tflite')) ?? manifest.payloads.find((p) => p.name.endsWith('.tflite'));
  return path.join(dir, payload?.name ?? 'model.tflite');
}

const served = (name: string, dir: string, manifest: Manifest): ServedModel => ({ name, version: String(manifest.version), kind: manifest.model.kind, dir, manifest });

/** The model in an installed slot, from the manifest the agent wrote there. */
async function servedAt(name: string, dir: string): Promise<ServedModel> {
  return served(name, dir, JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest);
}

/**
 * The models OTA has in service, read from disk without touching anything (for `wulf doctor`, which
 * may run beside the daemon). A model left in probation counts as its previous version: that is what
 * the daemon's next start rolls back to.
 */
export async function otaModelsOnDisk(stateDir: string): Promise<ServedModel[]> {
  const root = path.join(stateDir, 'models');
  // The agent's own reader: a missing file is no OTA model yet, a corrupt one throws StoreCorruptError (naming it).
  const state = await new AtomicJsonFile<{ models?: Record<string, ModelState> }>(path.join(root, 'ota-state.json')).read();
  const out: ServedModel[] = [];
  for (const [name, m] of Object.entries(state?.models ?? {})) {
    const slot = (m.probation ? m.previous : m.active)?.slot;
    if (!slot) continue;
    try {
      out.push(await servedAt(name, path.join(root, name, slot)));
    } catch {
      // A slot without a readable manifest is not in service; the daemon's own start says why.
    }
  }
  return out;
}

/** Where trusted keys live: config, else beside the config file, else in the state dir. */
export function trustedKeysDir(config: Config): string {
  if (config.ota.trustedKeysDir) return config.ota.trustedKeysDir;
  return path.join(config.configPath ? path.dirname(config.configPath) : config.stateDir, 'trusted-keys');
}

async function loadTrustedKeys(dir: string, log: Logger): Promise<KeyObject[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.pub'));
  const keys: KeyObject[] = [];
  for (const n of names) {
    try {
      keys.push(loadPublicKey(await readFile(path.join(dir, n), 'utf8')));
    } catch (err) {
      log.error({ file: path.join(dir, n), err: (err as Error).message }, 'unusable trusted key; skipped');
    }
  }
  return keys;
}

/** Every .tflite payload must load in LiteRT, exactly as the board will run it. */
const runtimeCheck: CandidateCheck = {
  async check(files, manifest) {
    const tflites = Object.entries(files).filter(([name]) => name.endsWith('.tflite'));
    if (!tflites.length) throw new Error('the bundle has no .tflite payload');
    const runtime = await loadLiteRtRuntime();
    for (const [name, file] of tflites) {
      let model: Model;
      try {
        model = await Model.fromFile(runtime, file);
      } catch (err) {
        throw new Error(`${name} does not load: ${(err as Error).message}`);
      }
      await model.release();
    }
    if (manifest.model.kind === 'nlu') await checkNluGolden(files, manifest);
  },
};

/**
 * Golden cases of an NLU bundle: `{input: "allume la lumière", expected: "HassTurnOn"}` (or
 * `expected: {intent, slots?: {name: value}}`); every one must hold on the staged model.
 */
async function checkNluGolden(files: Record<string, string>, manifest: Manifest): Promise<void> {
  const payload = manifest.payloads.find((p) => p.role === 'model' && p.name.endsWith('.tflite'));
  const model = await NeuroLiteModel.load(files[payload?.name ?? ''] ?? '', { confidenceThreshold: 0 });
  try {
    for (const [i, g] of manifest.golden.entries()) {
      if (typeof g.input !== 'string') throw new Error(`golden case ${i + 1}: input must be a sentence`);
      const expected = typeof g.expected === 'string' ? { intent: g.expected } : (g.expected as { intent: string; slots?: Record<string, string> });
      const u = await model.understand(g.input);
      if (u.intent !== expected.intent) throw new Error(`golden case ${i + 1} ${JSON.stringify(g.input)}: expected ${expected.intent}, got ${u.intent}`);
      for (const [name, value] of Object.entries(expected.slots ?? {})) {
        const got = u.slots.find((s) => s.name === name)?.value;
        if (got !== value) throw new Error(`golden case ${i + 1} ${JSON.stringify(g.input)}: slot ${name} expected ${JSON.stringify(value)}, got ${JSON.stringify(got ?? null)}`);
      }
    }
  } finally {
    await model.release();
  }
}

export class OtaService {
  readonly served = new Map<string, ServedModel>();

  private constructor(readonly agent: OtaAgent, readonly transfer: OtaTransfer, private readonly topics: Topics) {}

  static async create(config: Config, link: MqttLink, topics: Topics, log: Logger, onModelsChanged: () => void, version: string, onActivate: (name: string, dir: string, manifest: Manifest) => Promise<void>): Promise<OtaService | null> {
    if (!config.ota.enabled) return null;
    const dir = trustedKeysDir(config);
    const keys = await loadTrustedKeys(dir, log);
    if (!keys.length) log.warn({ dir }, 'no trusted OTA keys: model updates will be refused (put wulf-ota keygen .pub files there)');
    let service: OtaService | null = null;
    const host: ModelHost = {
      activate: async (name: string, modelDir: string, manifest: Manifest) => {
        if (service) await onActivate(name, modelDir, manifest); // at start-up the daemon loads the NLU itself
        service?.served.set(name, served(name, modelDir, manifest));
        log.info({ name, version: manifest.version, dir: modelDir }, 'model in service');
        onModelsChanged();
      },
    };
    const agent = new OtaAgent({
      stateDir: config.stateDir,
      trustedKeys: keys,
      maxBundleBytes: config.ota.maxBundleBytes,
      runtimeVersion: version,
      check: runtimeCheck,
      host,
      probationTurns: config.ota.probationTurns,
      probationMs: config.ota.probationMs,
      log,
      crashAt: config.ota.crashAt,
      onPhase: (name, phase, detail) => service?.transfer.onAgentPhase(name, phase, detail),
    });
    const transfer = new OtaTransfer(path.join(config.stateDir, 'ota-download'), agent, { publish: (t, p, o) => link.send(t, p, o), topics }, log);
    await agent.start();
    const starting = new OtaService(agent, transfer, topics);
    for (const [name, m] of Object.entries(agent.models())) {
      const active = agent.activeDir(name);
      if (active && m.active) starting.served.set(name, await servedAt(name, active));
    }
    service = starting;
    await transfer.start();
    return service;
  }

  get subscriptions(): string[] {
    return [this.topics.otaOffer, this.topics.otaChunkFilter];
  }

  /** True when the message was an OTA one. */
  async handle(msg: InboundMessage): Promise<boolean> {
    if (msg.topic === this.topics.otaOffer) {
      await this.transfer.onOffer(msg.payload);
      return true;
    }
    if (msg.topic.startsWith(this.topics.otaChunkFilter.slice(0, -1))) {
      await this.transfer.onChunk(msg.payload);
      return true;
    }
    return false;
  }

  /** A turn finished: healthy or not, it counts toward the probation of every model on trial. */
  noteTurn(isHealthy: boolean): void {
    for (const [name, m] of Object.entries(this.agent.models())) if (m.probation) this.agent.noteTurn(name, isHealthy);
  }

  async stop(): Promise<void> {
    this.agent.stop();
    await this.transfer.stop();
  }
}
