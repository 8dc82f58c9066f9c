// A real daemon for the console's development scripts (`npm run bench -- web`, `npm run screenshots`):
// `wulf run` with a config in a temp dir, resolved once it is ready, with the addresses it logged.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface DevDaemon {
  proc: ChildProcess;
  /** The web console's address; null when it is off. */
  consoleUrl: string | null;
  /** The broker it uses: the embedded one's logged address, or the config's `mqtt.url`. */
  brokerUrl: string;
  stop(): Promise<void>;
}

export async function startDevDaemon(config: Record<string, unknown>): Promise<DevDaemon> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wulf-dev-daemon-'));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/main.js'), 'run', '--config', path.join(dir, 'config.json')], { env: { ...process.env, WULF_STATE_DIR: path.join(dir, 'state'), NOTIFY_SOCKET: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const configured = (config.mqtt as { url?: string } | undefined)?.url ?? null;
  const { consoleUrl, brokerUrl } = await new Promise<{ consoleUrl: string | null; brokerUrl: string }>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (!buf.includes('"msg":"wulf is ready"')) return;
      proc.stdout!.removeAllListeners('data');
      proc.stdout!.resume();
      resolve({
        consoleUrl: /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"web console listening"/.exec(buf)?.[1] ?? null,
        brokerUrl: configured ?? /"url":"(mqtt:\/\/[^"]+)"[^\n]*"msg":"no broker configured/.exec(buf)?.[1] ?? '',
      });
    });
    proc.once('exit', (code) => reject(new Error(`the daemon exited (${code}) before it was ready`)));
  });
  return {
    proc,
    consoleUrl,
    brokerUrl,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
