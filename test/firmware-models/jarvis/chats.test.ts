// Jarvis chats (#11): make_chats.py is deterministic and holds its test values out of training;
// Q&A pairs (DaFUC's JSON) and `wulf memory export` JSONL become chats; train.py trains on chats
// (loss on the assistant's tokens only) and refuses malformed ones with one line and exit status 2.
import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, tempDir } from '../../helpers/paths.js';

const recipeDir = path.join(repoRoot, 'firmware-models/jarvis');
const venvPython = path.join(repoRoot, '.venv/train/bin/python');
const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };

function python(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(venvPython)) return Promise.reject(new Error(`${venvPython} is missing: run bash .ci/setup-python-train.sh first`));
  return new Promise((resolve) => {
    execFile(venvPython, args, { cwd: recipeDir, env, maxBuffer: 64 * 2 ** 20, timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

type Chat = { kind: string; lang: string; messages: Array<{ role: string; content: string }>; expect: Record<string, unknown> };
const readJsonl = async (file: string): Promise<Chat[]> => (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Chat);
const sha = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');

test('make_chats.py: the same seed gives the same files; every kind and language; test facts never appear in training', async (t) => {
  const [a, b] = [await tempDir(), await tempDir()];
  for (const dir of [a, b]) t.is((await python(['make_chats.py', '--out', dir, '--train', '3000', '--test', '400', '--seed', '5'])).code, 0);
  t.is(await sha(path.join(a, 'train.jsonl')), await sha(path.join(b, 'train.jsonl')));
  t.is(await sha(path.join(a, 'test.jsonl')), await sha(path.join(b, 'test.jsonl')));
  const train = await readJsonl(path.join(a, 'train.jsonl'));
  const heldOut = await readJsonl(path.join(a, 'test.jsonl'));
  t.deepEqual([...new Set(heldOut.map((c) => c.kind))].sort(), ['chat', 'grounded', 'injection', 'plan', 'refusal']);
  t.deepEqual([...new Set(train.map((c) => c.lang))].sort(), ['en', 'fr']);
  const trainText = train.map((c) => c.messages.map((m) => m.content).join('\n')).join('\n');
  // The subject of each held-out answer (a thing, a person, an event...) is from the held-out half of its pool.
  let checked = 0;
  for (const c of heldOut) {
    const answer = c.expect['answer'];
    if (typeof answer !== 'string' || /^\d/.test(answer)) continue; // digits: random codes, checked below
    const question = c.messages.find((m) => m.role === 'user')!.content;
    const note = c.messages.find((m) => m.role === 'note' && m.content.includes(answer))!.content;
    t.truthy(note, question);
    checked++;
    if (!trainText.includes(note)) continue;
    t.fail(`held-out note "${note}" appears in training`);
  }
  t.true(checked > 20, `${checked} held-out facts checked`);
  // Every plan's expected calls are what its assistant turn says.
  for (const c of heldOut.filter((x) => x.kind === 'plan')) {
    const calls = c.expect['calls'] as Array<{ tool: string; args: Record<string, unknown> }>;
    const said = c.messages.find((m) => m.role === 'assistant')!.content;
    t.is(said, calls.map((x) => `<CALL:${x.tool}${Object.keys(x.args).length ? ` ${JSON.stringify(x.args)}` : ''}>`).join(''));
  }
});

test('make_chats.py converts Q&A pairs and memory exports into chats, and refuses malformed input', async (t) => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'qa.json'), JSON.stringify([{ question: 'Quelle heure ferme la piscine ?', answer: 'À 20 h.', lang: 'fr' }, { q: 'Who fixes the boiler?', a: 'Paul, on Mondays.' }]));
  t.is((await python(['make_chats.py', '--from-qa', path.join(dir, 'qa.json'), '--out', path.join(dir, 'qa.jsonl')])).code, 0);
  const qa = await readJsonl(path.join(dir, 'qa.jsonl'));
  t.deepEqual(qa.map((c) => c.messages.map((m) => `${m.role}:${m.content}`)), [
    ['system:fr', 'user:Quelle heure ferme la piscine ?', 'assistant:À 20 h.'],
    ['system:en', 'user:Who fixes the boiler?', 'assistant:Paul, on Mondays.'],
  ]);
  await writeFile(path.join(dir, 'memory.jsonl'), [
    JSON.stringify({ text: 'allume la cuisine', intent: 'HassTurnOn', slots: [], lang: 'fr', reply: 'J’ai allumé la cuisine.', ts: '2026-11-01T00:00:00Z', turnId: 't1', episodeId: 'e1', source: 'local' }),
    JSON.stringify({ text: '/status', intent: 'WulfStatus', slots: [], lang: 'en', reply: 'Up 1 h', ts: '2026-11-01T00:00:00Z', turnId: 't2', episodeId: 'e1', source: 'local' }),
  ].join('\n'));
  t.is((await python(['make_chats.py', '--from-memory', path.join(dir, 'memory.jsonl'), '--out', path.join(dir, 'mem.jsonl')])).code, 0);
  const mem = await readJsonl(path.join(dir, 'mem.jsonl'));
  t.is(mem.length, 1, 'slash commands are not dialogue');
  t.deepEqual(mem[0]!.messages.map((m) => m.role), ['system', 'user', 'assistant']);
  await writeFile(path.join(dir, 'bad.json'), JSON.stringify([{ question: 'no answer' }]));
  const bad = await python(['make_chats.py', '--from-qa', path.join(dir, 'bad.json'), '--out', path.join(dir, 'x.jsonl')]);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /item 0 needs non-empty string question and answer/);
});

