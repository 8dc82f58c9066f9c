// One turn: input → (pending confirmation | slash command | routine | NLU → plan) → allow-listed
// tools → reply, recorded in memory before the reply leaves. Critical calls wait for a yes from
// the same session; nothing outside the allow-list runs, whoever proposed it.
import type { Logger } from 'pino';
import type { Config, RoutineConfig } from '../config/index.js';
import { foldText, type MemoryStore } from '../memory/index.js';
import type { InputError, ReplyPayload } from '../mqtt/index.js';
import type { Understander, Understanding } from '../nlu/index.js';
import type { FluidBudget, FluidLink, FluidReason } from '../fluid/index.js';
import { cosine, ToolRefusal, type PreparedCall, type ToolContext, type ToolRegistry, type ToolResult } from '../tools/index.js';
import { UNKNOWN_REPLY, type ChatMessage, type ChatModel, type ChatTurn } from '../generate/index.js';
import { rankNotes } from '../tools/notes.js';
import { plan, type PlannedCall } from './plan.js';
import { resolveSpokenCall } from './spoken-calls.js';
import { formatDuration, replies, type Lang } from './replies.js';

export interface TurnInput {
  id: string;
  text: string;
  lang: Lang;
  channel: 'mqtt' | 'cli' | 'voice' | 'web';
  /** Who is talking: a pending confirmation belongs to one session. */
  session: string;
  /** Receives the reply's text as the generator writes it (partial replies); the full reply still comes at the end. */
  onPartial?: (delta: string) => void;
}

export type TurnResult = { ok: true; reply: ReplyPayload } | { ok: false; error: InputError };

/** What `/status` reports, gathered by the daemon (which alone sees every part). */
export interface StatusSnapshot {
  deviceId: string;
  version: string;
  uptimeS: number;
  mqtt: { state: string; url: string; protocolVersion: number; embeddedBroker: boolean };
  memory: { messages: number; bytes: number; file: string };
  models: Array<{ name: string; version: string }>;
  voice: { enabled: boolean; available: boolean; microphone?: { state: string; reason?: string }; vad?: string; engines?: Record<string, string>; wakeWords?: string[]; sites?: Array<{ siteId: string; state: string }> };
  cloud?: FluidBudget & { mode: string; providers: Array<{ name: string; circuit: string }>; bins: number };
  rssBytes: number;
  node: string;
}

export interface AssistantDeps {
  config: Config;
  store: MemoryStore;
  registry: ToolRegistry;
  toolContext: (lang: Lang) => ToolContext;
  status: () => Promise<StatusSnapshot>;
  /** The NLU in service now, or null when no model is loaded. */
  understander: () => Understander | null;
  /** The fluid-knowledge link (bins and cloud), absent in tests that do not need it. */
  fluid?: FluidLink | null;
  /** The generator in service now (Jarvis), or null: open questions, unsure inputs, compound requests. */
  generator?: () => ChatModel | null;
  log: Logger;
}

interface Pending {
  calls: PreparedCall[];
  lang: Lang;
  timer: NodeJS.Timeout;
}

type Outcome = { text: string; intent: string | null; source?: ReplyPayload['source']; slots?: Record<string, unknown>; actions?: unknown[]; data?: Record<string, unknown>; understanding?: Understanding; stages?: Record<string, number>; toolSays?: string[]; ran?: boolean } | InputError;
/**
 * A generator turn's outcome: `unknown` when it said it does not know, `planned` when it wrote calls
 * that resolved (and were proposed), `grounded` when it answered with notes in its prompt.
 */
type Generated = Exclude<Outcome, InputError> & { unknown: boolean; planned: boolean; grounded: boolean };

const YES = new Set(['yes', 'yeah', 'yep', 'sure', 'ok', 'okay', 'confirm', 'do it', 'oui', 'ouais', 'd accord', 'daccord', 'vas y', 'confirme', 'oui vas y', 'yes please', 'oui merci']);
const NO = new Set(['no', 'nope', 'cancel', 'stop', 'non', 'annule', 'laisse tomber', 'no thanks', 'non merci', 'never mind', 'nevermind']);

