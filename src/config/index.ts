// Public API of the config boundary: the schema, its types, loading and validation.
export { configSchema, type Config, type ConfigInput } from './schema.js';
export { ConfigError, loadConfig, parseConfig, ensureStateDir, resolveConfigPath, deviceIdFromHostname, type Env } from './load.js';