test('train.py trains on chats with the loss on the assistant only, and refuses malformed chats', async (t) => {
  const dir = await tempDir();
  t.is((await python(['make_chats.py', '--out', dir, '--train', '600', '--test', '10', '--seed', '9'])).code, 0);
  const run = await python(['train.py', '--data', path.join(dir, 'train.jsonl'), '--out', path.join(dir, 'run'), '--preset', 'ci', '--steps', '40', '--batch-size', '8', '--threads', '1']);
  t.is(run.code, 0, run.stderr.slice(-2000));
  t.regex(run.stderr, /540\+60 documents, .* 540 chats/);
  const report = JSON.parse(await readFile(path.join(dir, 'run', 'report.json'), 'utf8')) as { val_loss_before: number; val_loss: number };
  t.true(report.val_loss < report.val_loss_before - 1, `validation loss ${report.val_loss_before} → ${report.val_loss}`);
  // The loss mask: only the assistant's tokens and the EOS that ends its turn are targets.
  const script = [
    'import sys', 'sys.argv = ["train.py"]', 'import train', 'import sentencepiece as spm',
    `sp = spm.SentencePieceProcessor(model_file=${JSON.stringify(path.join(dir, 'run', 'tokenizer.model'))})`,
    'ids, labels = train.encode_chat(sp, [{"role":"system","content":"en"},{"role":"user","content":"hello"},{"role":"assistant","content":"Hello!"},{"role":"tool","content":"x"},{"role":"assistant","content":"ok"}])',
    'print(sp.decode([i for i, l in zip(ids, labels) if l != -100]), [l for l in labels if l != -100][-1], labels.count(2))',
  ].join('\n');
  const mask = await python(['-c', script]);
  t.is(mask.code, 0, mask.stderr);
  t.is(mask.stdout.trim(), 'Hello! ok 2 2');
  const cases: Array<[string, RegExp]> = [
    [`${JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] })}\n${JSON.stringify({ text: 'plain' })}\n`, /mixes chats/],
    [`${JSON.stringify({ messages: [{ role: 'root', content: 'hi' }] })}\n`, /message 0 needs a role/],
    [`${JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] })}\n`, /at least one assistant message/],
    [`${JSON.stringify({ messages: [] })}\n`, /non-empty list/],
  ];
  for (const [body, reason] of cases) {
    const file = path.join(dir, 'bad.jsonl');
    await writeFile(file, body);
    const r = await python(['train.py', '--data', file, '--out', path.join(dir, 'bad-run'), '--preset', 'ci']);
    t.is(r.code, 2, body.slice(0, 80));
    t.regex(r.stderr, reason);
    t.is(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});
