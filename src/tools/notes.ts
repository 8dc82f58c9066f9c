// Tools `note_remember`, `note_recall`, `note_forget`: personal facts, recalled by shared words
// (folded, crudely stemmed), ordered with the NLU model's embedding when loaded, so "the gate code"
// finds "le code du portail est 4521" (they share "code") and "the wifi password" finds nothing there.
import { z } from 'zod';
import { foldText, type Note } from '../memory/index.js';
import { defineTool, type ToolContext } from './types.js';

const text = z.string().trim().min(1).max(1000);

export const noteRemember = defineTool({
  name: 'note_remember',
  description: 'remember a fact',
  args: z.strictObject({ fact: text }),
  async run(a, ctx) {
    const note = await ctx.store.addNote(a.fact, await ctx.embed(a.fact));
    return { ok: true, say: { en: `I'll remember that: ${a.fact}`, fr: `Je m’en souviendrai : ${a.fact}` }, effects: [{ tool: 'note_remember', id: note.id }] };
  },
});

export const noteRecall = defineTool({
  name: 'note_recall',
  description: 'recall the note that best answers a question',
  args: z.strictObject({ topic: text }),
  async run(a, ctx) {
    const best = (await rankNotes(a.topic, ctx.store.data.notes, ctx))[0];
    if (!best || best.score < 0.15) return { ok: false, say: { en: "I don't have a note about that.", fr: 'Je n’ai pas de note à ce sujet.' } };
    return { ok: true, say: { en: `You told me: ${best.note.text}`, fr: `Vous m’avez dit : ${best.note.text}` }, data: { noteId: best.note.id, score: best.score } };
  },
});

export const noteForget = defineTool({
  name: 'note_forget',
  description: 'forget the note that best matches',
  args: z.strictObject({ topic: text }),
  isCritical: () => true,
  async run(a, ctx) {
    const best = (await rankNotes(a.topic, ctx.store.data.notes, ctx))[0];
    if (!best || best.score < 0.3) return { ok: false, say: { en: "I don't have a note like that.", fr: 'Je n’ai pas de note de ce genre.' } };
    await ctx.store.removeNote(best.note.id);
    return { ok: true, say: { en: `Forgotten: ${best.note.text}`, fr: `Oublié : ${best.note.text}` }, effects: [{ tool: 'note_forget', id: best.note.id }] };
  },
});

/**
 * Notes by relevance to `query`. A note must share a content word with the query; the NLU model's
 * embedding then only helps order those that do. Measured on the shipped NeuroLite: its sentence
 * embedding is an intent feature, not a topic one — "the wifi password" is as close to "the alarm
 * code is 4521" (cosine 0.47) as "the alarm code" is (0.47), and "le mot de passe du wifi" closer
 * still (0.85) — so with the embedding alone a question about an unknown topic got a wrong note back.
 */
export async function rankNotes(query: string, notes: readonly Note[], ctx: Pick<ToolContext, 'embed'>): Promise<Array<{ note: Note; score: number }>> {
  const qWords = keywords(query);
  const qEmb = await ctx.embed(query);
  return notes
    .map((note) => {
      const kw = overlap(qWords, keywords(note.text));
      const emb = qEmb && note.embedding ? cosine(qEmb, note.embedding) : null;
      return { note, score: kw === 0 ? 0 : emb === null ? kw : 0.8 * kw + 0.2 * Math.max(0, emb) };
    })
    .sort((x, y) => y.score - x.score);
}

const STOP = new Set('the a an is are was of to my me i you what whats what’s do did tell told about le la les un une des de du est et mon ma mes quel quelle quoi que qu il elle je tu vous m t l d c s'.split(' '));

/** Content words, folded, with a crude stem (first 5 letters) so "codes" meets "code". */
function keywords(s: string): Set<string> {
  return new Set(foldText(s).split(/[^\p{L}\p{N}]+/u).filter((w) => w && !STOP.has(w)).map((w) => w.slice(0, 5)));
}

function overlap(q: Set<string>, n: Set<string>): number {
  if (!q.size || !n.size) return 0;
  let shared = 0;
  for (const w of q) if (n.has(w)) shared += 1;
  return shared / Math.sqrt(q.size * n.size);
}

/** Cosine similarity of two embeddings (0 when either is all zeros). */
export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
