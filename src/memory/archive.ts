// Append-only archive segments: old messages and metrics leave the live store for JSONL files
// (`archive/segment-000001.jsonl`, …) so each live write stays small however long history grows.
// Appends are fsynced; a torn last line (power cut mid-append) is cut off at open.
import { open, readdir, mkdir, stat, truncate, readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fsyncDir } from './atomic-json-file.js';

export interface ArchiveRecord {
  kind: 'message' | 'metric';
  seq: number;
  [key: string]: unknown;
}

const SEGMENT = /^segment-(\d{6})\.jsonl$/;

export class Archive {
  private constructor(
    readonly dir: string,
    private segmentNames: string[],
    private currentBytes: number,
    /** Highest seq on disk in the archive (0 when empty). */
    public lastSeq: number,
    private readonly maxSegmentBytes: number,
  ) {}

  static async open(dir: string, maxSegmentBytes = 8 * 2 ** 20, isReadOnly = false): Promise<Archive> {
    if (!isReadOnly) await mkdir(dir, { recursive: true });
    const names = (await readdir(dir).catch(() => [] as string[])).filter((f) => SEGMENT.test(f)).sort();
    let bytes = 0;
    let lastSeq = 0;
    const last = names.at(-1);
    if (last) {
      const file = path.join(dir, last);
      const buf = await readFile(file);
      // Keep whole lines only: what follows the last newline was being appended when we died.
      const end = buf.lastIndexOf(0x0a) + 1;
      if (end !== buf.length && !isReadOnly) await truncate(file, end);
      bytes = end;
      const lines = buf.subarray(0, end).toString().trimEnd().split('\n');
      const tail = lines.at(-1);
      if (tail) lastSeq = (JSON.parse(tail) as ArchiveRecord).seq;
    }
    return new Archive(dir, names, bytes, lastSeq, maxSegmentBytes);
  }

  get segments(): readonly string[] {
    return this.segmentNames;
  }

  /** Append records (ascending seq) durably; starts a new segment past the size limit. */
  async append(records: ArchiveRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    const bytes = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    let name = this.segmentNames.at(-1);
    const isNew = !name || this.currentBytes >= this.maxSegmentBytes;
    if (isNew) {
      name = `segment-${String(this.segmentNames.length + 1).padStart(6, '0')}.jsonl`;
      this.segmentNames.push(name);
      this.currentBytes = 0;
    }
    const fh = await open(path.join(this.dir, name!), 'a', 0o600);
    try {
      await fh.write(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (isNew) await fsyncDir(this.dir);
    this.currentBytes += bytes.length;
    this.lastSeq = records.at(-1)!.seq;
    return bytes.length;
  }

  /** Every archived record, oldest first. */
  async *records(): AsyncGenerator<ArchiveRecord> {
    for (const name of this.segmentNames) {
      const lines = createInterface({ input: createReadStream(path.join(this.dir, name)), crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line) continue;
        try {
          yield JSON.parse(line) as ArchiveRecord;
        } catch {
          // A torn last line, seen read-only while the daemon appends: it is not part of the archive yet.
        }
      }
    }
  }

  async sizeBytes(): Promise<number> {
    let total = 0;
    for (const name of this.segmentNames) total += (await stat(path.join(this.dir, name))).size;
    return total;
  }
}
