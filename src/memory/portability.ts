// Getting memory out and back in: dialogues exported as JSONL for fine-tuning, and whole-store
// backup/restore files. Restore never deletes: what it replaces is moved aside first.
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile, readdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import path from 'node:path';
import pino from 'pino';
import { fsyncDir } from './atomic-json-file.js';
import { ARCHIVE_DIR, MemoryStore, STORE_FILE } from './store.js';
import { STORE_SCHEMA_VERSION, type StoredMessage, type StoredSlot } from './schema.js';
import type { ArchiveRecord } from './archive.js';

export const BACKUP_FORMAT = 'wulf-memory-backup';
export const BACKUP_VERSION = 1;
export const PID_FILE = 'wulf.pid';
const BACKUP_END = 'wulf-memory-backup-end';

/** One exported turn: the NeuroLite JSONL shape ({text, intent, slots, lang}) plus the reply. */
export interface ExportedTurn {
  text: string;
  intent: string | null;
  slots: StoredSlot[];
  lang: string | null;
  reply: string;
  ts: string;
  turnId: string;
  episodeId: string;
  source: string;
}

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

const quiet = pino({ level: 'silent' });

/** Dialogues since `since` (inclusive), oldest first, one object per user turn that got a reply. */
export async function* exportDialogues(stateDir: string, since: Date | null): AsyncGenerator<ExportedTurn> {
  const { store } = await MemoryStore.open(stateDir, quiet, { readOnly: true });
  let pendingUser: StoredMessage | null = null;
  for await (const m of store.allMessages()) {
    if (since && Date.parse(m.ts) < since.getTime()) continue;
    if (m.role === 'user') {
      pendingUser = m;
      continue;
    }
    if (!pendingUser || pendingUser.turnId !== m.turnId) continue;
    const u = pendingUser;
    pendingUser = null;
    yield { text: u.text, intent: u.intent, slots: u.slots, lang: u.lang, reply: m.text, ts: u.ts, turnId: u.turnId, episodeId: u.episodeId, source: u.source };
  }
}

