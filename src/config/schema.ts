// The one config schema: every key the daemon reads, its type, its default.
// Must not read files or the environment (see load.ts); it only describes and validates.
import { z } from 'zod';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** A device id becomes an MQTT topic level: keep it to safe characters. */
export const deviceIdPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const mqttSchema = z.strictObject({
  /** mqtt://host:port or mqtts://…; absent → run the embedded broker. */
  url: z.string().regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL').optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Topic root; every topic is `<topicPrefix>/<deviceId>/…`. */
  topicPrefix: z.string().regex(/^[a-z0-9_-]+$/, 'must be a single lowercase topic level').default('wulf'),
  /** Largest input payload accepted on `ask`; bigger ones get an error reply. */
  maxPayloadBytes: z.int().min(64).max(1024 * 1024).default(16 * 1024),
  keepaliveS: z.int().min(5).max(3600).default(30),
  reconnectMinMs: z.int().min(100).max(60_000).default(500),
  reconnectMaxMs: z.int().min(1000).max(600_000).default(30_000),
  /** How long start-up waits for the broker before going READY degraded. */
  connectWaitMs: z.int().min(0).max(120_000).default(15_000),
  embedded: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.int().min(0).max(65535).default(1883),
    })
    .prefault({}),
});

const namesPerLang = z.strictObject({ en: z.array(z.string().min(1)).default([]), fr: z.array(z.string().min(1)).default([]) });

/** What a device is; decides its actions and the default payloads of a preset. */
export const domains = ['light', 'switch', 'fan', 'cover', 'climate', 'lock', 'media_player', 'sensor', 'binary_sensor'] as const;
export const deviceActions = ['turn_on', 'turn_off', 'toggle', 'brightness', 'color', 'temperature', 'open', 'close', 'lock', 'unlock'] as const;

const deviceSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_.-]+$/, 'must be lowercase letters, digits, "_", "." or "-"'),
  names: namesPerLang,
  /** An area id from `areas`. */
  area: z.string().optional(),
  domain: z.enum(domains),
  /** zigbee2mqtt, tasmota or homeassistant: default topics and payloads; anything set here wins. */
  preset: z.enum(['zigbee2mqtt', 'tasmota', 'homeassistant', 'custom']).default('custom'),
  /** zigbee2mqtt friendly name, Tasmota topic, or HA object id; used by the preset. */
  target: z.string().optional(),
  commandTopic: z.string().optional(),
  /** Per action, a payload template; `{{value}}` is replaced by the JSON-encoded value. */
  payloads: z.partialRecord(z.enum(deviceActions), z.string()).default({}),
  /** Topic whose messages Wulf caches to answer "is it on?". */
  stateTopic: z.string().optional(),
  /** Ask for a yes before any action on this device. */
  critical: z.boolean().default(false),
});

const routineSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]+$/),
  /** Phrases that start it, compared case- and accent-insensitively. */
  phrases: namesPerLang.prefault({}),
  /** Or an intent name that starts it. */
  intents: z.array(z.string()).default([]),
  steps: z.array(z.strictObject({ tool: z.string(), args: z.record(z.string(), z.unknown()).default({}) })).min(1),
});

export const configSchema = z.strictObject({
  deviceId: z.string().regex(deviceIdPattern, 'must be lowercase letters, digits, "-" or "_" (max 64)').optional(),
  /** Where the store and state live; default `$STATE_DIRECTORY` (systemd) or `./var`. */
  stateDir: z.string().min(1).optional(),
  language: z.enum(['en', 'fr']).default('en'),
  log: z.strictObject({ level: logLevel.default('info') }).prefault({}),
  mqtt: mqttSchema.prefault({}),
  assistant: z
    .strictObject({
      /** Turns run at once; more wait in a bounded queue (MQTT backpressure beyond it). */
      maxConcurrentTurns: z.int().min(1).max(64).default(8),
      maxQueuedTurns: z.int().min(1).max(10_000).default(64),
      /** On SIGTERM, how long turns in flight may take to finish. */
      shutdownGraceMs: z.int().min(0).max(8000).default(3000),
    })
    .prefault({}),
  nlu: z
    .strictObject({
      /** A NeuroLite .tflite; default: the model OTA installed, else the one shipped in firmware-models/dist. */
      model: z.string().optional(),
      /** Below this intent probability the intent is "unknown" and Wulf asks to rephrase. */
      confidenceThreshold: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  homeAssistant: z
    .strictObject({
      /** Publish MQTT discovery so the board appears in Home Assistant. */
      discovery: z.boolean().default(true),
      discoveryPrefix: z.string().regex(/^[a-z0-9_-]+$/).default('homeassistant'),
      /** Device name shown in Home Assistant (default: "Wulf <deviceId>"). */
      deviceName: z.string().min(1).max(64).optional(),
    })
    .prefault({}),
  hermes: z
    .strictObject({
      /** Answer Rhasspy/Snips Hermes NLU queries and TTS requests. */
      enabled: z.boolean().default(true),
      /** Site ids this board answers for (default: "default" and the device id). */
      siteIds: z.array(z.string().min(1)).optional(),
    })
    .prefault({}),
  ota: z
    .strictObject({
      /** Take signed model updates over MQTT or HTTP. Needs at least one trusted key. */
      enabled: z.boolean().default(true),
      /** Directory of trusted ed25519 public keys (*.pub, PEM); default <config dir>/trusted-keys. */
      trustedKeysDir: z.string().optional(),
      maxBundleBytes: z.int().min(1024).max(4 * 2 ** 30).default(256 * 2 ** 20),
      /** Probation: commit after this many healthy turns or this long without trouble. */
      probationTurns: z.int().min(1).max(10_000).default(20),
      probationMs: z.int().min(100).max(24 * 3600_000).default(60_000),
      /** Test hook: SIGKILL at this install phase (power-cut tests). */
      crashAt: z.string().nullable().default(null),
    })
    .prefault({}),
  areas: z.array(z.strictObject({ id: z.string().regex(/^[a-z0-9_-]+$/), names: namesPerLang })).default([]),
  devices: z.array(deviceSchema).default([]),
  tools: z
    .strictObject({
      /** Tools allowed to run; nothing else can, whatever a model or a message says. Default: all. */
      enabled: z.array(z.string()).optional(),
      /** Tools that need a spoken or typed yes before they run. */
      critical: z.array(z.string()).default(['clear_memory']),
      /** How long a pending confirmation waits for yes or no. */
      confirmTimeoutMs: z.int().min(1000).max(600_000).default(30_000),
    })
    .prefault({}),
  routines: z.array(routineSchema).default([]),
  audio: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Capture program (spawned without a shell). */
      captureCommand: z.string().default('arecord'),
    })
    .prefault({}),
  watchdog: z
    .strictObject({
      /** Skip WATCHDOG=1 when the event loop lagged more than this. */
      maxEventLoopLagMs: z.int().min(10).max(60_000).default(2000),
    })
    .prefault({}),
  debug: z
    .strictObject({
      /** Test hook: on SIGUSR2, block the event loop this long (0 = off). */
      freezeOnSigusr2Ms: z.int().min(0).max(600_000).default(0),
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type DeviceConfig = z.output<typeof deviceSchema>;
export type RoutineConfig = z.output<typeof routineSchema>;
export type Domain = (typeof domains)[number];
export type DeviceAction = (typeof deviceActions)[number];
export type ParsedConfig = z.output<typeof configSchema>;

/** The config the daemon runs with: parsed, defaults applied, host values resolved. */
export type Config = ParsedConfig & { deviceId: string; stateDir: string; configPath: string | null };
