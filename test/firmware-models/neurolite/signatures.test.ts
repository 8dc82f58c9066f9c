// The short `parse_<L>` signatures (export.ts shortLengths): a command that fits in L tokens gets the
// answer the full `parse` signature gives, from real .tflite files in LiteRT.js; a model made before
// them (`parse` only, e.g. one an OTA update left on disk) still loads and answers.
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildNeuroLite, readSafetensors, shortLengths, type NeuroLiteConfig } from '../../../firmware-models/neurolite/export.js';
import { loadLiteRtRuntime, Model } from '../../../src/runtime/index.js';
import { modelInputs, NeuroLiteModel, tokenize, type ProjectionConfig } from '../../../src/nlu/index.js';
import { repoRoot, tempDir } from '../../helpers/paths.js';

const dist = path.join(repoRoot, 'firmware-models/dist/neurolite-tiny');
const config = (async () => JSON.parse(await readFile(path.join(dist, 'config.json'), 'utf8')) as NeuroLiteConfig)();

// Commands of 1 to 16 tokens, French and English, accents, digits, punctuation.
const SENTENCES = [
  'allume', 'éteins la lumière', 'turn off the kitchen lights', 'mets le salon à 21 degrés',
  'add milk to the shopping list', 'what did I tell you about the gate code ?',
  'règle la lumière de la chambre de Léo sur bleu à 40 %', 'set a timer for 10 minutes please',
  'allume la lumière du salon et règle le chauffage de la cuisine à 21 degrés stp',
  'hey wulf, could you please turn the living room lamp down to twenty percent right now',
];

function inputs(text: string, L: number, p: ProjectionConfig): { buckets: Int32Array<ArrayBuffer>; mask: Float32Array<ArrayBuffer>; n: number } {
  const tokens = tokenize(text, p.maxTokens);
  return { ...modelInputs(tokens.slice(0, L), L, p), n: tokens.length };
}

async function compare(t: import('ava').ExecutionContext, file: string, tolerance: number): Promise<number> {
  const cfg = await config;
  const p: ProjectionConfig = { numHashes: cfg.projection.num_hashes, featureDim: cfg.projection.feature_dim, maxTokens: cfg.projection.max_tokens, ngramMin: cfg.projection.ngram_min, ngramMax: cfg.projection.ngram_max };
  const model = await Model.fromFile(await loadLiteRtRuntime(), file);
  let compared = 0;
  try {
    t.deepEqual(model.signatures.map((s) => s.key), ['parse', ...shortLengths(p.maxTokens).sort((a, b) => b - a).map((l) => `parse_${l}`)]);
    for (const L of shortLengths(p.maxTokens)) {
      for (const text of SENTENCES) {
        const short = inputs(text, L, p);
        if (short.n > L) continue;
        const full = inputs(text, p.maxTokens, p);
        const a = await model.run({ buckets: full.buckets, mask: full.mask }, 'parse');
        const b = await model.run({ buckets: short.buckets, mask: short.mask }, `parse_${L}`);
        const D = (a.slot_logits!.length / p.maxTokens);
        let diff = 0;
        a.intent_logits!.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - b.intent_logits![i]!))));
        a.embedding!.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - b.embedding![i]!))));
        for (let i = 0; i < short.n * D; i++) diff = Math.max(diff, Math.abs(a.slot_logits![i]! - b.slot_logits![i]!));
        t.true(diff < tolerance, `"${text}" on parse_${L}: max |difference| ${diff}`);
        compared += 1;
      }
    }
  } finally {
    await model.release();
  }
  return compared;
}

test('float32: every parse_<L> gives the logits of parse for a sentence of at most L tokens', async (t) => {
  t.true(await compare(t, path.join(dist, 'model.float32.tflite'), 1e-5) >= 10);
});

test('int8: every parse_<L> gives the logits of parse for a sentence of at most L tokens', async (t) => {
  // Same integers (fc1 cut with the full matrix's scales); activations are quantized per run, so allow rounding.
  t.true(await compare(t, path.join(dist, 'model.int8.tflite'), 1e-3) >= 10);
});

test('NeuroLiteModel runs the shortest signature that holds the sentence, and a model with parse only still answers', async (t) => {
  const cfg = await config;
  const nlu = await NeuroLiteModel.load(path.join(dist, 'model.int8.tflite'));
  t.deepEqual(nlu.signatureFor(3), { key: 'parse_8', length: 8 });
  t.deepEqual(nlu.signatureFor(9), { key: 'parse_16', length: 16 });
  t.deepEqual(nlu.signatureFor(17), { key: 'parse', length: cfg.config.max_tokens });
  const dir = await tempDir('neurolite-parse-only-');
  const file = path.join(dir, 'old.tflite');
  await writeFile(file, buildNeuroLite(await readSafetensors(path.join(dist, 'model.safetensors')), cfg, 'int8', '1', []).toBytes());
  const old = await NeuroLiteModel.load(file);
  t.deepEqual(old.signatureFor(3), { key: 'parse', length: cfg.config.max_tokens });
  try {
    for (const text of SENTENCES) {
      const [a, b] = [await nlu.understand(text), await old.understand(text)];
      t.is(a.intent, b.intent, text);
      t.deepEqual(a.slots, b.slots, text);
      t.true(Math.abs(a.confidence - b.confidence) < 1e-3, text);
    }
    // The token cache changes nothing: the same sentence again, then after clearing it.
    const first = await nlu.understand(SENTENCES[8]!);
    nlu.clearTokenCache();
    t.deepEqual(await nlu.understand(SENTENCES[8]!), first);
  } finally {
    await nlu.release();
    await old.release();
  }
});
