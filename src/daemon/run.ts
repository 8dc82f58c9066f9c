// `wulf run`: the process around the daemon — root logger, config errors (exit 2), signals,
// and a hard deadline on shutdown so systemd never has to SIGKILL us.
import nodeModule from 'node:module';
import pino, { type Logger } from 'pino';
import { ConfigError, loadConfig } from '../config/index.js';
import { Daemon } from './daemon.js';
import { LogRing } from './log-ring.js';

/** Exit codes of `wulf run`. */
export const EXIT = { ok: 0, failed: 1, config: 2 } as const;

const STOP_DEADLINE_MS = 9000; // the bound is 10 s; systemd's default stop timeout is 90 s

export async function runDaemon(opts: { configPath?: string; env?: Record<string, string | undefined> }): Promise<void> {
  const env = opts.env ?? process.env;
  let config;
  try {
    config = await loadConfig({ ...(opts.configPath ? { path: opts.configPath } : {}), env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = EXIT.config;
      return;
    }
    throw err;
  }
  // The root logger: the only module-level singleton (STYLE). JSON lines on stdout for journald.
  // Two streams: stdout for journald (synchronous, so a fatal line is out before exit) and, at warn
  // and above, the in-memory ring the web console's Status page shows.
  const recentLog = new LogRing();
  const log: Logger = pino(
    {
      level: config.log.level,
      base: { deviceId: config.deviceId },
      redact: { paths: ['*.password', 'password', 'mqtt.password', '*.apiKey', '*.token', 'web.token'], censor: '***' },
    },
    pino.multistream([
      { level: config.log.level, stream: pino.destination({ dest: 1, sync: true }) },
      { level: 'warn', stream: recentLog },
    ]),
  );
  // Signal handlers go in before the start: systemd (or a test) may send SIGTERM as soon as READY=1
  // is out, and Node's default would kill us without flushing the store.
  let daemon: Daemon | null = null;
  const signals = installSignals(() => daemon, log, config.debug.freezeOnSigusr2Ms);
  try {
    daemon = await Daemon.start(config, log, env, { recentLog });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      log.fatal({ problems: err.problems }, 'bad config');
      process.exit(EXIT.config);
    }
    log.fatal({ err }, 'wulf failed to start');
    process.exit(EXIT.failed);
  }
  signals.started();
  flushCompileCache(log);
}

/**
 * The unit sets NODE_COMPILE_CACHE (Node >= 22.1): V8 keeps the compiled code of every module
 * on disk, which cuts a cold start on a slow board by about a quarter. Node writes the cache
 * only at exit; a board that loses power never exits, so write it as soon as we are up.
 */
function flushCompileCache(log: Logger): void {
  const flush = (nodeModule as { flushCompileCache?: () => void }).flushCompileCache;
  if (!process.env.NODE_COMPILE_CACHE || typeof flush !== 'function') return;
  try {
    flush();
  } catch (err) {
    log.warn({ err }, 'cannot write the compile cache (start-up stays correct, only slower)');
  }
}

/** SIGTERM/SIGINT stop, SIGHUP reloads; a stop asked for during the start runs once the start is done. */
function installSignals(current: () => Daemon | null, log: Logger, freezeMs: number): { started: () => void } {
  let pending: string | null = null;
  const stop = (signal: string) => {
    const daemon = current();
    if (!daemon) {
      log.info({ signal }, 'signal received during start-up: shutting down once started');
      pending = signal;
      return;
    }
    log.info({ signal }, 'signal received: shutting down');
    const deadline = setTimeout(() => {
      log.error('shutdown took too long; exiting anyway');
      process.exit(EXIT.failed);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    daemon.stop().then(
      () => process.exit(EXIT.ok),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(EXIT.failed);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    const daemon = current();
    if (daemon) void daemon.reload();
    else log.info('SIGHUP during start-up: ignored (send it again once started)');
  });
  if (freezeMs > 0) {
    // Test hook (config debug.freezeOnSigusr2Ms): freeze the event loop to prove the watchdog bites.
    process.on('SIGUSR2', () => {
      log.warn({ freezeMs }, 'debug hook: freezing the event loop');
      const until = Date.now() + freezeMs;
      while (Date.now() < until) {
        // busy wait on purpose
      }
    });
  }
  return { started: () => { if (pending) stop(pending); } };
}
