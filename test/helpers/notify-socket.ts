// A real unix datagram socket that receives sd_notify messages (via a small Python receiver,
// since Node cannot bind AF_UNIX SOCK_DGRAM), with the sender's PID from SCM_CREDENTIALS.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot, tempDir } from './paths.js';

export interface NotifyMessage {
  tMs: number;
  msg: string;
  pid: number | null;
}

export class NotifySocket {
  messages: NotifyMessage[] = [];
  private constructor(readonly path: string, private readonly proc: ChildProcess) {}

  static async start(): Promise<NotifySocket> {
    const sockPath = path.join(await tempDir('wulf-notify-'), 'notify.sock');
    const proc = spawn('python3', [path.join(repoRoot, 'test/helpers/notify-receiver.py'), sockPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    const sock = new NotifySocket(sockPath, proc);
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`notify receiver exited with ${code}`)));
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = JSON.parse(buf.slice(0, nl)) as { bound?: string; t_ms: number; msg: string; pid: number | null };
          buf = buf.slice(nl + 1);
          if (line.bound) resolve();
          else sock.messages.push({ tMs: line.t_ms, msg: line.msg, pid: line.pid });
        }
      });
    });
    return sock;
  }

  /** Messages containing the line `KEY=…` (or exactly `line`). */
  having(line: string): NotifyMessage[] {
    return this.messages.filter((m) => m.msg.split('\n').some((l) => l === line || l.startsWith(`${line}=`)));
  }

  async waitFor(line: string, timeoutMs = 10_000, count = 1): Promise<NotifyMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.having(line).length < count) {
      if (Date.now() > deadline) throw new Error(`no ${count}× "${line}" within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.msg))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.having(line);
  }

  stop(): void {
    this.proc.kill('SIGKILL');
  }
}
