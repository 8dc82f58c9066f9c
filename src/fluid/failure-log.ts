// failures/ in the state dir: one JSON line per provider failure (time, provider, failure class,
// HTTP status, latency, attempt) — never the key, never the prompt. Rotated by size:
// fluid.jsonl → fluid.1.jsonl → … → fluid.<keep>.jsonl. A full disk loses a log line, not a turn.
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';

export interface FailureRecord {
  ts: string;
  provider: string;
  failure: string;
  status: number | null;
  latencyMs: number;
  attempt: number;
}

export class FailureLog {
  readonly file: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly dir: string, private readonly maxBytes: number, private readonly keep: number, private readonly log: Logger) {
    this.file = path.join(dir, 'fluid.jsonl');
  }

  /** Append one record (serialized with the ones before it); never throws. */
  append(record: FailureRecord): Promise<void> {
    this.chain = this.chain.then(() => this.write(record)).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'could not write the fluid failure log'));
    return this.chain;
  }

  private async write(record: FailureRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const size = (await stat(this.file).catch(() => ({ size: 0 }))).size;
    const line = `${JSON.stringify(record)}\n`;
    if (size > 0 && size + line.length > this.maxBytes) await this.rotate();
    await appendFile(this.file, line, { mode: 0o640 });
  }

  private async rotate(): Promise<void> {
    const nth = (i: number): string => path.join(this.dir, `fluid.${i}.jsonl`);
    for (let i = this.keep - 1; i >= 1; i--) await rename(nth(i), nth(i + 1)).catch(() => undefined);
    await rename(this.file, nth(1));
  }
}
