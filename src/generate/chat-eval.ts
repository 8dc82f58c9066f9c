// Scoring a chat model on held-out chats (make_chats.py's test.jsonl): each chat is cut before its
// first assistant turn, the model answers, and the answer is checked against the chat's `expect`:
//   answer   — the fact's value appears in the reply, which is not "I don't know";
//   unknown  — the reply is the model's "I don't know";
//   calls    — the plan's calls equal the expected ones (tools, arguments, order);
//   no_calls — no call at all (small talk, refusals, injections); `refuse` also wants the refusal.
// Plans are also scored on their second turn: given the tools' results, the reply holds each of them.
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { EOS } from './bpe.js';
import { UNKNOWN_REPLY, type ChatMessage, type ChatModel, type ChatRole } from './chat.js';
import { argmax } from './sampler.js';

export const REFUSE_REPLY = { en: "I can't do that: it isn't one of my tools.", fr: "Je ne peux pas faire ça : ce n'est pas un de mes outils." } as const;

export interface EvalChat {
  kind: string;
  lang: 'en' | 'fr';
  messages: ChatMessage[];
  expect: { answer?: string; unknown?: boolean; calls?: Array<{ tool: string; args: Record<string, unknown> }>; no_calls?: boolean; refuse?: boolean };
}

export interface Score { passed: number; total: number; rate: number }
export interface ChatEvalResult {
  /** Per check: grounded (answer), unknown, plans (calls), wording (plan replies), no_calls. */
  checks: Record<string, Score & { en: Score; fr: Score }>;
  failures: Array<{ check: string; lang: string; user: string; expected: unknown; got: string }>;
  chats: number;
  ms: number;
  tokens: number;
}

const ROLES = new Set<ChatRole>(['system', 'user', 'assistant', 'note', 'tool']);

export class ChatDataError extends Error {
  override readonly name = 'ChatDataError';
}

