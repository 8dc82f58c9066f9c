// The CLI's one way to read the config: a bad config prints its problems and exits 2.
import { ConfigError, loadConfig, type Config } from '../config/index.js';

export async function configOrExit(configPath?: string): Promise<Config> {
  try {
    return await loadConfig({ ...(configPath ? { path: configPath } : {}), env: process.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}
