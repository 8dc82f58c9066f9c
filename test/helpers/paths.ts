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
