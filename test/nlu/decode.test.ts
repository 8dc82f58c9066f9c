// Constrained BIO decoding (#5): the slot head's scores → the best valid BIO sequence. Checked against
// an exhaustive search, and against the Python recipe's bio_viterbi (train.py's reports use it) live.
import test from 'ava';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { decodeBio, spansFromBio } from '../../src/nlu/metrics.js';
import { repoRoot } from '../helpers/paths.js';

const TAGS = ['O', 'B-area', 'I-area', 'B-name', 'I-name', 'B-fact'];

/** Deterministic pseudo-random scores (mulberry32), some ties on purpose. */
function randomScores(seed: number, n: number, m: number): number[] {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n * m }, () => Math.round((rnd() * 8 - 4) * 4) / 4);
}

const valid = (path: string[]): boolean => path.every((tag, t) => !tag.startsWith('I-') || (t > 0 && path[t - 1]!.slice(2) === tag.slice(2) && path[t - 1] !== 'O'));
const score = (s: number[], path: string[], tags: string[]): number => path.reduce((a, tag, t) => a + s[t * tags.length + tags.indexOf(tag)]!, 0);

function bestByEnumeration(s: number[], n: number, tags: string[]): number {
  let best = -Infinity;
  const walk = (prefix: string[]): void => {
    if (prefix.length === n) {
      if (valid(prefix)) best = Math.max(best, score(s, prefix, tags));
      return;
    }
    for (const tag of tags) walk([...prefix, tag]);
  };
  walk([]);
  return best;
}

test('a valid argmax sequence is kept as it is', (t) => {
  const s = [
    0, 5, 0, 0, 0, 0, // B-area
    0, 0, 5, 0, 0, 0, // I-area
    5, 0, 0, 0, 0, 0, // O
    0, 0, 0, 0, 0, 5, // B-fact
  ];
  t.deepEqual(decodeBio(s, 4, TAGS), ['B-area', 'I-area', 'O', 'B-fact']);
});

test('a stray I- (after O, after another slot, or first) is repaired instead of opening a spurious span', (t) => {
  // Argmax would say: I-area, O, I-name; conlleval makes that two spans.
  const s = [
    0, 4, 5, 0, 0, 0, // I-area first: not allowed, B-area is next best
    5, 0, 0, 0, 0, 0,
    5, 0, 0, 0, 1, 0, // O wins anyway
  ];
  const tags = decodeBio(s, 3, TAGS);
  t.deepEqual(tags, ['B-area', 'O', 'O']);
  const toks = [0, 1, 2].map((i) => ({ start: i * 2, end: i * 2 + 1 }));
  t.deepEqual(spansFromBio(tags, toks), [{ name: 'area', start: 0, end: 1 }]);
  // B-area then an I-name that scores highest: the path takes I-area or B-name, whichever sums higher.
  const s2 = [0, 9, 0, 0, 0, 0, 0, 0, 3, 2, 6, 0];
  t.deepEqual(decodeBio(s2, 2, TAGS), ['B-area', 'I-area']);
  t.deepEqual(decodeBio([], 0, TAGS), []);
});

test('the decoded sequence is always valid and scores the maximum over every valid sequence (exhaustive, 300 cases)', (t) => {
  for (let c = 0; c < 300; c++) {
    const n = 1 + (c % 5);
    const s = randomScores(c + 1, n, TAGS.length);
    const path = decodeBio(s, n, TAGS);
    t.true(valid(path), `case ${c}: ${path.join(' ')}`);
    t.is(score(s, path, TAGS), bestByEnumeration(s, n, TAGS), `case ${c}`);
  }
});

test('the Python recipe decodes the same sequences (ties included), so train.py reports what the board does', async (t) => {
  const cases = Array.from({ length: 200 }, (_, c) => {
    const n = 1 + (c % 12);
    return { n, scores: randomScores(1000 + c, n, TAGS.length) };
  });
  const script = [
    'import json, sys',
    'from readers import bio_viterbi',
    'd = json.load(sys.stdin)',
    "print(json.dumps([bio_viterbi([c['scores'][t * len(d['tags']):(t + 1) * len(d['tags'])] for t in range(c['n'])], d['tags']) for c in d['cases']]))",
  ].join('\n');
  const py = await new Promise<string[][]>((resolve, reject) => {
    const child = execFile('/usr/bin/python3', ['-c', script], { cwd: path.join(repoRoot, 'firmware-models/neurolite'), maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as string[][]);
    });
    child.stdin!.end(JSON.stringify({ tags: TAGS, cases }));
  });
  cases.forEach((c, i) => t.deepEqual(decodeBio(c.scores, c.n, TAGS), py[i], `case ${i}`));
});
