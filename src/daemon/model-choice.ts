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

/** How the choice went: the file that loaded (and what loading it gave), or why none did. */
export type ModelPick<T> =
  | { outcome: 'loaded'; file: string; value: T; failures: string[] }
  | { outcome: 'configured-missing'; file: string }
  | { outcome: 'none'; tried: string[]; failures: string[] };

/**
 * The one rule for which model file a service uses, shared by the daemon and `wulf doctor`: the
 * configured file alone when set (falling back would hide the mistake; missing is an error), else
 * OTA's, then the shipped default; the first that exists and loads wins. `onFailure` hears each file
 * that exists but does not load, before the next is tried.
 */
export async function pickModel<T>(configured: string | undefined, ota: string | null, shipped: string, load: (file: string) => Promise<T>, onFailure: (file: string, message: string) => void = () => undefined): Promise<ModelPick<T>> {
  if (configured && !existsSync(configured)) return { outcome: 'configured-missing', file: configured };
  const tried = (configured ? [configured] : [ota, shipped]).filter((f): f is string => !!f);
  const failures: string[] = [];
  for (const file of tried) {
    if (!existsSync(file)) continue;
    try {
      return { outcome: 'loaded', file, value: await load(file), failures };
    } catch (err) {
      failures.push(`${file} does not load: ${(err as Error).message}`);
      onFailure(file, (err as Error).message);
    }
  }
  return { outcome: 'none', tried, failures };
}

/** True when a model is in service afterwards. */
export async function startModel(c: ModelChoice): Promise<boolean> {
  const pick = await pickModel(c.configured, c.ota, c.shipped, c.swap, (file, err) => c.log.error({ file, err }, `${c.what} model does not load; trying the next one`));
  if (pick.outcome === 'configured-missing') c.log.error({ file: pick.file }, `the configured ${c.what} model is missing; ${c.off}`);
  if (pick.outcome === 'none') c.log.warn({ tried: pick.tried }, `no ${c.what} model: ${c.without}`);
  return pick.outcome === 'loaded';
}
