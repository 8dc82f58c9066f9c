// Part of provisioning/install.sh: turns settings (flags, or the JSON a first boot reads) into
// /etc/wulf/config.json, /etc/wulf/trusted-keys/*.pub and /etc/wulf/secrets.env. The config is
// validated with Wulf's own schema before anything is written; a file is rewritten only when its
// content changes. Prints one line per thing changed (nothing when nothing did).
//   node settings.mjs --etc /etc/wulf --prefix /opt/wulf [--settings FILE] [--device-id ID] [--broker URL]
//        [--mqtt-user U] [--mqtt-password P] [--language L] [--cloud-mode M] [--trusted-key FILE]...
import { createHash, createPublicKey } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = { trustedKeyFiles: [] };
for (let i = 0; i < args.length; i += 2) {
  const [k, v] = [args[i], args[i + 1]];
  if (v === undefined) fail(`${k} needs a value`);
  if (k === '--trusted-key') opt.trustedKeyFiles.push(v);
  else opt[k.replace(/^--/, '')] = v;
}
const etc = opt.etc ?? '/etc/wulf';
const prefix = opt.prefix ?? '/opt/wulf';

function fail(msg) {
  process.stderr.write(`wulf-install: ${msg}\n`);
  process.exit(1);
}

/** The settings: the JSON file first, flags over it. */
function readSettings() {
  let s = {};
  if (opt.settings) {
    try {
      s = JSON.parse(readFileSync(opt.settings, 'utf8'));
    } catch (err) {
      fail(`${opt.settings}: not valid JSON (${err.message})`);
    }
    if (s === null || typeof s !== 'object' || Array.isArray(s)) fail(`${opt.settings}: must be a JSON object`);
    const known = new Set(['deviceId', 'broker', 'mqttUsername', 'mqttPassword', 'language', 'cloudMode', 'trustedKeys', 'secrets', 'config']);
    const unknown = Object.keys(s).filter((k) => !known.has(k));
    if (unknown.length) fail(`${opt.settings}: unknown setting(s) ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  }
  const fromFlags = { deviceId: opt['device-id'], broker: opt.broker, mqttUsername: opt['mqtt-user'], mqttPassword: opt['mqtt-password'], language: opt.language, cloudMode: opt['cloud-mode'] };
  for (const [k, v] of Object.entries(fromFlags)) if (v !== undefined) s[k] = v;
  s.trustedKeys = [...(s.trustedKeys ?? []), ...opt.trustedKeyFiles.map((f) => readFileSync(f, 'utf8'))];
  return s;
}

function merge(into, from) {
  for (const [k, v] of Object.entries(from)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && into[k] && typeof into[k] === 'object' && !Array.isArray(into[k])) merge(into[k], v);
    else into[k] = v;
  }
  return into;
}

function wulfIds() {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('wulf:'));
  if (!line) fail('the wulf user does not exist');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Write when the content differs (atomically); returns whether it did. */
function put(file, content, mode, uid, gid) {
  const same = existsSync(file) && readFileSync(file, 'utf8') === content;
  if (!same) {
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, content, { mode });
    chownSync(tmp, uid, gid);
    chmodSync(tmp, mode);
    renameSync(tmp, file);
  } else {
    chownSync(file, uid, gid);
    chmodSync(file, mode);
  }
  return !same;
}

const settings = readSettings();
const { gid } = wulfIds();
const changed = [];
mkdirSync(etc, { recursive: true });
chownSync(etc, 0, gid);
chmodSync(etc, 0o750);

// config.json
const configFile = path.join(etc, 'config.json');
let config = {};
if (existsSync(configFile)) {
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (err) {
    fail(`${configFile} is not valid JSON (${err.message}); fix or remove it`);
  }
}
if (settings.deviceId !== undefined) config.deviceId = settings.deviceId;
if (settings.language !== undefined) config.language = settings.language;
if (settings.broker !== undefined || settings.mqttUsername !== undefined || settings.mqttPassword !== undefined) {
  config.mqtt ??= {};
  if (settings.broker !== undefined) config.mqtt.url = settings.broker;
  if (settings.mqttUsername !== undefined) config.mqtt.username = settings.mqttUsername;
  if (settings.mqttPassword !== undefined) config.mqtt.password = settings.mqttPassword;
}
if (settings.cloudMode !== undefined) (config.fluid ??= {}).mode = settings.cloudMode;
if (settings.config !== undefined) merge(config, settings.config);
const { parseConfig, ConfigError } = await import(pathToFileURL(path.join(prefix, 'dist/src/config/index.js')).href);
try {
  parseConfig(config, {}, configFile);
} catch (err) {
  if (err instanceof ConfigError) fail(`the settings do not make a valid config:\n${err.message}`);
  throw err;
}
if (put(configFile, `${JSON.stringify(config, null, 2)}\n`, 0o640, 0, gid)) changed.push('config.json');

// trusted keys: one file per key, named by its hash
const keyDir = path.join(etc, 'trusted-keys');
mkdirSync(keyDir, { recursive: true });
chmodSync(keyDir, 0o755);
for (const pem of settings.trustedKeys) {
  let key;
  try {
    key = createPublicKey(pem);
  } catch {
    fail('a trusted key is not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') fail(`a trusted key is ${key.asymmetricKeyType}, not ed25519`);
  const spki = key.export({ type: 'spki', format: 'pem' });
  const name = `${createHash('sha256').update(spki).digest('hex').slice(0, 16)}.pub`;
  if (put(path.join(keyDir, name), spki, 0o644, 0, 0)) changed.push(`trusted key ${name}`);
}
if (!readdirSync(keyDir).some((f) => f.endsWith('.pub'))) process.stderr.write('wulf-install: warning: no trusted OTA key: model updates will be refused until one is installed (--trusted-key)\n');

// secrets.env: environment for the service (cloud API keys), root-only
if (settings.secrets && Object.keys(settings.secrets).length) {
  const file = path.join(etc, 'secrets.env');
  const current = new Map();
  if (existsSync(file)) for (const l of readFileSync(file, 'utf8').split('\n')) if (/^[A-Z_][A-Z0-9_]*=/.test(l)) current.set(l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1));
  // systemd's EnvironmentFile syntax: double quotes, with \ and " escaped.
  const quote = (v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  for (const [k, v] of Object.entries(settings.secrets)) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) fail(`secret name ${k} must be an environment variable name`);
    if (typeof v !== 'string' || /[\n\r\0]/.test(v)) fail(`secret ${k} must be a one-line string`);
    current.set(k, quote(v));
  }
  const body = `# Environment for wulf.service (read by systemd as root). Written by provisioning/install.sh.\n${[...current].map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
  if (put(file, body, 0o600, 0, 0)) changed.push('secrets.env');
}
if (changed.length) process.stdout.write(`${changed.join('\n')}\n`);
