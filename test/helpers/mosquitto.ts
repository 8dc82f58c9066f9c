// A real mosquitto broker on a free loopback port, started and killed by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './paths.js';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const isOpen = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (isOpen) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class Mosquitto {
  private proc: ChildProcess | null = null;
  log = '';
  private constructor(readonly port: number, private readonly confFile: string) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<Mosquitto> {
    const dir = await tempDir('wulf-mosquitto-');
    const port = await freePort();
    const confFile = path.join(dir, 'mosquitto.conf');
    await writeFile(confFile, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'set_tcp_nodelay true', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning'].join('\n') + '\n');
    const m = new Mosquitto(port, confFile);
    await m.spawn();
    return m;
  }

  async spawn(): Promise<void> {
    const bin = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p)) ?? 'mosquitto';
    this.proc = spawn(bin, ['-c', this.confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    await waitForPort(this.port);
  }

  /** SIGKILL: the broker vanishes without closing anything. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    this.proc = null;
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}