const CONFIDENCE_THRESHOLD = 0.5;
/** Words that join two requests: such a sentence goes to the generator's planner first. */
const COMPOUND = /\b(and|then|also|et|puis|ensuite|aussi)\b|[,;]/;
/** Notes (and live bins) placed in a generator prompt, at most. */
const PROMPT_NOTES = 4;

export class Assistant {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly deps: AssistantDeps) {}

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  async handle(input: TurnInput): Promise<TurnResult> {
    const started = performance.now();
    const outcome = await this.decide(input);
    if ('code' in outcome) return { ok: false, error: { ...outcome, id: input.id } };
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const reply: ReplyPayload = { id: input.id, text: outcome.text, intent: outcome.intent, slots: outcome.slots ?? {}, actions: outcome.actions ?? [], source: outcome.source ?? 'local', latency_ms: latencyMs, ...(outcome.data ? { data: outcome.data } : {}) };
    const u = outcome.understanding;
    // What the user is told must be on disk before the reply goes out (ARCHITECTURE: Memory).
    await this.deps.store.recordTurn({
      turnId: input.id, lang: input.lang, channel: input.channel, userText: input.text, replyText: reply.text, intent: reply.intent,
      slots: u?.slots ?? [], latencyMs, source: reply.source, confidence: u?.confidence ?? null, entropy: u?.entropy ?? null,
      novelty: u?.embedding ? this.novelty(u.embedding) : null, actions: reply.actions, ...(outcome.stages ? { stages: outcome.stages } : {}),
    });
    return { ok: true, reply };
  }

  private async decide(input: TurnInput): Promise<Outcome> {
    const isSlash = input.text.startsWith('/');
    const folded = isSlash ? '' : foldText(input.text).replace(/[^\p{L}\p{N} ]/gu, ' ').replace(/\s+/g, ' ').trim();
    const pending = this.pending.get(input.session);
    if (pending) {
      this.clearPending(input.session);
      if (YES.has(folded)) return this.runCalls(pending.calls, input.lang, 'WulfConfirm');
      if (NO.has(folded)) return { text: replies.cancelled[input.lang], intent: 'WulfDeny' };
      // Anything else drops the question: an action never runs on a stale yes.
    } else if (YES.has(folded) || NO.has(folded)) {
      return { text: replies.nothingToConfirm[input.lang], intent: null };
    }
    if (isSlash) return this.slash(input);
    const routine = this.deps.config.routines.find((r) => [...r.phrases.en, ...r.phrases.fr].some((p) => foldText(p) === foldText(input.text)));
    if (routine) return this.runRoutine(routine, input);
    const nlu = this.deps.understander();
    if (!nlu) return { text: replies.notUnderstood[input.lang], intent: null };
    return this.understandAndAct(input, nlu);
  }

  private async understandAndAct(input: TurnInput, nlu: Understander): Promise<Outcome> {
    const t0 = performance.now();
    const u = await nlu.understand(input.text, input.lang);
    const nluMs = Math.round((performance.now() - t0) * 1000) / 1000;
    if (this.deps.generator?.() && COMPOUND.test(foldText(input.text))) {
      const planned = await this.generated(input, u, { notes: false, calls: true });
      if (planned?.planned) return { ...planned, stages: { nlu: nluMs, ...planned.stages } };
    }
    const outcome = await this.actOn(u, input);
    return 'code' in outcome ? outcome : { ...outcome, stages: { nlu: nluMs, ...outcome.stages } };
  }

  private async actOn(u: Understanding, input: TurnInput): Promise<Outcome> {
    const slots = Object.fromEntries(u.slots.map((s) => [s.name, s.value]));
    if (u.intent === 'unknown' || u.confidence < CONFIDENCE_THRESHOLD) {
      // Not understood: the generator may (a plan, or an answer from the notes); then a live bin or the
      // cloud (never for a command that was understood).
      // Its free words on an input nobody understood are not trusted, nor plans (gibberish must not
      // act): an answer grounded on notes only.
      const gen = await this.generated(input, u, { notes: true, calls: false });
      if (gen?.grounded) return gen;
      const fromFluid = await this.fluidOutcome(input, u, 'unsure', { intent: null, understanding: u });
      return fromFluid && fromFluid.source !== 'local' ? fromFluid : { text: replies.clarify[input.lang], intent: null, understanding: u };
    }
    const routine = this.deps.config.routines.find((r) => r.intents.includes(u.intent));
    if (routine) return { ...(await this.runRoutine(routine, input)), understanding: u } as Outcome;
    const p = plan(u, this.deps.config);
    const base = { intent: u.intent, slots, understanding: u };
    switch (p.kind) {
      case 'calls':
        return { ...(await this.propose(p.calls, input)), ...base } as Outcome;
      case 'unknown_entity': {
        // "where are the car keys?" reads like a device's state: the notes may know it.
        const gen = await this.generated(input, u, { notes: true, calls: false });
        if (gen?.grounded) return gen;
        return { text: replies.unknownEntity[input.lang](p.said, this.knownNames(input.lang)), ...base };
      }
      case 'builtin':
        if (p.name === 'status') return { ...(await this.statusOutcome(input.lang)), ...base };
        if (p.name === 'nevermind') return { text: replies.nevermind[input.lang], ...base };
        if (p.name === 'open_question') {
          // The notes first (on the board, private), then bins and the cloud; the model's honest
          // "I don't know" when nothing else can answer.
          const gen = await this.generated(input, u, { notes: true, calls: false });
          if (gen?.grounded) return { ...gen, ...base, intent: u.intent };
          return (await this.fluidOutcome(input, u, 'open_question', base)) ?? (gen && !gen.planned ? { ...gen, ...base, intent: u.intent } : { text: replies.cannotAnswerOffline[input.lang], ...base });
        }
        if (p.name === 'chat') {
          const gen = await this.generated(input, u, { notes: false, calls: false });
          if (gen && !gen.unknown && !gen.planned && !gen.actions?.length) return { ...gen, ...base, intent: u.intent };
          if (this.deps.fluid?.allows('chat')) return (await this.fluidOutcome(input, u, 'chat', base))!;
        }
        return { text: replies.cannotAnswerOffline[input.lang], ...base };
      case 'unsupported':
        return { text: replies.unsupported[input.lang], ...base };
    }
  }

  /** Ask the fluid link (bins, then the cloud if allowed); null when the board has no link. */
  private async fluidOutcome(input: TurnInput, u: Understanding, reason: FluidReason, base: { intent: string | null; understanding: Understanding; slots?: Record<string, unknown> }): Promise<(Outcome & { source: ReplyPayload['source'] }) | null> {
    const fluid = this.deps.fluid;
    if (!fluid) return null;
    const a = await fluid.answer({ question: input.text, lang: input.lang, reason, turnId: input.id, embedding: u.embedding ?? null });
    const lang = input.lang;
    const action = { tool: 'fluid', outcome: a.outcome, provider: a.provider, ...(a.failures.length ? { failures: a.failures } : {}) };
    const out = { ...base, actions: [action], stages: { fluid: a.latencyMs } };
    switch (a.outcome) {
      case 'cloud':
        return { ...out, text: replies.fromCloud[lang](a.text!, a.provider!), source: 'cloud' };
      case 'bin':
        return { ...out, text: replies.fromBin[lang](a.text!, a.provider!, a.learnedAt!), source: 'memory' };
      case 'budget':
        return { ...out, text: replies.cloudBudget[lang](fluid.budget), source: 'local' };
      case 'off':
        return { ...out, text: replies.cloudOff[lang], source: 'local' };
      case 'offline':
        return { ...out, text: replies.cloudOffline[lang], source: 'local' };
      case 'failed':
        return { ...out, text: replies.cloudFailed[lang]([...new Set(a.failures.map((f) => f.provider))]), source: 'local' };
    }
  }

  private async slash(input: TurnInput): Promise<Outcome> {
    const cmd = input.text.split(/\s+/)[0]!.toLowerCase();
    const lang = input.lang;
    const toolFor: Record<string, [string, string]> = { '/clearmemory': ['clear_memory', 'WulfClearMemory'], '/voiceon': ['voice_on', 'WulfVoiceOn'], '/voiceoff': ['voice_off', 'WulfVoiceOff'] };
    if (cmd === '/help') return { text: replies.help[lang], intent: 'WulfHelp' };
    if (cmd === '/status') return this.statusOutcome(lang);
    const mapped = toolFor[cmd];
    if (mapped) return { ...(await this.propose([{ tool: mapped[0], args: {} }], input)), intent: mapped[1] } as Outcome;
    return { code: 'unknown_command', message: replies.unknownCommand[lang](cmd.slice(0, 64)) };
  }

  private async statusOutcome(lang: Lang): Promise<Outcome> {
    const s = await this.deps.status();
    const line = {
      uptime: formatDuration(s.uptimeS),
      mqtt: s.mqtt.state,
      messages: s.memory.messages,
      storeKiB: Math.round(s.memory.bytes / 1024),
      models: s.models.length ? s.models.map((m) => `${m.name} ${m.version}`).join(', ') : 'none',
      rssMiB: Math.round(s.rssBytes / 2 ** 20),
    };
    return { text: replies.status[lang](line), intent: 'WulfStatus', data: { ...s } };
  }

  /** Validate every call against the allow-list; run them, or ask first when one is critical. */
  private async propose(calls: PlannedCall[], input: TurnInput): Promise<Outcome> {
    const ctx = this.deps.toolContext(input.lang);
    const prepared: PreparedCall[] = [];
    for (const call of calls) {
      try {
        prepared.push(this.deps.registry.prepare(call.tool, call.args, ctx));
      } catch (err) {
        if (!(err instanceof ToolRefusal)) throw err;
        this.deps.log.warn({ tool: call.tool, code: err.code, reason: err.message, turnId: input.id }, 'tool call refused');
        return { text: replies.refused[input.lang], intent: null, actions: [{ tool: call.tool, refused: err.code }] };
      }
    }
    if (prepared.some((c) => c.isCritical)) {
      const timer = setTimeout(() => this.clearPending(input.session), this.deps.config.tools.confirmTimeoutMs);
      timer.unref();
      this.pending.set(input.session, { calls: prepared, lang: input.lang, timer });
      return { text: replies.confirm[input.lang](prepared.map((c) => describe(c, input.lang, this.deps.config)).join(replies.and[input.lang])), intent: null, actions: [], data: { awaitingConfirmation: true } };
    }
    return this.runCalls(prepared, input.lang, null);
  }

  /** Run calls in order; a failing call is reported and does not hide the others. */
  private async runCalls(calls: PreparedCall[], lang: Lang, intent: string | null): Promise<Outcome> {
    const t0 = performance.now();
    const ctx = this.deps.toolContext(lang);
    const said: string[] = [];
    const actions: unknown[] = [];
    for (const call of calls) {
      let result: ToolResult;
      try {
        result = await call.tool.run(call.args, ctx);
      } catch (err) {
        this.deps.log.error({ err, tool: call.tool.name }, 'tool failed');
        result = { ok: false, say: { en: `${call.tool.name} failed.`, fr: `${call.tool.name} a échoué.` } };
      }
      said.push(result.say[lang]);
      actions.push(...(result.effects ?? [{ tool: call.tool.name, ok: result.ok }]));
    }
    return { text: said.join(' '), intent, actions, stages: { tools: Math.round((performance.now() - t0) * 1000) / 1000 }, toolSays: said, ran: true };
  }

  /**
   * One generator turn: the prompt is the language, the notes (and a live bin) that best match, and
   * the user's text. A plan's calls are resolved (device names → ids, durations) and go through
   * `propose` like any other — allow-list, schema, confirmation; once they ran, the model words the
   * reply from the tools' results. Null when no generator is in service or it failed.
   */
  private async generated(input: TurnInput, u: Understanding, use: { notes: boolean; calls: boolean }): Promise<Generated | null> {
    const chat = this.deps.generator?.();
    if (!chat) return null;
    const lang = input.lang;
    const notes = use.notes ? await this.promptNotes(input, u) : [];
    // An answer from notes needs notes: without any, the model could only guess.
    if (use.notes && notes.length === 0) return null;
    const messages: ChatMessage[] = [{ role: 'system', content: lang }, ...notes.map((n) => ({ role: 'note' as const, content: n })), { role: 'user', content: input.text }];
    const t0 = performance.now();
    let turn: ChatTurn;
    try {
      turn = await chat.reply(messages, { onText: streamAnswer(input.onPartial, lang) });
    } catch (err) {
      this.deps.log.error({ err, turnId: input.id }, 'generator failed');
      return null;
    }
    const genMs = Math.round(performance.now() - t0);
    const gen = { model: chat.name, notes: notes.length, tokens: turn.completion.newTokens, stoppedBy: turn.completion.stoppedBy };
    for (const r of turn.plan.refused) this.deps.log.warn({ turnId: input.id, raw: r.raw, reason: r.reason }, 'generator call refused');
    const refused = turn.plan.refused.map((r) => ({ tool: 'generator', refused: r.reason }));
    // Every outcome below carries the same record of the generator's turn.
    const base = { understanding: u, data: { generator: gen }, stages: { generator: genMs } };
    if (!turn.plan.calls.length) {
      const unknown = turn.text === '' || turn.text === UNKNOWN_REPLY[lang];
      const grounded = notes.length > 0 && !unknown && !refused.length;
      return { ...base, text: turn.text || replies.clarify[lang], intent: u.intent === 'unknown' ? null : u.intent, source: grounded ? 'memory' : 'model', actions: refused, unknown, planned: false, grounded };
    }
    if (!use.calls) {
      // Where a plan is not what was asked for (an open question, small talk), calls are not run.
      this.deps.log.warn({ turnId: input.id, calls: turn.plan.calls.map((c) => c.tool) }, 'generator wrote calls where words were expected; not run');
      return { ...base, text: replies.clarify[lang], intent: null, source: 'model', actions: [...refused, ...turn.plan.calls.map((c) => ({ tool: c.tool, refused: 'not_a_plan' }))], unknown: true, planned: false, grounded: false };
    }
    const calls: PlannedCall[] = [];
    for (const call of turn.plan.calls) {
      const r = resolveSpokenCall(call, this.deps.config);
      if (r.ok) calls.push(r.call);
      else if (r.reason === 'unknown_entity') return { ...base, text: replies.unknownEntity[lang](r.said, this.knownNames(lang)), intent: null, source: 'model', actions: [...refused, { tool: call.tool, refused: 'unknown_entity' }], unknown: false, planned: true, grounded: false };
      else {
        this.deps.log.warn({ turnId: input.id, tool: call.tool, reason: r.message }, 'generator call refused');
        return { ...base, text: replies.refused[lang], intent: null, source: 'model', actions: [...refused, { tool: call.tool, refused: 'bad_args' }], unknown: false, planned: true, grounded: false };
      }
    }
    const outcome = await this.propose(calls, input);
    if ('code' in outcome) return null;
    let text = outcome.text;
    if (outcome.ran && outcome.toolSays?.length) {
      // The results go back to the model, which words the reply. A wording that drops or changes what a
      // tool said (a small model can garble a name) is not used: the tools' own words are.
      const t1 = performance.now();
      try {
        const wording = await chat.reply([...messages, { role: 'assistant', content: turn.raw }, ...outcome.toolSays.map((say) => ({ role: 'tool' as const, content: say }))]);
        const faithful = outcome.toolSays.every((say) => wording.text.includes(say));
        if (wording.text && faithful && !wording.plan.calls.length && !wording.plan.refused.length) text = wording.text;
        else this.deps.log.info({ turnId: input.id, wording: wording.text.slice(0, 200) }, 'generator wording not faithful to the tool results; using their own words');
      } catch (err) {
        this.deps.log.error({ err, turnId: input.id }, 'generator failed to word the reply');
      }
      outcome.stages = { ...outcome.stages, wording: Math.round(performance.now() - t1) };
    }
    return { ...outcome, text, intent: outcome.intent ?? 'WulfPlan', understanding: u, source: 'model', actions: [...refused, ...(outcome.actions ?? [])], data: { ...outcome.data, generator: gen }, stages: { generator: genMs, ...outcome.stages }, unknown: false, planned: true, grounded: false };
  }

  /** The notes that best match the input, and the best live knowledge bin, as prompt lines. */
  private async promptNotes(input: TurnInput, u: Understanding): Promise<string[]> {
    const ctx = this.deps.toolContext(input.lang);
    const ranked = await rankNotes(input.text, this.deps.store.data.notes, ctx);
    const lines = ranked.filter((r) => r.score > 0).slice(0, PROMPT_NOTES).map((r) => r.note.text);
    const bin = await this.deps.fluid?.bins.find(input.text, input.lang, u.embedding ?? null, { touch: false });
    if (bin && lines.length < PROMPT_NOTES) lines.push(bin.bin.answer);
    return lines;
  }

  /** Novelty: cosine distance from this turn's embedding to the nearest remembered note (null without notes). */
  private novelty(embedding: number[]): number | null {
    const distances = this.deps.store.data.notes.filter((n) => n.embedding).map((n) => 1 - cosine(embedding, n.embedding!));
    return distances.length ? Math.min(...distances) : null;
  }


  private async runRoutine(routine: RoutineConfig, input: TurnInput): Promise<Outcome> {
    const outcome = await this.propose(routine.steps.map((s) => ({ tool: s.tool, args: s.args })), input);
    return { ...outcome, intent: `routine:${routine.id}` } as Outcome;
  }

  private knownNames(lang: Lang): string[] {
    return this.deps.config.devices.map((d) => d.names[lang][0] ?? d.names.en[0] ?? d.id).slice(0, 12);
  }

  private clearPending(session: string): void {
    const p = this.pending.get(session);
    if (p) clearTimeout(p.timer);
    this.pending.delete(session);
  }
}

