// The fluid-knowledge link: answers an open (or not understood) question from a live knowledge bin,
// else — when the mode, the budget, the circuits and the network allow — from the first provider
// that answers, and keeps that answer as a bin. Sends the question only, never the memory; records
// every request in the store (`wulf fluid log`) and every provider failure under failures/.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config, FluidConfig } from '../config/index.js';
import type { FluidCall, KnowledgeBin, MemoryStore } from '../memory/index.js';
import { KnowledgeBins } from './bins.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { FailureLog } from './failure-log.js';
import { Connectivity } from './probe.js';
import { ChatProvider, ProviderError, UNREACHABLE } from './provider.js';

export type CloudMode = FluidConfig['mode'];
/** Why the cloud is considered for a turn. */
export type FluidReason = 'open_question' | 'unsure' | 'chat';

export interface FluidQuestion {
  question: string;
  lang: 'en' | 'fr';
  reason: FluidReason;
  turnId: string;
  /** The NLU's sentence embedding, when a model is loaded (stored with the bin). */
  embedding?: number[] | null;
  onDelta?: (text: string) => void;
}

export type FluidOutcome = FluidCall['outcome'];

/** Today's cloud use against the daily budget. */
export interface FluidBudget {
  calls: number;
  callsPerDay: number;
  tokens: number;
  tokensPerDay: number;
}

export interface FluidAnswer {
  outcome: FluidOutcome;
  /** The answer, for `cloud` and `bin`. */
  text: string | null;
  provider: string | null;
  /** For `bin`: when it was learned. */
  learnedAt?: string;
  binId?: string;
  /** What went wrong on the way, one entry per provider tried or skipped. */
  failures: Array<{ provider: string; failure: string }>;
  tokens: number;
  latencyMs: number;
}

const LANG_NAMES = { en: 'English', fr: 'French' } as const;

export class FluidLink {
  readonly providers: ChatProvider[];
  readonly bins: KnowledgeBins;
  readonly failures: FailureLog;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly connectivity: Connectivity;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly opts: FluidConfig;

  constructor(
    config: Pick<Config, 'fluid' | 'stateDir'>,
    private readonly store: MemoryStore,
    env: Record<string, string | undefined>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.opts = config.fluid;
    this.providers = this.opts.providers.map((p) => new ChatProvider(p, env));
    for (const p of this.providers) {
      this.breakers.set(p.name, new CircuitBreaker(this.opts.breaker.failures, this.opts.breaker.cooldownMs, now));
      if (!p.hasKey && p.config.kind !== 'lan') log.warn({ provider: p.name }, 'cloud provider has no API key (set it in the config or its environment variable)');
    }
    this.connectivity = new Connectivity({ ...this.opts.probe, connectTimeoutMs: Math.max(...this.opts.providers.map((p) => p.connectTimeoutMs), 500) }, now);
    this.bins = new KnowledgeBins(store, this.opts.bins, now);
    this.failures = new FailureLog(path.join(config.stateDir, 'failures'), this.opts.failureLog.maxBytes, this.opts.failureLog.keep, log);
  }

  /** Probe the providers (so the first question finds a verdict) and sweep faded bins now and then. */
  start(): void {
    for (const p of this.providers) this.connectivity.warm(p.endpoint.host, p.endpoint.port);
    const every = Math.min(this.opts.bins.halfLifeMs, 3600_000);
    this.sweepTimer = setInterval(() => void this.bins.sweep().catch((err: unknown) => this.log.warn({ err }, 'bin sweep failed')), every);
    this.sweepTimer.unref();
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.connectivity.close();
  }

  /** The mode in force: Home Assistant's select (stored) over the config; off without providers. */
  get mode(): CloudMode {
    if (!this.providers.length) return 'off';
    return this.store.data.settings.cloudMode ?? this.opts.mode;
  }

  breakerState(provider: string): BreakerState | null {
    return this.breakers.get(provider)?.state ?? null;
  }

  /** Whether this kind of turn may go to the cloud in the current mode (bins are always looked up). */
  allows(reason: FluidReason): boolean {
    const m = this.mode;
    return m === 'always' || (m === 'when_unsure' && reason !== 'chat');
  }

