// Timers: the `timer_start`, `timer_cancel`, `timer_status` tools and the scheduler behind them.
// Timers live in the store, so they survive a restart; one that came due while the daemon was
// down rings at start. Each ring is announced on `wulf/<id>/timer`.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from 'pino';
import { foldText, type MemoryStore } from '../memory/index.js';
import { defineTool, type Lang, type TimerScheduler } from './types.js';

export interface TimerEvent {
  event: 'finished';
  id: string;
  name: string | null;
  dueAt: string;
  firedAt: string;
  lateMs: number;
  text: string;
}

export class TimerService implements TimerScheduler {
  private handles = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: MemoryStore,
    private readonly announce: (event: TimerEvent) => void,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Arm every stored timer; those already due ring now. */
  start(): void {
    for (const t of this.store.data.timers) this.arm(t.id, t.dueAt);
  }

  stop(): void {
    for (const h of this.handles.values()) clearTimeout(h);
    this.handles.clear();
  }

  async startTimer(opts: { name: string | null; durationMs: number; lang: Lang }): Promise<{ id: string; dueAt: number }> {
    const id = randomUUID();
    const dueAt = this.now() + opts.durationMs;
    await this.store.addTimer({ id, name: opts.name, durationMs: opts.durationMs, dueAt, createdAt: new Date(this.now()).toISOString(), lang: opts.lang });
    this.arm(id, dueAt);
    return { id, dueAt };
  }

  async cancel(match: { name?: string | null }): Promise<number> {
    const key = match.name ? foldText(match.name) : null;
    const targets = this.store.data.timers.filter((t) => key === null || (t.name !== null && foldText(t.name) === key));
    for (const t of targets) {
      clearTimeout(this.handles.get(t.id));
      this.handles.delete(t.id);
      await this.store.removeTimer(t.id);
    }
    return targets.length;
  }

  /** Cancel one timer by id (the console's delete button); false when there is none. */
  async cancelById(id: string): Promise<boolean> {
    clearTimeout(this.handles.get(id));
    this.handles.delete(id);
    return this.store.removeTimer(id);
  }

  pending(): Array<{ id: string; name: string | null; dueAt: number }> {
    return this.store.data.timers.map((t) => ({ id: t.id, name: t.name, dueAt: t.dueAt })).sort((a, b) => a.dueAt - b.dueAt);
  }

  private arm(id: string, dueAt: number): void {
    clearTimeout(this.handles.get(id));
    // setTimeout caps at 2^31-1 ms (24.8 days): longer timers re-arm when that fires.
    const delay = Math.min(Math.max(0, dueAt - this.now()), 2 ** 31 - 1);
    this.handles.set(id, setTimeout(() => void this.fire(id), delay));
  }

  private async fire(id: string): Promise<void> {
    this.handles.delete(id);
    const t = this.store.data.timers.find((x) => x.id === id);
    if (!t) return;
    if (t.dueAt > this.now()) return this.arm(id, t.dueAt);
    const firedAt = this.now();
    const lang = t.lang === 'fr' ? 'fr' : 'en';
    const text = lang === 'fr' ? `Le minuteur${t.name ? ` ${t.name}` : ''} est terminé.` : `The${t.name ? ` ${t.name}` : ''} timer is done.`;
    this.announce({ event: 'finished', id, name: t.name, dueAt: new Date(t.dueAt).toISOString(), firedAt: new Date(firedAt).toISOString(), lateMs: firedAt - t.dueAt, text });
    await this.store.removeTimer(id).catch((err: unknown) => this.log.error({ err, id }, 'could not remove a finished timer'));
  }
}

function spoken(ms: number, lang: Lang): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts = lang === 'fr'
    ? [h && `${h} heure${h > 1 ? 's' : ''}`, m && `${m} minute${m > 1 ? 's' : ''}`, sec && `${sec} seconde${sec > 1 ? 's' : ''}`]
    : [h && `${h} hour${h > 1 ? 's' : ''}`, m && `${m} minute${m > 1 ? 's' : ''}`, sec && `${sec} second${sec > 1 ? 's' : ''}`];
  return parts.filter(Boolean).join(' ') || (lang === 'fr' ? '0 seconde' : '0 seconds');
}

export const timerStart = defineTool({
  name: 'timer_start',
  description: 'start a timer (optionally named)',
  args: z.strictObject({ durationMs: z.int().min(1000).max(7 * 24 * 3600_000), name: z.string().trim().min(1).max(64).nullable().default(null) }),
  async run(a, ctx) {
    await ctx.timers.startTimer({ name: a.name, durationMs: a.durationMs, lang: ctx.lang });
    const label = { en: a.name ? `${a.name} timer` : 'timer', fr: a.name ? `minuteur ${a.name}` : 'minuteur' };
    return { ok: true, say: { en: `The ${label.en} is set for ${spoken(a.durationMs, 'en')}.`, fr: `Le ${label.fr} est réglé sur ${spoken(a.durationMs, 'fr')}.` }, effects: [{ tool: 'timer_start', durationMs: a.durationMs, name: a.name }] };
  },
});

export const timerCancel = defineTool({
  name: 'timer_cancel',
  description: 'cancel a named timer, or all timers',
  args: z.strictObject({ name: z.string().trim().min(1).max(64).nullable().default(null) }),
  async run(a, ctx) {
    const n = await ctx.timers.cancel({ name: a.name });
    if (!n) return { ok: false, say: { en: 'There is no such timer.', fr: 'Il n’y a pas de tel minuteur.' } };
    return { ok: true, say: { en: `Cancelled ${n} timer${n > 1 ? 's' : ''}.`, fr: `J’ai annulé ${n} minuteur${n > 1 ? 's' : ''}.` }, effects: [{ tool: 'timer_cancel', count: n }] };
  },
});

export const timerStatus = defineTool({
  name: 'timer_status',
  description: 'how long the running timers have left',
  args: z.strictObject({}),
  async run(_a, ctx) {
    const list = ctx.timers.pending();
    if (!list.length) return { ok: true, say: { en: 'No timer is running.', fr: 'Aucun minuteur en cours.' } };
    const left = (l: Lang) => list.map((t) => `${t.name ?? (l === 'fr' ? 'minuteur' : 'timer')}: ${spoken(Math.max(0, t.dueAt - ctx.now()), l)}`).join(', ');
    return { ok: true, say: { en: `Time left — ${left('en')}.`, fr: `Temps restant — ${left('fr')}.` }, data: { timers: list } };
  },
});
