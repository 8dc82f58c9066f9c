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
/** espeak-ng voices Wulf may use (names from `espeak-ng --voices`). */
export const ttsVoices = ['en-us', 'en-gb', 'fr-fr', 'fr-be', 'fr-ch'] as const;
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

/** Where each kind of provider lives unless `url` says otherwise, and where its key is looked for. */
export const providerDefaults = {
  xai: { url: 'https://api.x.ai/v1', apiKeyEnv: 'XAI_API_KEY' },
  openai: { url: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' },
  lan: { url: undefined, apiKeyEnv: undefined },
} as const;

const providerSchema = z
  .strictObject({
    /** Shown in replies, logs and `wulf fluid log`. */
    name: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be 1–32 lowercase letters, digits, "_" or "-"'),
    /** xai (Grok), openai, or lan: any server speaking the OpenAI chat API (LM Studio, Ollama, llama.cpp). */
    kind: z.enum(['xai', 'openai', 'lan']),
    /** Base URL of the API, up to and including /v1 (required for lan). */
    url: z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http:// or https:// URL').optional(),
    model: z.string().min(1).max(128),
    /** The key itself (prefer apiKeyEnv, or a config file only root can read). Never logged. */
    apiKey: z.string().min(1).optional(),
    /** Environment variable holding the key; default XAI_API_KEY / OPENAI_API_KEY by kind. */
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    /** Time to open the TCP (and TLS) connection. */
    connectTimeoutMs: z.int().min(50).max(30_000).default(2000),
    /** Time for the whole answer. */
    timeoutMs: z.int().min(100).max(300_000).default(20_000),
    /** Extra tries on this provider for retryable failures (429, 5xx, dropped connection). */
    retries: z.int().min(0).max(5).default(1),
    /** Ask for a server-sent-events stream (the answer arrives as it is generated). */
    stream: z.boolean().default(true),
    maxTokens: z.int().min(16).max(4096).default(300),
  })
  .refine((p) => p.kind !== 'lan' || p.url, { message: 'a lan provider needs a url (e.g. http://192.168.1.20:1234/v1)', path: ['url'] });

const fluidSchema = z.strictObject({
  /** Tried in this order. None: the board never reaches the cloud (it still serves what it learned). */
  providers: z.array(providerSchema).default([]),
  /** off | when_unsure | always; Home Assistant's "Cloud mode" select overrides it at run time. */
  mode: z.enum(['off', 'when_unsure', 'always']).default('when_unsure'),
  budget: z
    .strictObject({
      callsPerDay: z.int().min(0).max(1_000_000).default(200),
      tokensPerDay: z.int().min(0).max(100_000_000).default(100_000),
    })
    .prefault({}),
  breaker: z
    .strictObject({
      /** Consecutive failures that open a provider's circuit. */
      failures: z.int().min(1).max(100).default(3),
      /** How long an open circuit stays open before one trial request (half-open). */
      cooldownMs: z.int().min(100).max(24 * 3600_000).default(60_000),
    })
    .prefault({}),
  probe: z
    .strictObject({
      /** The longest a question waits to learn whether any provider is reachable. */
      deadlineMs: z.int().min(10).max(5000).default(200),
      /** How long a reachable / unreachable verdict is trusted. */
      okTtlMs: z.int().min(100).max(3600_000).default(60_000),
      failTtlMs: z.int().min(100).max(3600_000).default(15_000),
    })
    .prefault({}),
  bins: z
    .strictObject({
      /** Relevance halves after this long unused. */
      halfLifeMs: z.int().min(10).max(365 * 86_400_000).default(7 * 86_400_000),
      /** Beyond this age a bin is dropped however often it is used (borrowed facts go stale). */
      maxAgeMs: z.int().min(10).max(3650 * 86_400_000).default(60 * 86_400_000),
      /** Bins whose relevance falls below this are dropped. */
      dropBelow: z.number().min(0.001).max(0.99).default(0.2),
      /** Similarity a question needs to be answered from a bin. */
      matchThreshold: z.number().min(0.1).max(1).default(0.7),
      /** Most bins kept (each is rewritten with store.json: keep it modest on an SD card). */
      max: z.int().min(1).max(100_000).default(500),
    })
    .prefault({}),
  failureLog: z
    .strictObject({
      maxBytes: z.int().min(1024).max(64 * 2 ** 20).default(256 * 1024),
      /** Rotated files kept beside the live one. */
      keep: z.int().min(1).max(20).default(3),
    })
    .prefault({}),
  /** Longest answer kept (the rest is cut at a sentence end). */
  maxAnswerChars: z.int().min(64).max(20_000).default(1200),
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
  generator: z
    .strictObject({
      /**
       * Answer open questions and plan compound requests with the Jarvis generator. Off by default
       * while the shipped model misses its accuracy bars (#11): its plans can name the wrong device.
       */
      enabled: z.boolean().default(false),
      /** A Jarvis .tflite; default: the model OTA installed, else the one shipped in firmware-models/dist. */
      model: z.string().optional(),
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
      /** Take satellite audio on hermes/audioServer/<siteId>/audioFrame for the site ids above. */
      audio: z.boolean().default(true),
      /** Largest audioFrame accepted (bytes); bigger ones are logged and dropped. */
      maxAudioFrameBytes: z.int().min(1024).max(1_048_576).default(65_536),
      /**
       * A reply to a satellite goes out as playBytes; sayFinished waits for the satellite's playFinished,
       * at most the audio's length plus this (ms), so a dead satellite never blocks.
       */
      playFinishedSlackMs: z.int().min(0).max(60_000).default(5000),
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
  /** The fluid-knowledge link: the only way to the internet (src/fluid). Off until a provider is set. */
  fluid: fluidSchema.prefault({}),
  audio: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Capture program (spawned without a shell). */
      captureCommand: z.string().default('arecord'),
      /**
       * Folder of the voice models (`<id>.tflite` + `<id>.json`, microWakeWord v2), as installed by
       * .ci/setup-voice.sh; relative paths resolve against the Wulf install directory. Never downloaded at run time.
       */
      modelsDir: z.string().min(1).default('var/voice-models'),
      wake: z
        .strictObject({
          /** Wake words by model id, each with an optional cutoff overriding its manifest's probability_cutoff. */
          words: z.array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]+$/), cutoff: z.number().gt(0).lt(1).optional() })).min(1).default([{ id: 'okay_nabu' }]),
          /** After a detection, the same word is ignored this long. */
          refractoryMs: z.int().min(0).max(60_000).default(2000),
        })
        .prefault({}),
      /**
       * Voice activity after the wake word (src/audio/vad.ts). `auto`: the microWakeWord `vad` model
       * (`<id>.tflite` in modelsDir) when it is installed, else the energy VAD. `model` or `energy`
       * forces one (`model` without the file: logged as an error, the energy VAD runs).
       */
      vad: z
        .strictObject({
          kind: z.enum(['auto', 'model', 'energy']).default('auto'),
          id: z.string().regex(/^[A-Za-z0-9_-]+$/).default('vad'),
          /** Energy VAD tuning (raw frontend feature units; EnergyVoiceActivity's defaults when absent). */
          energy: z
            .strictObject({
              onDelta: z.number().gt(0).max(4096).optional(),
              offDelta: z.number().min(0).max(4096).optional(),
              hangoverMs: z.int().min(0).max(5000).optional(),
            })
            .refine((e) => e.offDelta === undefined || e.offDelta <= (e.onDelta ?? 96), 'offDelta must not exceed onDelta')
            .prefault({}),
        })
        .prefault({}),
      /** Command audio kept after the wake word, at most (ms). */
      maxCommandMs: z.int().min(1000).max(60_000).default(15_000),
      /** End of speech after the wake word (Home Assistant's defaults). */
      endOfSpeech: z
        .strictObject({
          speechMs: z.int().min(0).max(10_000).default(300),
          silenceMs: z.int().min(0).max(10_000).default(700),
          timeoutMs: z.int().min(1000).max(120_000).default(15_000),
        })
        .prefault({}),
      /** Speech out (src/voice/tts.ts): espeak-ng → aplay, one utterance at a time. */
      tts: z
        .strictObject({
          /** espeak-ng voice per language, from a fixed allow-list. */
          voices: z.strictObject({ en: z.enum(ttsVoices).default('en-us'), fr: z.enum(ttsVoices).default('fr-fr') }).prefault({}),
          /** ALSA device for aplay (`aplay -L` lists them). */
          device: z.string().regex(/^[A-Za-z0-9_:,=.-]{1,64}$/, 'must be an ALSA device name such as default or plughw:1,0').default('default'),
          /** Longer replies are cut at a word boundary. */
          maxChars: z.int().min(16).max(5000).default(600),
          /** A synthesizer or player still running after this long is killed. */
          timeoutMs: z.int().min(500).max(120_000).default(20_000),
          /** Utterances waiting to be spoken; the oldest is dropped beyond this. */
          maxQueued: z.int().min(1).max(100).default(4),
          speedWpm: z.int().min(80).max(450).default(170),
          /** Where speech goes: aplay on `device`, or WAV files in `dir` (boards without a speaker, tests). */
          sink: z
            .discriminatedUnion('kind', [z.strictObject({ kind: z.literal('aplay') }), z.strictObject({ kind: z.literal('file'), dir: z.string().min(1) })])
            .default({ kind: 'aplay' }),
        })
        .prefault({}),
      /**
       * Wyoming protocol server (Home Assistant / Rhasspy 3: describe, transcribe, synthesize, wake
       * detection over TCP). Off by default; loopback only unless host says otherwise.
       */
      wyoming: z
        .strictObject({
          enabled: z.boolean().default(false),
          host: z.string().min(1).default('127.0.0.1'),
          port: z.int().min(0).max(65_535).default(10_700),
          /** Largest audio accepted in one transcribe/detect request, in bytes as the client sends it (default: 60 s of 16 kHz s16 mono). */
          maxAudioBytes: z.int().min(1024).max(256 * 1024 * 1024).default(1_920_000),
          /** Largest payload of one event (an audio chunk), in bytes. */
          maxPayloadBytes: z.int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
          /** Longest text accepted by synthesize, in characters. */
          maxTextChars: z.int().min(1).max(100_000).default(2000),
          /** At most this many clients at once; more are refused with an error event. */
          maxConnections: z.int().min(1).max(256).default(8),
        })
        .prefault({}),
    })
    .prefault({}),
  /** The local web console (src/web): status, chat, memory, models, turns, in a browser. Off by default. */
  web: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Address to listen on. Anything but loopback puts the console on the LAN, which needs `token`. */
      host: z.string().min(1).default('127.0.0.1'),
      /** TCP port (0: any free port, logged at start; for tests). */
      port: z.int().min(0).max(65_535).default(8642),
      /** Shared secret asked at login (at least 16 characters). Required unless the console listens on loopback only. */
      token: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
      /** Largest request body accepted (bytes); bigger ones get 413. */
      maxBodyBytes: z.int().min(1024).max(1_048_576).default(64 * 1024),
      /** The console's address as people on the LAN type it (e.g. http://kitchen-pi.local:8642), for Home Assistant's "Visit" link. */
      publicUrl: z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http:// or https:// URL').optional(),
      /** At most this many live event streams (browser tabs) at once. */
      maxEventStreams: z.int().min(1).max(64).default(8),
    })
    .refine((w) => !w.enabled || w.token !== undefined || isLoopbackHost(w.host), { message: 'a console reachable from the network needs web.token (or listen on 127.0.0.1)', path: ['token'] })
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
      /** Test hook: at start, try to write a file at each of these paths and log what happened (sandbox tests). */
      writeProbe: z.array(z.string().min(1)).max(32).default([]),
    })
    .prefault({}),
});

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export type ConfigInput = z.input<typeof configSchema>;
export type DeviceConfig = z.output<typeof deviceSchema>;
export type RoutineConfig = z.output<typeof routineSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type FluidConfig = z.output<typeof fluidSchema>;
export type Domain = (typeof domains)[number];
export type DeviceAction = (typeof deviceActions)[number];
export type ParsedConfig = z.output<typeof configSchema>;

/** The config the daemon runs with: parsed, defaults applied, host values resolved. */
export type Config = ParsedConfig & { deviceId: string; stateDir: string; configPath: string | null };
export type TtsVoice = (typeof ttsVoices)[number];
export type TtsConfig = ParsedConfig['audio']['tts'];
