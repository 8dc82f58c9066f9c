// The last warnings and errors the daemon logged, kept in memory for the console's Status page.
// A pino stream: it receives the same JSON lines journald gets (only those at warn and above).
export interface RecentLogLine {
  time: string;
  level: 'warn' | 'error' | 'fatal';
  mod: string | null;
  msg: string;
}

const LEVELS: Record<number, RecentLogLine['level']> = { 40: 'warn', 50: 'error', 60: 'fatal' };

export class LogRing {
  private readonly lines: RecentLogLine[] = [];

  constructor(private readonly max = 50) {}

  /** pino calls this with one JSON line per record. */
  write(line: string): void {
    let rec: { level?: unknown; time?: unknown; mod?: unknown; msg?: unknown; err?: { message?: unknown } };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      return;
    }
    const level = LEVELS[Number(rec.level)];
    if (!level) return;
    const err = typeof rec.err?.message === 'string' ? `: ${rec.err.message}` : '';
    this.lines.push({
      time: new Date(typeof rec.time === 'number' ? rec.time : Date.now()).toISOString(),
      level,
      mod: typeof rec.mod === 'string' ? rec.mod : null,
      msg: `${typeof rec.msg === 'string' ? rec.msg : ''}${err}`.slice(0, 500),
    });
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  /** Newest first. */
  recent(): RecentLogLine[] {
    return [...this.lines].reverse();
  }
}
