// Public API of the config boundary: the schema, its types, loading and validation.
export { configSchema, domains, deviceActions, type Config, type ConfigInput, type DeviceConfig, type RoutineConfig, type ProviderConfig, type FluidConfig, providerDefaults, type Domain, type DeviceAction, ttsVoices, type TtsVoice, type TtsConfig, isLoopbackHost } from './schema.js';
export { ConfigError, loadConfig, parseConfig, ensureStateDir, resolveConfigPath, deviceIdFromHostname, type Env } from './load.js';
