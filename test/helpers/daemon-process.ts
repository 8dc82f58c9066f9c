// The real daemon as a child process (`node dist/src/cli/main.js run`), with its JSON log parsed.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cliPath, tempDir } from './paths.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export class DaemonProcess {
  logs: LogLine[] = [];
  stderr = '';
  private waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly proc: ChildProcess, readonly stateDir: string, readonly deviceId: string) {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.onLine(line);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Start a daemon with `config` written to a temp file; env adds to (not replaces) process.env. */
  static async start(opts: { config?: Record<string, unknown>; env?: Record<string, string>; stateDir?: string; deviceId?: string; args?: string[] } = {}): Promise<DaemonProcess> {
    const dir = opts.stateDir ?? (await tempDir('wulf-daemon-'));
    const deviceId = opts.deviceId ?? `t${Math.random().toString(36).slice(2, 10)}`;
    const args = [cliPath, 'run'];
    if (opts.config) {
      const file = path.join(await tempDir('wulf-config-'), 'config.json');
      await writeFile(file, JSON.stringify(opts.config));
      args.push('--config', file);
    }
    args.push(...(opts.args ?? []));
    const proc = spawn(process.execPath, args, {
      env: { ...process.env, WULF_STATE_DIR: dir, WULF_DEVICE_ID: deviceId, NOTIFY_SOCKET: '', WATCHDOG_USEC: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DaemonProcess(proc, dir, deviceId);
  }

  private onLine(line: string): void {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      parsed = { level: 0, msg: line }; // a non-JSON line is kept so a test can see it
    }
    this.logs.push(parsed);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(parsed)) return true;
      w.resolve(parsed);
      return false;
    });
  }

  /** Resolve with the first log line (past or future) that matches. */
  waitForLog(match: string | ((l: LogLine) => boolean), timeoutMs = 15_000): Promise<LogLine> {
    const fn = typeof match === 'string' ? (l: LogLine) => l.msg === match : match;
    const seen = this.logs.find(fn);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log line matching ${String(match)} within ${timeoutMs} ms; stderr: ${this.stderr}; logs: ${JSON.stringify(this.logs.slice(-5))}`)), timeoutMs);
      this.waiters.push({ match: fn, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  }

  /** Ready within 60 s: on a loaded CI machine (the board VM beside the host suite) loading the models alone took 8 s. */
  ready(timeoutMs = 60_000): Promise<LogLine> {
    return this.waitForLog('wulf is ready', timeoutMs);
  }

  signal(sig: NodeJS.Signals): void {
    this.proc.kill(sig);
  }

  /** Exit status, or throws when the process is still running after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`daemon still running after ${timeoutMs} ms`)), timeoutMs)));
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}