/**
 * Partial replies for an answer only: a turn that starts like a plan (`<CALL:`) or is the model's
 * "I don't know" (which other sources may replace) is held back until it can be told apart, and
 * then not streamed.
 */
function streamAnswer(onPartial: ((delta: string) => void) | undefined, lang: Lang): ((delta: string) => void) | undefined {
  if (!onPartial) return undefined;
  const held = ['<CALL:', UNKNOWN_REPLY[lang]];
  let head = '';
  let decided: boolean | null = null;
  return (delta) => {
    if (decided === false) return;
    if (decided) return onPartial(delta);
    head += delta;
    const t = head.trimStart();
    if (held.some((h) => t.startsWith(h))) decided = false;
    else if (!held.some((h) => h.startsWith(t))) {
      decided = true;
      onPartial(t);
    }
  };
}

/** "unlock the front door" — how a pending call is put to the user. */
function describe(call: PreparedCall, lang: Lang, config: Config): string {
  const a = call.args as { action?: string; deviceIds?: string[] };
  if (call.tool.name === 'home_control' && a.action && a.deviceIds) {
    const names = a.deviceIds.map((id) => config.devices.find((d) => d.id === id)?.names[lang][0] ?? id).join(', ');
    return `${replies.actionVerb[lang][a.action] ?? a.action} ${names}`;
  }
  return replies.toolPhrase[lang][call.tool.name] ?? call.tool.description;
}