/** Reads a chats JSONL file, checking each line's shape. */
export async function readChats(file: string): Promise<EvalChat[]> {
  const text = await readFile(file, 'utf8');
  const out: EvalChat[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: EvalChat;
    try {
      row = JSON.parse(line) as EvalChat;
    } catch (err) {
      throw new ChatDataError(`${file}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    const ok = row && typeof row === 'object' && (row.lang === 'en' || row.lang === 'fr') && Array.isArray(row.messages)
      && row.messages.every((m) => m && ROLES.has(m.role) && typeof m.content === 'string') && row.expect && typeof row.expect === 'object';
    if (!ok) throw new ChatDataError(`${file}:${i + 1}: a chat needs lang (en|fr), messages [{role, content}] and expect`);
    out.push(row);
  });
  return out;
}

function checksOf(e: EvalChat['expect']): string[] {
  return [...(e.answer !== undefined ? ['grounded'] : []), ...(e.unknown ? ['unknown'] : []), ...(e.no_calls ? ['no_calls'] : []), ...(e.refuse ? ['refusal'] : []), ...(e.calls ? ['plans'] : [])];
}

const isUnknown = (text: string, lang: 'en' | 'fr'): boolean => text === UNKNOWN_REPLY[lang];

export async function evaluateChats(model: ChatModel, chats: readonly EvalChat[], opts: { maxTokens?: number; maxFailures?: number } = {}): Promise<ChatEvalResult> {
  const t0 = performance.now();
  const tally = new Map<string, Record<'en' | 'fr', { passed: number; total: number }>>();
  const failures: ChatEvalResult['failures'] = [];
  let tokens = 0;
  const record = (check: string, c: EvalChat, pass: boolean, got: string, expected: unknown): void => {
    const t = tally.get(check) ?? { en: { passed: 0, total: 0 }, fr: { passed: 0, total: 0 } };
    tally.set(check, t);
    t[c.lang].total++;
    if (pass) t[c.lang].passed++;
    else if (failures.length < (opts.maxFailures ?? 50)) failures.push({ check, lang: c.lang, user: c.messages.find((m) => m.role === 'user')?.content ?? '', expected, got });
  };
  for (const c of chats) {
    const first = c.messages.findIndex((m) => m.role === 'assistant');
    if (first < 0) continue;
    let turn;
    try {
      turn = await model.reply(c.messages.slice(0, first), opts.maxTokens ? { maxTokens: opts.maxTokens } : {});
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      // A chat longer than the model's context counts as failed on every check it has.
      for (const check of checksOf(c.expect)) record(check, c, false, `(${err.message})`, null);
      continue;
    }
    tokens += turn.completion.newTokens;
    const e = c.expect;
    if (e.answer !== undefined) record('grounded', c, turn.plan.calls.length === 0 && !isUnknown(turn.text, c.lang) && turn.text.includes(e.answer), turn.raw, e.answer);
    if (e.unknown) record('unknown', c, turn.plan.calls.length === 0 && isUnknown(turn.text, c.lang), turn.raw, UNKNOWN_REPLY[c.lang]);
    if (e.no_calls) record('no_calls', c, turn.plan.calls.length === 0 && turn.plan.refused.length === 0, turn.raw, 'no call');
    if (e.refuse) record('refusal', c, turn.text === REFUSE_REPLY[c.lang], turn.raw, REFUSE_REPLY[c.lang]);
    if (e.calls) {
      record('plans', c, isDeepStrictEqual(turn.plan.calls, e.calls) && turn.plan.refused.length === 0, turn.raw, e.calls);
      // The wording turn, from the chat's own tool results (what the board's tools would have said).
      const next = c.messages.findIndex((m, i) => i > first && m.role === 'assistant');
      if (next > first) {
        const results = c.messages.slice(first + 1, next).filter((m) => m.role === 'tool').map((m) => m.content);
        try {
          const wording = await model.reply(c.messages.slice(0, next), opts.maxTokens ? { maxTokens: opts.maxTokens } : {});
          tokens += wording.completion.newTokens;
          record('wording', c, wording.plan.calls.length === 0 && results.every((r) => wording.text.includes(r)), wording.raw, results);
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          record('wording', c, false, `(${err.message})`, results);
        }
      }
    }
  }
  const score = (passed: number, total: number): Score => ({ passed, total, rate: total ? passed / total : 0 });
  const checks: ChatEvalResult['checks'] = {};
  for (const [name, t] of tally) {
    checks[name] = { ...score(t.en.passed + t.fr.passed, t.en.total + t.fr.total), en: score(t.en.passed, t.en.total), fr: score(t.fr.passed, t.fr.total) };
  }
  return { checks, failures, chats: chats.length, ms: performance.now() - t0, tokens };
}

/**
 * How often `other` (an int8/int4 import) makes float32's greedy choice, decision by decision on
 * float32's own greedy answers to the chats' first turns (teacher-forced, so one early flip does not
 * count every later token as different).
 */
export async function greedyAgreement(float32: ChatModel, other: ChatModel, chats: readonly EvalChat[], maxTokens = 48): Promise<{ same: number; total: number }> {
  let same = 0;
  let total = 0;
  for (const c of chats) {
    const first = c.messages.findIndex((m) => m.role === 'assistant');
    if (first < 0) continue;
    const prompt = float32.render(c.messages.slice(0, first));
    if (prompt.length + maxTokens > float32.generator.config.maxSeq) continue;
    const answer: number[] = [];
    for await (const e of float32.generator.run(prompt, { steps: prompt.length + maxTokens, sampler: { temperature: 0, topP: 1, seed: 1 } })) {
      if (e.forced) continue;
      answer.push(e.next);
      if (e.next === EOS) break;
    }
    const logits = await other.generator.teacherForced([...prompt, ...answer].slice(0, -1));
    answer.forEach((id, i) => {
      total++;
      if (argmax(logits[prompt.length - 1 + i]!) === id) same++;
    });
  }
  return { same, total };
}
