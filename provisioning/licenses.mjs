#!/usr/bin/env node
// The licence texts of every production dependency (from package-lock.json; dev tools excluded),
// for the release's THIRD_PARTY_LICENSES: the release bundles most of them into dist/, so their
// notices must travel beside the code. Run from the checkout root: node provisioning/licenses.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const out = ['Third-party software in this Wulf release, with the licence texts their authors ship.\n'];
const missing = [];
for (const [where, meta] of Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b))) {
  if (!where || meta.dev || meta.optional && !existsSync(where)) continue;
  const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const files = existsSync(where) ? readdirSync(where).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f)) : [];
  out.push(`${'='.repeat(78)}\n${name} ${meta.version} (${meta.license ?? 'licence not declared'})\n${'='.repeat(78)}`);
  if (!files.length) missing.push(name);
  for (const f of files) out.push(readFileSync(path.join(where, f), 'utf8').trim(), '');
  if (!files.length) out.push(`(no licence file in the package; its package.json declares ${meta.license ?? 'nothing'})\n`);
}
process.stdout.write(`${out.join('\n')}\n`);
if (missing.length) process.stderr.write(`licenses: no licence file in ${missing.join(', ')}\n`);