  async answer(q: FluidQuestion): Promise<FluidAnswer> {
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;
    const none = { text: null, provider: null, failures: [], tokens: 0 };
    const found = await this.bins.find(q.question, q.lang, q.embedding ?? null);
    if (found) {
      return this.finish(q, { outcome: 'bin', text: found.bin.answer, provider: found.bin.source, learnedAt: found.bin.createdAt, binId: found.bin.id, failures: [], tokens: 0, latencyMs: elapsed() }, 0);
    }
    if (!this.allows(q.reason)) return this.finish(q, { outcome: 'off', ...none, latencyMs: elapsed() }, 0);
    const usage = this.usageToday();
    const b = this.opts.budget;
    if (usage.calls >= b.callsPerDay || usage.tokens >= b.tokensPerDay) return this.finish(q, { outcome: 'budget', ...none, latencyMs: elapsed() }, 0);

    const failures: FluidAnswer['failures'] = [];
    let sent = 0; // requests that reached a provider
    // Every provider's reachability at once: one deadline in all, not one per provider.
    const reachable = await Promise.all(this.providers.map((p) => this.connectivity.reachable(p.endpoint.host, p.endpoint.port)));
    for (const [i, provider] of this.providers.entries()) {
      const { host, port } = provider.endpoint;
      if (!reachable[i]) {
        failures.push({ provider: provider.name, failure: 'unreachable' });
        continue;
      }
      const breaker = this.breakers.get(provider.name)!;
      for (let attempt = 0; attempt <= provider.config.retries; attempt++) {
        if (!breaker.tryAcquire()) {
          failures.push({ provider: provider.name, failure: 'circuit_open' });
          break;
        }
        const t0 = performance.now();
        const result = await this.ask(provider, q);
        if (!(result instanceof ProviderError)) {
          sent += 1;
          breaker.success();
          this.connectivity.note(host, port, true);
          // Outside the provider's account: a store that cannot write is not the provider's failure.
          const bin = await this.bins.learn(q.question, result.text, q.lang, provider.name, q.embedding ?? null);
          return this.finish(q, { outcome: 'cloud', text: result.text, provider: provider.name, binId: bin.id, failures, tokens: result.tokens, latencyMs: elapsed() }, sent);
        }
        const e = result;
        breaker.failure();
        const latencyMs = Math.round(performance.now() - t0);
        failures.push({ provider: provider.name, failure: e.failure });
        void this.failures.append({ ts: new Date(this.now()).toISOString(), provider: provider.name, failure: e.failure, status: e.status, latencyMs, attempt });
        this.log.warn({ provider: provider.name, failure: e.failure, status: e.status, latencyMs, attempt, breaker: breaker.state }, 'cloud provider failed');
        if (UNREACHABLE.has(e.failure)) {
          this.connectivity.note(host, port, false);
          break;
        }
        sent += 1;
        if (!e.isRetryable || attempt === provider.config.retries) break;
        await sleep(backoffMs(attempt, e.retryAfterS));
      }
    }
    return this.finish(q, { outcome: sent > 0 ? 'failed' : 'offline', ...none, failures, latencyMs: elapsed() }, sent);
  }

  /** One request to one provider: a tidy, non-empty answer, or the ProviderError saying why not. */
  private async ask(provider: ChatProvider, q: FluidQuestion): Promise<{ text: string; tokens: number } | ProviderError> {
    try {
      const answer = await provider.complete({ system: systemPrompt(q.lang), user: q.question, ...(q.onDelta ? { onDelta: q.onDelta } : {}) });
      const text = tidy(answer.text, this.opts.maxAnswerChars);
      return text ? { text, tokens: answer.tokens } : new ProviderError('malformed', `${provider.name}: empty answer`);
    } catch (err) {
      return err instanceof ProviderError ? err : new ProviderError('malformed', `${provider.name}: ${(err as Error).message}`);
    }
  }

  private usageToday(): { calls: number; tokens: number } {
    const u = this.store.data.fluidUsage;
    return u.day === localDay(this.now()) ? u : { calls: 0, tokens: 0 };
  }

  /** Log the request (what was sent, if anything) and count it against today's budget. */
  private async finish(q: FluidQuestion, a: FluidAnswer, sent: number): Promise<FluidAnswer> {
    const call: FluidCall = {
      ts: new Date(this.now()).toISOString(), turnId: q.turnId, reason: q.reason, sent: sent > 0 ? q.question : null, provider: a.provider, outcome: a.outcome,
      tokens: a.tokens, latencyMs: a.latencyMs, ...(a.binId ? { binId: a.binId } : {}),
    };
    await this.store.recordFluidCall(call, localDay(this.now()), { calls: sent, tokens: a.tokens });
    return a;
  }

  /** Budget left today, for status and replies. */
  get budget(): FluidBudget {
    return { ...this.opts.budget, ...this.usageToday() };
  }
}

function systemPrompt(lang: 'en' | 'fr'): string {
  return `You are Wulf, a voice assistant on a small home board. Answer in ${LANG_NAMES[lang]}, in at most three short sentences, as plain text without markdown.`;
}

/** Exponential backoff with full jitter, or the server's Retry-After when it says (capped). */
function backoffMs(attempt: number, retryAfterS: number | null): number {
  if (retryAfterS !== null) return Math.min(retryAfterS * 1000, 2000);
  return Math.round(Math.random() * 200 * 2 ** attempt) + 50;
}

/** Plain, bounded text: no control characters or markdown emphasis; cut at a sentence end. */
export function tidy(text: string, max: number): string {
  let t = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').replace(/[*_`#]+/g, '').replace(/\s+/g, ' ').trim();
  if (t.length > max) {
    const cut = t.slice(0, max);
    const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('! '), cut.lastIndexOf('? '));
    t = end > max / 2 ? cut.slice(0, end + 1) : `${cut.trimEnd()}…`;
  }
  return t;
}

/** YYYY-MM-DD in the board's local time: the budget resets at local midnight. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export type { KnowledgeBin };
