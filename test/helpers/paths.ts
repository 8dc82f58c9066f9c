// Where things are, seen from the compiled tests (dist/test/…).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const cliPath = path.join(repoRoot, 'dist/src/cli/main.js');

export function tempDir(prefix = 'wulf-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Every message of a state dir as plain JSON (archive segments, then the live file), read without Wulf's code. */
export async function readAllMessages(stateDir: string): Promise<Array<{ turnId: string; role: string; seq: number }>> {
  const { readFile, readdir } = await import('node:fs/promises');
  const store = JSON.parse(await readFile(path.join(stateDir, 'store.json'), 'utf8')) as { messages: Array<{ turnId: string; role: string; seq: number }>; archive?: { throughSeq: number } };
  const archived: Array<{ turnId: string; role: string; seq: number; kind: string }> = [];
  const dir = path.join(stateDir, 'archive');
  const segments = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl')).sort();
  for (const f of segments) {
    for (const line of (await readFile(path.join(dir, f), 'utf8')).split('\n')) if (line) archived.push(JSON.parse(line) as (typeof archived)[number]);
  }
  return [...archived.filter((r) => r.kind === 'message'), ...store.messages];
}
