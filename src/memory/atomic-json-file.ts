// lowdb adapter: one JSON file, written atomically and durably (temp file → fsync → rename →
// fsync of the directory), so a kill or a power cut leaves the old file or the new one, never half.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

/** The file exists but is not JSON (truncated by a crash on an unsafe filesystem, edited by hand…). */
export class StoreCorruptError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(`${file} is not valid JSON: ${(cause as Error).message}`);
    this.name = 'StoreCorruptError';
  }
}

export class AtomicJsonFile<T> implements Adapter<T> {
  private seq = 0;
  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new StoreCorruptError(this.file, err);
    }
  }

  /** Serialises synchronously (callers may mutate right after), then writes durably. */
  async write(data: T): Promise<void> {
    const bytes = Buffer.from(JSON.stringify(data));
    await writeFileAtomic(this.file, bytes, { tmpSuffix: `${process.pid}-${this.seq++}` });
    this.bytesWritten += bytes.length;
  }

  bytesWritten = 0;
}

/**
 * Writes `data` to a temp file beside `file`, fsyncs it, renames it over `file` and fsyncs the
 * directory: a reader (or a power cut) sees the old file or the whole new one, never half of it.
 * The temp file is removed when the write fails.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, opts: { mode?: number; tmpSuffix?: string } = {}): Promise<void> {
  const tmp = `${file}.tmp-${opts.tmpSuffix ?? process.pid}`;
  const fh = await open(tmp, 'w', opts.mode ?? 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined); // best effort: the write already failed
    throw err;
  }
  await fh.close();
  await rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

/** fsync a directory so that a rename in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
