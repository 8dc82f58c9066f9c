// Which file a model service loads at start: the one the config names (and only it: falling back
// would hide the mistake), else the one OTA put in service, else the default shipped with Wulf. The
// first that loads wins; one that does not is logged and the next is tried.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';

export interface ModelChoice {
  /** The config's model file, if any. */
  configured: string | undefined;
  ota: string | null;
  shipped: string;
  /** Swaps the file in; throws when it does not load. */
  swap: (file: string) => Promise<void>;
  log: Logger;
  /** For the log: "NLU", "generator". */
  what: string;
  /** Logged when the configured file is missing: "natural language is off". */
  off: string;
  /** Logged when nothing loads: what the board does without it. */
  without: string;
}

/** True when a model is in service afterwards. */
export async function startModel(c: ModelChoice): Promise<boolean> {
  if (c.configured && !existsSync(c.configured)) {
    c.log.error({ file: c.configured }, `the configured ${c.what} model is missing; ${c.off}`);
    return false;
  }
  const candidates = modelCandidates(c.configured, c.ota, c.shipped);
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      await c.swap(file);
      return true;
    } catch (err) {
      c.log.error({ file, err: (err as Error).message }, `${c.what} model does not load; trying the next one`);
    }
  }
  c.log.warn({ tried: candidates }, `no ${c.what} model: ${c.without}`);
  return false;
}

/** The files a model service tries, in order: the configured one alone when set, else OTA's, then the shipped default. */
export function modelCandidates(configured: string | undefined, ota: string | null, shipped: string): string[] {
  return (configured ? [configured] : [ota, shipped]).filter((f): f is string => !!f);
}
