// `wulf doctor`: checks that a board can run Wulf, one line per check; non-zero exit on a failure.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ensureStateDir, loadConfig, type Config } from '../config/index.js';
import { STORE_FILE } from '../memory/index.js';
import { ask, connectClient } from './ask-client.js';
import { resolveModelsDir } from '../audio/index.js';
import { engineStatus } from '../voice/recognizer.js';
import { NeuroLiteModel } from '../nlu/index.js';
import { LlamaGenerator } from '../generate/index.js';
import { DEFAULT_GENERATOR_MODEL } from '../generate/default-model.js';
import { DEFAULT_NLU_MODEL } from '../daemon/nlu-service.js';
import { pickModel } from '../daemon/model-choice.js';
import { modelFileIn, otaModelsOnDisk } from '../daemon/ota-service.js';

export type CheckState = 'ok' | 'warn' | 'fail';
export interface Check {
  name: string;
  state: CheckState;
  detail: string;
}

const MIN_NODE = [20, 8] as const;

export async function runDoctor(opts: { configPath?: string; env: Record<string, string | undefined> }): Promise<Check[]> {
  const checks: Check[] = [checkNode()];
  let config: Config;
  try {
    config = await loadConfig({ ...(opts.configPath ? { path: opts.configPath } : {}), env: opts.env });
    checks.push({ name: 'config', state: 'ok', detail: config.configPath ? `valid: ${config.configPath}` : 'no config file; built-in defaults' });
  } catch (err) {
    checks.push({ name: 'config', state: 'fail', detail: err instanceof ConfigError ? err.problems.join('; ') : String(err) });
    return checks;
  }
  const broker = await checkBroker(config);
  checks.push(await checkStateDir(config), await checkStore(config), broker, ...(await checkModels(config)), checkMicrophone(config, opts.env));
  checks.push(checkVoiceModels(config), checkRecognizers(config), checkSpeech(config, opts.env));
  if (broker.state === 'ok' && broker.detail.includes('answers')) checks.push(await checkRunningVoice(config));
  return checks;
}

function checkNode(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const isOk = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return { name: 'node', state: isOk ? 'ok' : 'fail', detail: `${process.version}${isOk ? '' : ` (need >= ${MIN_NODE.join('.')})`}` };
}

async function checkStateDir(config: Config): Promise<Check> {
  try {
    await ensureStateDir(config.stateDir);
    return { name: 'state dir', state: 'ok', detail: `${config.stateDir} is writable` };
  } catch (err) {
    return { name: 'state dir', state: 'fail', detail: (err as ConfigError).problems?.join('; ') ?? String(err) };
  }
}

async function checkStore(config: Config): Promise<Check> {
  const file = path.join(config.stateDir, STORE_FILE);
  if (!existsSync(file)) return { name: 'store', state: 'ok', detail: `${file} will be created at start` };
  try {
    JSON.parse(await readFile(file, 'utf8'));
    return { name: 'store', state: 'ok', detail: `${file} parses` };
  } catch (err) {
    return { name: 'store', state: 'warn', detail: `${file} is corrupt (${(err as Error).message}); the daemon will move it aside and start fresh` };
  }
}

async function checkBroker(config: Config): Promise<Check> {
  const url = config.mqtt.url ?? `mqtt://${config.mqtt.embedded.host}:${config.mqtt.embedded.port}`;
  try {
    const client = await connectClient(url, 5000, { ...(config.mqtt.username ? { username: config.mqtt.username } : {}), ...(config.mqtt.password ? { password: config.mqtt.password } : {}) });
    const version = client.options.protocolVersion === 5 ? '5' : '3.1.1';
    await client.endAsync();
    return { name: 'broker', state: 'ok', detail: `${url} answers (MQTT ${version})` };
  } catch (err) {
    if (!config.mqtt.url) return { name: 'broker', state: 'ok', detail: `no broker configured; the daemon will run its embedded broker on ${url}` };
    return { name: 'broker', state: 'fail', detail: (err as Error).message };
  }
}

/**
 * The models the daemon would start with, loaded in the real runtime: the NLU (configured, else OTA's,
 * else the shipped default, as the daemon chooses) and, when it is on, the generator.
 */
async function checkModels(config: Config): Promise<Check[]> {
  let ota;
  try {
    ota = await otaModelsOnDisk(config.stateDir);
  } catch (err) {
    // The daemon cannot start on it either (its OTA agent reads the same file).
    return [{ name: 'nlu model', state: 'fail', detail: `OTA state: ${(err as Error).message}` }];
  }
  const otaFile = (kind: string): string | null => {
    const m = ota.find((o) => o.kind === kind);
    return m ? modelFileIn(m.dir, m.manifest) : null;
  };
  const nlu = await checkModel('nlu model', config.nlu.model, otaFile('nlu'), DEFAULT_NLU_MODEL, 'natural language is off (commands only)', async (file) => {
    const m = await NeuroLiteModel.load(file);
    await m.release();
    return `${m.name} v${m.version}, ${m.intents.length} intents`;
  });
  if (!config.generator.enabled) return [nlu];
  const gen = await checkModel('generator', config.generator.model, otaFile('generator'), DEFAULT_GENERATOR_MODEL, 'open questions get an honest "not yet"', async (file) => {
    const g = await LlamaGenerator.load(file);
    await g.release();
    return `${path.basename(file)} loads`;
  });
  return [nlu, gen];
}

