// Where the shared reference data lives (golden features, WAV fixtures, models). Tests that need it
// must fail, never skip, when it is missing: a silent skip would hide a broken acceptance check.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** Candidates in order: $WULF_REFERENCE_DIR, `<repoRoot>/../shared/reference`, `/work/shared/reference`. */
export function referenceDirCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env['WULF_REFERENCE_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return [path.resolve(fromEnv)];
  return [path.resolve(repoRoot, '../shared/reference'), '/work/shared/reference'];
}

/** The reference data directory; throws (so the test fails) when none of the candidates exists. */
export function referenceDir(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = referenceDirCandidates(env);
  const found = candidates.find((dir) => existsSync(dir));
  if (found === undefined) {
    throw new Error(`reference data not found: looked in ${candidates.join(', ')}; set WULF_REFERENCE_DIR to the shared/reference folder`);
  }
  return found;
}

/** A path inside the reference data; throws when that file or folder is missing. */
export function referencePath(...parts: string[]): string {
  const p = path.join(referenceDir(), ...parts);
  if (!existsSync(p)) throw new Error(`reference data incomplete: ${p} is missing`);
  return p;
}