/** Write a backup: a header line, the live store, then every archive record, as JSONL. */
export async function backupMemory(stateDir: string, file: string): Promise<{ records: number; bytes: number }> {
  const { store } = await MemoryStore.open(stateDir, quiet, { readOnly: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  let records = 0;
  let bytes = 0;
  const write = async (obj: unknown) => {
    const line = Buffer.from(`${JSON.stringify(obj)}\n`);
    await fh.write(line);
    bytes += line.length;
  };
  try {
    await write({ format: BACKUP_FORMAT, version: BACKUP_VERSION, storeSchemaVersion: store.data.schemaVersion, createdAt: new Date().toISOString() });
    await write(store.data);
    for await (const r of store.archive.records()) {
      await write(r);
      records += 1;
    }
    // The trailer proves the file is whole: a backup cut at a line boundary still lacks it.
    await write({ format: BACKUP_END, records });
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  return { records, bytes };
}

/** The pid of a daemon running on this state dir, or null. */
export async function runningDaemonPid(stateDir: string): Promise<number | null> {
  const text = await readFile(path.join(stateDir, PID_FILE), 'utf8').catch(() => null);
  const [pidText, bootId] = (text ?? '').split('\n');
  const pid = Number(pidText);
  if (!text || !Number.isInteger(pid) || pid <= 0) return null;
  // Written before the last boot (a power cut): whatever runs under that pid now is not that daemon.
  // (Under the unit's ProtectProc=invisible, another user's /proc entry cannot be read to tell.)
  const currentBoot = await bootIdNow();
  if (bootId && currentBoot && bootId !== currentBoot) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // ESRCH: stale pid file from a crash. EPERM: alive, owned by another user (the service).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  // After a crash and a reboot the pid may belong to another program: only a wulf counts.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  if (cmdline !== null && !/wulf|cli\/main\.js/.test(cmdline)) return null;
  return pid;
}

export async function writePidFile(stateDir: string): Promise<void> {
  await writeFile(path.join(stateDir, PID_FILE), `${process.pid}\n${(await bootIdNow()) ?? ''}\n`);
}

/** This boot's id (Linux); null where there is none. */
async function bootIdNow(): Promise<string | null> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim() || null;
}

export async function removePidFile(stateDir: string): Promise<void> {
  await rm(path.join(stateDir, PID_FILE), { force: true });
}

/**
 * Replace the store with a backup. Validates the whole file first; refuses while a daemon runs;
 * moves the current store and archive to `before-restore-<time>/` rather than deleting them.
 */
export async function restoreMemory(stateDir: string, file: string): Promise<{ movedAsideTo: string | null; records: number }> {
  const pid = await runningDaemonPid(stateDir);
  if (pid) throw new RestoreError(`a wulf daemon (pid ${pid}) is using ${stateDir}; stop it first (systemctl stop wulf)`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const staging = path.join(stateDir, `.restore-${stamp}`);
  await mkdir(path.join(staging, ARCHIVE_DIR), { recursive: true });
  let records: number;
  try {
    records = await stageBackup(file, staging);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  const aside = path.join(stateDir, `before-restore-${stamp}`);
  let movedAsideTo: string | null = null;
  for (const name of [STORE_FILE, ARCHIVE_DIR]) {
    const from = path.join(stateDir, name);
    const exists = await readdir(stateDir).then((names) => names.includes(name));
    if (!exists) continue;
    await mkdir(aside, { recursive: true });
    await rename(from, path.join(aside, name));
    movedAsideTo = aside;
  }
  await rename(path.join(staging, STORE_FILE), path.join(stateDir, STORE_FILE));
  await rename(path.join(staging, ARCHIVE_DIR), path.join(stateDir, ARCHIVE_DIR));
  await rm(staging, { recursive: true, force: true });
  await fsyncDir(stateDir);
  return { movedAsideTo, records };
}

async function stageBackup(file: string, staging: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  let lastSeq = 0;
  let trailer: number | null = null;
  const segment = await open(path.join(staging, ARCHIVE_DIR, 'segment-000001.jsonl'), 'w', 0o600);
  try {
    for await (const line of lines) {
      n += 1;
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new RestoreError(`${file}: line ${n} is not JSON (truncated or not a backup)`);
      }
      if (n === 1) {
        if (obj.format !== BACKUP_FORMAT || obj.version !== BACKUP_VERSION) throw new RestoreError(`${file} is not a ${BACKUP_FORMAT} v${BACKUP_VERSION} file`);
        if (typeof obj.storeSchemaVersion !== 'number' || obj.storeSchemaVersion > STORE_SCHEMA_VERSION) throw new RestoreError(`${file} holds store schema ${String(obj.storeSchemaVersion)}; this build reads up to ${STORE_SCHEMA_VERSION}`);
      } else if (n === 2) {
        if (typeof obj.schemaVersion !== 'number' || !Array.isArray(obj.messages)) throw new RestoreError(`${file}: line 2 is not a store`);
        await writeFile(path.join(staging, STORE_FILE), line);
      } else if (obj.format === BACKUP_END) {
        trailer = Number(obj.records);
      } else {
        if (trailer !== null) throw new RestoreError(`${file}: data after the end marker (line ${n})`);
        const r = obj as ArchiveRecord;
        if ((r.kind !== 'message' && r.kind !== 'metric') || typeof r.seq !== 'number' || r.seq <= lastSeq) throw new RestoreError(`${file}: line ${n} is not an archive record in order`);
        lastSeq = r.seq;
        await segment.write(`${line}\n`);
      }
    }
    await segment.sync();
  } finally {
    await segment.close();
  }
  if (n < 2) throw new RestoreError(`${file} is truncated: no store in it`);
  const records = n - 3;
  if (trailer === null || trailer !== records) throw new RestoreError(`${file} is truncated: ${trailer === null ? 'no end marker' : `${records} records, the end marker says ${trailer}`}`);
  return records;
}
