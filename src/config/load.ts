// Loads the config: file (JSON) → env overrides → schema → host defaults (device id, state dir).
// Every problem is reported with its key path; nothing here starts anything.
import { readFile, mkdir, writeFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { configSchema, deviceIdPattern, type Config } from './schema.js';

/** A config that cannot be used; `problems` has one line per bad key. Exit code 2. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `config: ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Which file to read: explicit flag, then WULF_CONFIG, then systemd's ConfigurationDirectory. */
export function resolveConfigPath(flagPath: string | undefined, env: Env): string | null {
  if (flagPath) return path.resolve(flagPath);
  if (env.WULF_CONFIG) return path.resolve(env.WULF_CONFIG);
  const confDir = firstDir(env.CONFIGURATION_DIRECTORY);
  if (confDir && existsSync(path.join(confDir, 'config.json'))) return path.join(confDir, 'config.json');
  return null;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError([`${file} is not valid JSON: ${(err as Error).message}`]);
  }
}

function describe(value: unknown): string {
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function valueAt(root: unknown, keys: PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of keys) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** Env overrides for what people set per host. */
function applyEnv(raw: Record<string, unknown>, env: Env): Record<string, unknown> {
  const out = { ...raw };
  if (env.WULF_DEVICE_ID) out.deviceId = env.WULF_DEVICE_ID;
  if (env.WULF_STATE_DIR) out.stateDir = env.WULF_STATE_DIR;
  if (env.WULF_MQTT_URL) {
    const mqtt = typeof out.mqtt === 'object' && out.mqtt !== null ? out.mqtt : {};
    out.mqtt = { ...mqtt, url: env.WULF_MQTT_URL };
  }
  if (env.WULF_LOG_LEVEL) out.log = { ...(typeof out.log === 'object' && out.log !== null ? out.log : {}), level: env.WULF_LOG_LEVEL };
  return out;
}

function firstDir(list: string | undefined): string | null {
  // systemd passes a colon-separated list when several directories are configured.
  const first = list?.split(':')[0];
  return first ? first : null;
}

/** Host name → a valid device id ("Pi-Kitchen.local" → "pi-kitchen-local"). */
export function deviceIdFromHostname(name: string = hostname()): string {
  const id = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+/, '').slice(0, 64);
  return deviceIdPattern.test(id) ? id : 'wulf';
}

/** Validate an already-parsed object; the core of loadConfig, exported for tests and reload. */
export function parseConfig(raw: unknown, env: Env, configPath: string | null, cwd = process.cwd()): Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`top level must be a JSON object (got ${describe(raw)})`]);
  }
  const merged = applyEnv(raw as Record<string, unknown>, env);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const where = issue.path.join('.') || '(top level)';
        if (issue.code === 'unrecognized_keys') {
          return `${issue.path.length ? `${where}: ` : ''}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
        }
        return `${where}: ${issue.message} (got ${describe(valueAt(merged, issue.path))})`;
      }),
    );
  }
  const parsed = result.data;
  const stateDir = path.resolve(cwd, parsed.stateDir ?? firstDir(env.STATE_DIRECTORY) ?? './var');
  return { ...parsed, deviceId: parsed.deviceId ?? deviceIdFromHostname(), stateDir, configPath };
}

/** Read, merge and validate the config. Throws ConfigError naming every bad key. */
export async function loadConfig(opts: { path?: string; env?: Env } = {}): Promise<Config> {
  const env = opts.env ?? process.env;
  const configPath = resolveConfigPath(opts.path, env);
  const raw = configPath ? await readJson(configPath) : {};
  return parseConfig(raw, env, configPath);
}

/** The state dir must exist and take writes; create it if missing. */
export async function ensureStateDir(dir: string): Promise<void> {
  const probe = path.join(dir, `.write-test-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'ok');
    await unlink(probe);
  } catch (err) {
    throw new ConfigError([`stateDir: ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
}
