// The README's two commands stay true: they name scripts that exist and do what they say.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './helpers/paths.js';

test('the README run line starts the daemon the way the lifecycle tests start it', async (t) => {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
  t.true(readme.includes('npm ci && npm run build && npm start'));
  t.is(pkg.scripts.start, 'node dist/src/cli/main.js run');
  t.is(pkg.bin.wulf, 'dist/src/cli/main.js');
});

test('the README test line is what CI runs', async (t) => {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const ci = await readFile(path.join(repoRoot, '.ci/run'), 'utf8');
  t.true(readme.includes('bash .ci/setup && npm test'));
  t.true(ci.includes('bash .ci/setup') && ci.includes('npm test'));
});
