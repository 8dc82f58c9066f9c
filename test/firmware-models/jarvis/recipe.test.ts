// Jarvis-nano recipe (#11), end to end: train.py --preset ci trains a SentencePiece tokenizer and a
// llama2 model on a small generated French + English corpus; our TS importer reads its llama2.c
// model.bin + tokenizer.bin and LiteRT.js reproduces the PyTorch logits; the board's BPE encoder is
// compared with SentencePiece's own ids. Real subprocesses on the training venv (.ci/setup-python-train.sh).
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { importLlama2c } from '../../../firmware-models/tflite/llama2c.js';
import { argmax, BpeTokenizer, formatCall, LlamaGenerator, parseCalls } from '../../../src/generate/index.js';
import { repoRoot, tempDir } from '../../helpers/paths.js';
import { rng } from '../helpers.js';

const recipeDir = path.join(repoRoot, 'firmware-models/jarvis');
const venvPython = path.join(repoRoot, '.venv/train/bin/python');
// One thread everywhere: the recipe's result must not depend on the machine, and CI shares its cores.
const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

function python(args: string[], stdin = '', timeoutMs = 100_000): Promise<string> {
  if (!existsSync(venvPython)) {
    return Promise.reject(new Error(`${venvPython} is missing: run bash .ci/setup-python-train.sh first`));
  }
  return new Promise((resolve, reject) => {
    const child = execFile(venvPython, args, { cwd: recipeDir, env, maxBuffer: 64 * 2 ** 20, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr.slice(-4000)}`));
      resolve(stdout);
    });
    child.stdin!.end(stdin);
  });
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

// --- a small bilingual corpus, generated (seeded) ---------------------------------------------------

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const FR = {
  who: ['Marie', 'Louis', 'ma sœur', 'le voisin', 'Chloé', 'mon père', 'Inès', 'le facteur', 'Noël', 'Hélène'],
  verb: ['a préparé', 'a oublié', 'cherche', 'répare', 'a acheté', 'regarde', 'apporte', 'range'],
  what: ['une tarte aux pommes', 'le vélo rouge', 'les clés de la maison', 'un gâteau au chocolat', 'la lampe du salon', 'des crêpes', 'le thé vert', 'un livre ancien'],
  where: ['dans la cuisine', 'au jardin', 'près de la forêt', 'à la gare', 'sous la fenêtre', 'chez ses grands-parents', 'au marché', 'à l\'école'],
  when: ['ce matin', 'hier soir', 'à 7 h 30', 'le 14 juillet', 'après le déjeuner', 'vers 18 h', 'dimanche dernier', 'en été'],
  room: ['salon', 'cuisine', 'chambre', 'bureau', 'garage', 'entrée'],
  ask: ['Allume la lumière', 'Éteins la lampe', 'Baisse le chauffage', 'Ouvre les volets', 'Ferme la porte'],
  reply: ['C\'est fait.', 'Voilà, c\'est fait.', 'D\'accord.', 'Très bien, je m\'en occupe.'],
} as const;

const EN = {
  who: ['Anna', 'the old man', 'my brother', 'Oliver', 'the neighbour', 'Grace', 'our teacher', 'Sam'],
  verb: ['baked', 'forgot', 'is looking for', 'fixed', 'bought', 'is watching', 'brought', 'cleaned'],
  what: ['an apple pie', 'the red bike', 'the house keys', 'a chocolate cake', 'the kitchen lamp', 'some pancakes', 'green tea', 'an old book'],
  where: ['in the kitchen', 'in the garden', 'near the forest', 'at the station', 'under the window', 'at the market', 'at school', 'upstairs'],
  when: ['this morning', 'last night', 'at 7:30 am', 'on July 4', 'after lunch', 'around 6 pm', 'last Sunday', 'in summer'],
  room: ['living room', 'kitchen', 'bedroom', 'office', 'garage', 'hallway'],
  ask: ['Turn on the light', 'Switch off the lamp', 'Lower the heating', 'Open the blinds', 'Close the door'],
  reply: ['Done.', 'All right, it is done.', 'Okay.', 'Sure, I will take care of it.'],
} as const;

function sentence(rand: () => number, lang: typeof FR | typeof EN): string {
  const s = `${pick(rand, lang.who)} ${pick(rand, lang.verb)} ${pick(rand, lang.what)} ${pick(rand, lang.where)} ${pick(rand, lang.when)}.`;
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function chat(rand: () => number, lang: typeof FR | typeof EN): string {
  const room = pick(rand, lang.room);
  const n = 1 + Math.floor(rand() * 30);
  return [
    lang === FR ? '<|system|> Tu es Jarvis, un assistant hors ligne.' : '<|system|> You are Jarvis, an offline assistant.',
    `<|user|> ${pick(rand, lang.ask)} ${lang === FR ? 'du' : 'in the'} ${room}, ${lang === FR ? 's\'il te plaît' : 'please'}.`,
    `<|assistant|> ${formatCall({ tool: 'home_control', args: { action: 'brightness', deviceIds: [room.replace(' ', '_')], value: n } })}`,
    '<|tool|> ok',
    `<|assistant|> ${pick(rand, lang.reply)}`,
  ].join('\n');
}

/** Blank-line separated documents: paragraphs of 2 to 5 sentences, and short chats with a tool call. */
function corpus(seed: number, docs: number): string {
  const rand = rng(seed);
  const out: string[] = [];
  for (let d = 0; d < docs; d++) {
    const lang = rand() < 0.5 ? FR : EN;
    if (rand() < 0.25) out.push(chat(rand, lang));
    else out.push(Array.from({ length: 2 + Math.floor(rand() * 4) }, () => sentence(rand, lang)).join(rand() < 0.3 ? '\n' : ' '));
  }
  return `${out.join('\n\n')}\n`;
}

// --- the ci training run, shared by the tests below -------------------------------------------------

interface Report { steps: number; seconds: number; params: number; train_loss_first: number; train_loss_last: number; val_loss_before: number; val_loss: number }
interface Config { preset: string; model: { vocab_size: number; max_seq_len: number; n_kv_heads: number }; tokenizer: { special: Record<string, number> }; model_bin_sha256: string }
interface Reference { tokens: number[]; positions: Array<{ max: number; sum: number; top5: Array<[number, number]> }>; logits: number[][] }

const STEPS = 300;
async function trainCi(): Promise<{ data: string; out: string; ms: number }> {
  const dir = await tempDir('jarvis-');
  const data = path.join(dir, 'corpus.txt');
  await writeFile(data, corpus(11, 240));
  const out = path.join(dir, 'run');
  const t0 = Date.now();
  await python(['train.py', '--data', data, '--out', out, '--preset', 'ci', '--steps', String(STEPS), '--seed', '7', '--threads', '1']);
  return { data, out, ms: Date.now() - t0 };
}
const run = trainCi();

test('train.py --preset ci writes every artifact and the loss goes down', async (t) => {
  const { out, ms } = await run;
  for (const f of ['model.bin', 'tokenizer.model', 'tokenizer.bin', 'config.json', 'report.json', 'reference.json']) t.true(existsSync(path.join(out, f)), f);
  const report = await readJson<Report>(path.join(out, 'report.json'));
  const cfg = await readJson<Config>(path.join(out, 'config.json'));
  t.log(`ci training: ${report.steps} steps in ${report.seconds} s (${ms} ms with start-up), ${report.params} parameters; ` +
    `train loss ${report.train_loss_first.toFixed(3)} → ${report.train_loss_last.toFixed(3)}, val loss ${report.val_loss_before.toFixed(3)} → ${report.val_loss.toFixed(3)}`);
  t.is(report.steps, STEPS);
  t.is(cfg.preset, 'ci');
  t.is(cfg.model.n_kv_heads, 2, 'the ci shape exercises grouped-query attention');
  t.true(Math.abs(report.val_loss_before - Math.log(cfg.model.vocab_size)) < 0.5, 'an untrained model is near uniform');
  t.true(report.val_loss < report.val_loss_before - 2, `val loss ${report.val_loss_before} → ${report.val_loss}`);
  t.true(report.train_loss_last < report.train_loss_first - 2, `train loss ${report.train_loss_first} → ${report.train_loss_last}`);
  t.deepEqual(cfg.tokenizer.special, { '<|system|>': 259, '<|user|>': 260, '<|assistant|>': 261, '<|note|>': 262, '<|tool|>': 263, '<CALL:': 264, '>': 265 });
});

test('the llama2.c export imported by the TS side reproduces the PyTorch logits within 1e-4', async (t) => {
  const { out } = await run;
  const ref = await readJson<Reference>(path.join(out, 'reference.json'));
  const imported = importLlama2c(await readFile(path.join(out, 'model.bin')), await readFile(path.join(out, 'tokenizer.bin')), { dtype: 'float32' });
  t.like(imported.config, { dim: 64, layers: 2, heads: 4, kvHeads: 2, vocab: 512, maxSeq: 64 });
  const gen = await LlamaGenerator.fromBytes(imported.bytes, 'jarvis-ci');
  try {
    t.is(ref.tokens.length, 64);
    t.is(ref.tokens[0], 1, 'the reference sequence starts with BOS');
    const logits = await gen.teacherForced(ref.tokens);
    t.is(logits.length, 64);
    let maxDiff = 0;
    logits.forEach((row, pos) => {
      const want = ref.logits[pos]!;
      t.is(row.length, want.length);
      for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(row[i]! - want[i]!));
      for (const [id, v] of ref.positions[pos]!.top5) maxDiff = Math.max(maxDiff, Math.abs(row[id]! - v));
    });
    t.log(`max |logit difference| over 64 positions × 512 logits: ${maxDiff.toExponential(2)}`);
    t.true(maxDiff < 1e-4, `max |logit difference| ${maxDiff}`);
  } finally {
    await gen.release();
  }
});

// Each greedy decision is compared on float32's own greedy path (int8 and int4 teacher-forced on it):
// a free-running comparison would count every token after a first near-tie flip as different.
test('int8 greedy output equals float32\'s on ≥ 95% of tokens over the evaluation prompts; int4 is measured', async (t) => {
  const { out } = await run;
  const [ck, tk] = [await readFile(path.join(out, 'model.bin')), await readFile(path.join(out, 'tokenizer.bin'))];
  const load = (dtype: 'float32' | 'int8' | 'int4') => LlamaGenerator.fromBytes(importLlama2c(ck, tk, { dtype }).bytes, `jarvis-ci-${dtype}`);
  const [f32, i8, i4] = [await load('float32'), await load('int8'), await load('int4')];
  // Evaluation prompts: the openings of sentences and chats the corpus generator writes (a seed the
  // training corpus did not use).
  const rand = rng(99);
  const prompts = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? chat(rand, i % 2 ? FR : EN).split('\n').slice(0, 2).join('\n') + '\n<|assistant|>' : sentence(rand, i % 2 ? FR : EN).split(' ').slice(0, 3).join(' ')));
  const greedy = { temperature: 0, topP: 0.9, seed: 1n };
  const tokens = async (g: LlamaGenerator, p: string): Promise<number[]> => {
    const ids: number[] = [];
    for await (const e of g.run(g.tokenizer.encode(p), { steps: 48, sampler: greedy })) if (!e.forced) ids.push(e.next);
    return ids;
  };
  let total = 0;
  const same = { int8: 0, int4: 0 };
  const freeRunning = { int8: 0, int4: 0 };
  let plans = 0;
  for (const p of prompts) {
    const prompt = f32.tokenizer.encode(p);
    const ref = await tokens(f32, p);
    total += ref.length;
    const path_ = [...prompt, ...ref];
    for (const [g, key] of [[i8, 'int8'], [i4, 'int4']] as const) {
      const logits = await g.teacherForced(path_.slice(0, -1));
      ref.forEach((id, i) => { if (argmax(logits[prompt.length - 1 + i]!) === id) same[key]++; });
      const free = await tokens(g, p);
      ref.forEach((id, i) => { if (free[i] === id) freeRunning[key]++; });
    }
    if (p.endsWith('<|assistant|>')) plans += parseCalls(f32.tokenizer.decode(ref)).calls.length;
  }
  await Promise.all([f32.release(), i8.release(), i4.release()]);
  t.log(`greedy decisions equal to float32's on its path: int8 ${same.int8}/${total}, int4 ${same.int4}/${total}; free-running: int8 ${freeRunning.int8}/${total}, int4 ${freeRunning.int4}/${total}; ${plans} well-formed <CALL:…> in the float32 answers to ${prompts.filter((p) => p.endsWith('<|assistant|>')).length} chat prompts`);
  t.true(same.int8 >= 0.95 * total, `int8 ${same.int8}/${total}`);
  t.true(total > 200, `${total} tokens compared`);
});

test('same data, arguments and seed give the same model.bin; --init-from continues from a run', async (t) => {
  const { data, out } = await run;
  const dir = await tempDir('jarvis-again-');
  // Two short runs with the same everything (short: the point is the bytes, not the loss).
  for (const name of ['a', 'b']) await python(['train.py', '--data', data, '--out', path.join(dir, name), '--preset', 'ci', '--steps', '40', '--seed', '7', '--threads', '1']);
  const [a, b] = [await readJson<Config>(path.join(dir, 'a', 'config.json')), await readJson<Config>(path.join(dir, 'b', 'config.json'))];
  t.regex(a.model_bin_sha256, /^[0-9a-f]{64}$/);
  t.is(b.model_bin_sha256, a.model_bin_sha256);
  t.deepEqual(await readFile(path.join(dir, 'b', 'tokenizer.bin')), await readFile(path.join(dir, 'a', 'tokenizer.bin')));
  t.deepEqual(await readFile(path.join(dir, 'a', 'tokenizer.bin')), await readFile(path.join(out, 'tokenizer.bin')), 'the tokenizer does not depend on the step count');

  // Same seed: the same validation documents, so the continued run starts exactly where the parent ended.
  await python(['train.py', '--data', data, '--out', path.join(dir, 'tuned'), '--init-from', out, '--steps', '20', '--seed', '7', '--threads', '1']);
  const tuned = await readJson<Report>(path.join(dir, 'tuned', 'report.json'));
  const parent = await readJson<Report>(path.join(out, 'report.json'));
  t.true(Math.abs(tuned.val_loss_before - parent.val_loss) < 1e-6, `starts where the parent ended (${tuned.val_loss_before} vs ${parent.val_loss})`);
  t.is(tuned.steps, 20);
  t.deepEqual(await readFile(path.join(dir, 'tuned', 'tokenizer.bin')), await readFile(path.join(out, 'tokenizer.bin')), 'the parent\'s tokenizer');
});

test('bad input is refused with a clear message', async (t) => {
  const { data, out } = await run; // after the training run: the machine's cores are shared
  const dir = await tempDir('jarvis-bad-');
  const train = (file: string, ...more: string[]): Promise<string> => python(['train.py', '--data', file, '--out', path.join(dir, 'out'), '--threads', '1', ...more]);
  t.regex((await t.throwsAsync(train(path.join(dir, 'nope.txt'))))!.message, /data file .*nope\.txt not found/);
  await writeFile(path.join(dir, 'empty.txt'), '\n \n\n');
  t.regex((await t.throwsAsync(train(path.join(dir, 'empty.txt'))))!.message, /holds no text \(empty corpus\)/);
  await writeFile(path.join(dir, 'bad.jsonl'), '{"text": "ok"}\n{"txt": "no"}\n');
  t.regex((await t.throwsAsync(train(path.join(dir, 'bad.jsonl'))))!.message, /bad\.jsonl:2: a JSONL line needs a string "text" field/);
  await writeFile(path.join(dir, 'one.txt'), 'Une seule phrase.\nEt une autre, sans ligne vide.\n');
  t.regex((await t.throwsAsync(train(path.join(dir, 'one.txt'))))!.message, /the corpus is one document: separate documents with a blank line/);
  await writeFile(path.join(dir, 'small.txt'), 'Un.\n\nDeux.\n\nTrois.\n');
  t.regex((await t.throwsAsync(train(path.join(dir, 'small.txt'), '--preset', 'ci')))!.message, /SentencePiece could not train a 512-piece vocabulary.*give more text/);
  t.regex((await t.throwsAsync(train(data, '--init-from', dir)))!.message, /--init-from .*: missing config\.json, model\.bin, tokenizer\.model, tokenizer\.bin/);
  const broken = path.join(dir, 'broken');
  await mkdir(broken);
  for (const f of ['config.json', 'tokenizer.model', 'tokenizer.bin']) await copyFile(path.join(out, f), path.join(broken, f));
  await writeFile(path.join(broken, 'model.bin'), (await readFile(path.join(out, 'model.bin'))).subarray(0, 4096));
  t.regex((await t.throwsAsync(train(data, '--init-from', broken)))!.message, /model\.bin: expected 495104 bytes for its header's shape, the file has 4096/);
});

// --- the board's encoder against SentencePiece --------------------------------------------------------

/** Texts by kind: what the board will meet (accents, emoji, digits, code, other scripts, odd spacing). */
/** ~311 texts per unit of `scale`, by kind; #11 asks for 10,000 (scale 33). */
function tokenizerCases(seed: number, scale = 1): Array<{ kind: string; text: string }> {
  const rand = rng(seed);
  const cases: Array<{ kind: string; text: string }> = [];
  const add = (kind: string, n: number, make: () => string): void => { for (let i = 0; i < n * scale; i++) cases.push({ kind, text: make() }); };
  add('plain', 60, () => sentence(rand, rand() < 0.5 ? FR : EN));
  const accented = ['Où est la clé ?', 'Ça coûte 3 €', 'Noël à Genève', 'œuvre, cœur, sœur', 'ÉTÉ, HIVER, Ève', 'naïve façade', 'Straße', 'mañana', 'São Paulo', 'déjà vu', 'À bientôt !', 'garçon, leçon', 'ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ'];
  add('accents', 40, () => `${pick(rand, accented)} ${pick(rand, FR.what)}`);
  const emoji = ['🐺', '👍', '👍🏽', '❤️', '🇫🇷', '👨‍👩‍👧', '😀😀', '🎉', '☕', '✨'];
  add('emoji', 40, () => `${pick(rand, EN.ask)} ${pick(rand, emoji)} ${pick(rand, FR.reply)}${pick(rand, emoji)}`);
  const digit = (): string => String(Math.floor(rand() * 10 ** (1 + Math.floor(rand() * 7))));
  const numbers = [(): string => `${digit()} ${pick(rand, EN.what)}`, (): string => `${digit()},${digit()} %`, (): string => `le ${digit()}/${digit()}/2024 à ${digit()}h${digit()}`,
    (): string => `+33 6 ${digit()} ${digit()}`, (): string => `3.14159 × ${digit()} = ?`, (): string => `v${digit()}.${digit()}.${digit()}`, (): string => `1 000 000 ${pick(rand, FR.what)}`];
  add('digits', 40, () => pick(rand, numbers)());
  const code = ['const x = a.map((v) => v * 2);', 'if (n >= 10 && n <= 20) { return; }', '<div class="row">{item}</div>', 'def f(x):\n    return x ** 2',
    'for i in range(10):\n\tprint(i)', 'SELECT * FROM users WHERE id = 42;', 'a -> b => c', 'x != y || !z', '#include <stdio.h>', 'path/to/file_name.ts:12:5', '{"key": [1, 2, 3]}', 'échappe \\n et \\t', '`npm run build`'];
  add('code', 40, () => pick(rand, code));
  const scripts = ['日本語のテキスト', 'Ελληνικά γράμματα', 'русский текст', 'العربية', '中文 和 English', '한국어', 'हिन्दी'];
  add('other scripts', 20, () => `${pick(rand, scripts)} ${pick(rand, EN.when)}`);
  const spacing = ['  two leading spaces', 'trailing space ', 'double  space  inside', '\ttab first', 'line one\nline two', 'crlf\r\nline', '   ', 'a\u00a0b (no-break space)', 'zero\u200bwidth'];
  add('whitespace', 20, () => pick(rand, spacing));
  const piecesAsText = ['<0x41> looks like a byte token', '<unk> and <s> and </s>', '\n<s>\n', '< | user | >', '<CALL', 'CALL:', '<|', '|>'];
  add('lookalikes', 12, () => pick(rand, piecesAsText));
  const meta = ['▁ is SentencePiece\'s space', 'a▁b', '▁▁x▁', 'barre ▁▂▃▄▅▆▇█'];
  add('U+2581', 8, () => pick(rand, meta));
  add('chat markers', 30, () => chat(rand, rand() < 0.5 ? FR : EN).split('\n')[Math.floor(rand() * 5)]!);
  cases.push({ kind: 'plain', text: '' });
  return cases;
}

test('the board\'s BPE encoder, given the user symbols, gives SentencePiece\'s ids (U+2581 aside)', async (t) => {
  const { out } = await run;
  const cases = tokenizerCases(5, 33);
  const sp = (await python(['sp_encode.py', path.join(out, 'tokenizer.model'), '--json'], cases.map((c) => JSON.stringify(c.text)).join('\n') + '\n'))
    .trim().split('\n').map((l) => JSON.parse(l) as number[]);
  t.is(sp.length, cases.length);
  const cfg = await readJson<Config>(path.join(out, 'config.json'));
  const bare = BpeTokenizer.fromLlama2cBin(await readFile(path.join(out, 'tokenizer.bin')), 512);
  // tokenizer.bin has no piece types: the importer is told which pieces are user symbols.
  const tok = bare.withUserSymbols(Object.keys(cfg.tokenizer.special));
  const multiChar = Object.entries(cfg.tokenizer.special).filter(([s]) => s.length > 1);
  const byKind = new Map<string, { same: number; total: number }>();
  const unexpected: string[] = [];
  let bareDiffers = 0;
  cases.forEach((c, i) => {
    const ts = tok.encode(c.text);
    const same = JSON.stringify(ts) === JSON.stringify(sp[i]);
    const k = byKind.get(c.kind) ?? { same: 0, total: 0 };
    k.total += 1;
    if (same) k.same += 1;
    byKind.set(c.kind, k);
    t.is(tok.decode(ts), c.text, `the board's ids decode back to ${JSON.stringify(c.text)}`);
    if (multiChar.some(([s]) => c.text.includes(s))) {
      // Without the symbols, run.c's merges spell `<|user|>` out of smaller pieces (no chain of
      // vocabulary pieces leads to it): that is what the user symbols fix.
      if (JSON.stringify(bare.encode(c.text)) !== JSON.stringify(sp[i])) bareDiffers++;
    }
    if (c.text.includes('\u2581')) {
      // SentencePiece reads U+2581 (▁, its own space mark) in the input as a space (and decodes it as
      // one); bpe.ts keeps the character (its bytes, since no piece holds it) and round-trips it.
      if (same) unexpected.push(`agrees although it holds U+2581: ${JSON.stringify(c.text)}`);
      if (JSON.stringify(tok.encode(c.text.replaceAll('\u2581', ' '))) !== JSON.stringify(sp[i])) unexpected.push(`U+2581 is not SentencePiece's space: ${JSON.stringify(c.text)}`);
    } else if (!same) {
      unexpected.push(`${c.kind}: ${JSON.stringify(c.text)}: bpe.ts ${JSON.stringify(ts)} vs SentencePiece ${JSON.stringify(sp[i])}`);
    }
  });
  t.true(bareDiffers > 0, 'without user symbols the chat markers are spelled out');
  t.log([...byKind].map(([kind, k]) => `${kind} ${k.same}/${k.total}`).join(', '));
  t.deepEqual(unexpected, []);
  t.true(cases.length >= 10_000, `${cases.length} texts`);
});
