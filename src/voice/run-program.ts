// Runs one helper program (espeak-ng, aplay, pocketsphinx) without a shell: arguments as an array,
// input on stdin, output collected up to a byte bound, SIGKILL after a deadline. Nothing else here.
import { spawn } from 'node:child_process';

export class ProgramError extends Error {
  constructor(
    message: string,
    readonly code: 'spawn' | 'timeout' | 'exit' | 'too_big' | 'aborted',
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'ProgramError';
  }
}

export interface RunOptions {
  stdin?: string | Buffer;
  timeoutMs: number;
  /** stdout beyond this is an error (the child is killed). */
  maxStdoutBytes: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

const maxStderrBytes = 8 * 1024;

/** Run `program args…`; resolves with stdout when it exits 0, rejects with a ProgramError otherwise. */
export function runProgram(program: string, args: readonly string[], opts: RunOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { shell: false, stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    let failure: ProgramError | null = null;
    const fail = (e: ProgramError) => {
      failure ??= e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => fail(new ProgramError(`${program} still running after ${opts.timeoutMs} ms: killed`, 'timeout')), opts.timeoutMs);
    const onAbort = () => fail(new ProgramError(`${program} aborted`, 'aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    child.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > opts.maxStdoutBytes) return fail(new ProgramError(`${program} wrote more than ${opts.maxStdoutBytes} bytes: killed`, 'too_big'));
      chunks.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < maxStderrBytes) stderr += c.toString('utf8').slice(0, maxStderrBytes - stderr.length);
    });
    // EPIPE when the child exits before reading all its input: the exit status tells the story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');
    child.on('error', (e) => fail(new ProgramError(`cannot run ${program}: ${e.message}`, 'spawn')));
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(new ProgramError(failure.message, failure.code, stderr));
      if (code !== 0) return reject(new ProgramError(`${program} exited with ${code ?? sig}: ${stderr.trim().slice(0, 300)}`, 'exit', stderr));
      resolve(Buffer.concat(chunks));
    });
  });
}
