// Chats with a Jarvis model: the prompt format the recipe trains on (firmware-models/jarvis/train.py's
// encode_chat, make_chats.py's messages), rendered to token ids, and one assistant turn generated.
//
// BOS, then per message its role symbol and its text (SentencePiece's encoding, dummy-prefix space
// included); an assistant message ends with EOS. The prompt ends with the open `<|assistant|>`. Text
// from users, notes and tools cannot forge a role: `<|` inside it is written `< |` before encoding.
// A turn is either words or a plan (`<CALL:tool {json}>` only); parseCalls reads the plan, and the
// caller (the assistant) checks and runs the calls, then asks for the wording with the tool results.
import type { BpeTokenizer } from './bpe.js';
import { BOS, EOS } from './bpe.js';
import { DEFAULT_CALL_LIMITS, parseCalls, type ParsedPlan } from './calls.js';
import { GeneratorModelError, type Completion, type LlamaGenerator } from './llama.js';
import type { SamplerOptions } from './sampler.js';

export const ROLE_SYMBOLS = { system: '<|system|>', user: '<|user|>', assistant: '<|assistant|>', note: '<|note|>', tool: '<|tool|>' } as const;
export type ChatRole = keyof typeof ROLE_SYMBOLS;

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** What the model says when no note answers (the recipe's fixed wording, per language). */
export const UNKNOWN_REPLY = { en: "I don't know: you haven't told me that.", fr: "Je ne sais pas : vous ne me l'avez pas dit." } as const;

/** `<|` written `< |`: a user, a note or a tool result cannot open a role of its own. */
export function neutralize(content: string): string {
  return content.replace(/<\|/g, '< |');
}

export interface ChatTurn {
  /** The words of the turn (empty for a pure plan). */
  text: string;
  /** The turn as the model wrote it (calls included): what goes back into the chat. */
  raw: string;
  plan: ParsedPlan;
  completion: Completion;
  /** Notes left out so the prompt fits the context. */
  droppedNotes: number;
  ms: number;
}

export interface ChatOptions {
  maxTokens?: number;
  sampler?: SamplerOptions;
  signal?: AbortSignal;
  onText?: (delta: string) => void;
}

export class ChatModel {
  private readonly roleIds: Record<ChatRole, number>;

  constructor(readonly generator: LlamaGenerator) {
    const tok = generator.tokenizer;
    const ids = Object.fromEntries(Object.entries(ROLE_SYMBOLS).map(([role, sym]) => [role, roleId(tok, sym)])) as Record<ChatRole, number | null>;
    const missing = Object.entries(ids).filter(([, id]) => id === null).map(([role]) => role);
    if (missing.length) throw new GeneratorModelError(`${generator.name} is not a chat model: its tokenizer has no symbol for ${missing.join(', ')}`);
    this.roleIds = ids as Record<ChatRole, number>;
  }

  get name(): string { return this.generator.name; }
  get version(): string { return this.generator.version; }

  /** Token ids of a chat, ending with the open assistant turn when `open`. */
  render(messages: readonly ChatMessage[], open = true): number[] {
    const tok = this.generator.tokenizer;
    const ids = [BOS];
    for (const m of messages) {
      ids.push(this.roleIds[m.role]);
      const content = m.role === 'assistant' ? m.content : neutralize(m.content);
      if (content) ids.push(...tok.encode(content, false, false));
      if (m.role === 'assistant') ids.push(EOS);
    }
    if (open) ids.push(this.roleIds.assistant);
    return ids;
  }

  /**
   * The assistant's next turn. Notes are dropped, last first, until the prompt leaves room for
   * `maxTokens` new tokens; a prompt that still does not fit is cut from the start of the user text.
   */
  async reply(messages: readonly ChatMessage[], opts: ChatOptions = {}): Promise<ChatTurn> {
    const t0 = performance.now();
    const maxTokens = opts.maxTokens ?? Math.min(96, Math.floor(this.generator.config.maxSeq / 2));
    const budget = this.generator.config.maxSeq - maxTokens;
    if (budget < 8) throw new RangeError(`chat: maxTokens ${maxTokens} leaves no room for a prompt in a context of ${this.generator.config.maxSeq}`);
    const msgs = [...messages];
    let dropped = 0;
    let ids = this.render(msgs);
    while (ids.length > budget) {
      const note = msgs.map((m) => m.role).lastIndexOf('note');
      if (note >= 0) {
        msgs.splice(note, 1);
        dropped++;
      } else {
        const user = msgs.map((m) => m.role).lastIndexOf('user');
        if (user < 0 || msgs[user]!.content.length < 8) throw new RangeError(`chat: the conversation needs ${ids.length} tokens, more than the ${budget} this model leaves for a prompt`);
        const c = msgs[user]!.content;
        msgs[user] = { role: 'user', content: c.slice(Math.ceil(c.length / 4)) };
      }
      ids = this.render(msgs);
    }
    const completion = await this.generator.complete(ids, {
      maxTokens,
      sampler: opts.sampler ?? { temperature: 0, topP: 1, seed: 1 },
      stop: ['<|'],
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onText ? { onText: opts.onText } : {}),
    });
    const raw = completion.text.trim();
    const plan = parseCalls(raw, DEFAULT_CALL_LIMITS);
    return { text: plan.text, raw, plan, completion, droppedNotes: dropped, ms: performance.now() - t0 };
  }
}

function roleId(tok: BpeTokenizer, symbol: string): number | null {
  if (!tok.userSymbols.includes(symbol)) return null;
  const ids = tok.encode(symbol, false, false);
  // The dummy-prefix space comes first; the symbol is one id after it.
  return ids.length === 2 ? ids[1]! : null;
}