async function checkModel(name: string, configured: string | undefined, ota: string | null, shipped: string, without: string, load: (file: string) => Promise<string>): Promise<Check> {
  const pick = await pickModel(configured, ota, shipped, load);
  if (pick.outcome === 'configured-missing') return { name, state: 'fail', detail: `the configured file ${pick.file} is missing: ${without}` };
  if (pick.outcome === 'none') return { name, state: configured ? 'fail' : 'warn', detail: `${pick.failures.join('; ') || 'no model file found'}: ${without}` };
  const source = pick.file === configured ? 'configured' : pick.file === ota ? 'from OTA' : 'shipped default';
  const failures = pick.failures.length ? `; ${pick.failures.join('; ')}` : '';
  return { name, state: failures ? 'warn' : 'ok', detail: `${pick.value} (${source}: ${pick.file})${failures}` };
}

function checkMicrophone(config: Config, env: Record<string, string | undefined>): Check {
  const cmd = config.audio.captureCommand;
  const found = (env.PATH ?? '').split(':').some((dir) => dir && existsSync(path.join(dir, cmd)));
  if (found) return { name: 'microphone', state: 'ok', detail: `${cmd} found` };
  return { name: 'microphone', state: config.audio.enabled ? 'fail' : 'warn', detail: `${cmd} not found in PATH${config.audio.enabled ? '' : ' (audio is disabled, so this is only a warning)'}` };
}

const onPath = (cmd: string, env: Record<string, string | undefined>): boolean => (cmd.includes('/') ? existsSync(cmd) : (env.PATH ?? '').split(':').some((dir) => dir && existsSync(path.join(dir, cmd))));

/** Wake-word and vad model files in audio.modelsDir (setup-voice.sh installs them). */
function checkVoiceModels(config: Config): Check {
  const dir = resolveModelsDir(config.audio.modelsDir);
  const ids = config.audio.wake.words.map((w) => w.id);
  const missing = ids.filter((id) => !existsSync(path.join(dir, `${id}.tflite`)) || !existsSync(path.join(dir, `${id}.json`)));
  const hasVadModel = existsSync(path.join(dir, `${config.audio.vad.id}.tflite`));
  const vad = config.audio.vad.kind === 'energy' ? 'energy VAD' : hasVadModel ? `vad model ${config.audio.vad.id}` : `energy VAD (no ${config.audio.vad.id}.tflite${config.audio.vad.kind === 'model' ? ', although audio.vad.kind is model' : ''})`;
  if (missing.length) return { name: 'wake words', state: config.audio.enabled ? 'fail' : 'warn', detail: `missing in ${dir}: ${missing.join(', ')} (run .ci/setup-voice.sh or set audio.modelsDir); ${vad}` };
  return { name: 'wake words', state: 'ok', detail: `${ids.join(', ')} in ${dir}; ${vad}` };
}

/** A recognizer per language: without one, spoken commands are heard but not understood. */
function checkRecognizers(config: Config): Check {
  const status = { en: engineStatus('en'), fr: engineStatus('fr') };
  const detail = (['en', 'fr'] as const).map((lang) => (status[lang].isAvailable ? `${lang}: ${status[lang].detail}` : `no engine for ${lang}: ${status[lang].detail}`)).join('; ');
  return { name: 'recognizer', state: status[config.language].isAvailable ? 'ok' : 'warn', detail };
}

function checkSpeech(config: Config, env: Record<string, string | undefined>): Check {
  const sink = config.audio.tts.sink;
  const to = sink.kind === 'file' ? `WAV files in ${sink.dir}` : `aplay on ${config.audio.tts.device}`;
  const missing = ['espeak-ng', ...(sink.kind === 'aplay' ? ['aplay'] : [])].filter((c) => !onPath(c, env));
  if (missing.length) return { name: 'speech', state: 'warn', detail: `${missing.join(', ')} not found in PATH: replies cannot be spoken (${to})` };
  return { name: 'speech', state: 'ok', detail: `espeak-ng → ${to}` };
}

/** The running daemon's own view of its voice: microphone up or down, VAD, engines. */
async function checkRunningVoice(config: Config): Promise<Check> {
  const url = config.mqtt.url ?? `mqtt://${config.mqtt.embedded.host}:${config.mqtt.embedded.port}`;
  try {
    const r = await ask({ url, prefix: config.mqtt.topicPrefix, deviceId: config.deviceId, text: '/status', timeoutMs: 3000, ...(config.mqtt.username ? { username: config.mqtt.username } : {}), ...(config.mqtt.password ? { password: config.mqtt.password } : {}) });
    if (r.kind !== 'reply') return { name: 'voice', state: 'warn', detail: `the daemon refused /status: ${r.error.message}` };
    const v = (r.reply.data as { voice?: { microphone?: { state: string; reason?: string }; vad?: string; engines?: Record<string, string> } } | undefined)?.voice;
    if (!v?.microphone) return { name: 'voice', state: 'warn', detail: 'the running daemon reports no voice status (older version?)' };
    const mic = v.microphone.state === 'down' ? `microphone down (${v.microphone.reason ?? '?'})` : `microphone ${v.microphone.state}`;
    const detail = `${mic}; VAD ${v.vad ?? '?'}; ${Object.values(v.engines ?? {}).join(', ')}`;
    return { name: 'voice', state: v.microphone.state === 'down' ? 'warn' : 'ok', detail };
  } catch {
    return { name: 'voice', state: 'warn', detail: `no running daemon answered as ${config.deviceId}` };
  }
}
