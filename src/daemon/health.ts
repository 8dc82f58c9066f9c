// Decides whether the daemon is healthy enough to pet the systemd watchdog: the event loop keeps
// up, the store takes writes, the MQTT link is in a known state. Owns the WATCHDOG=1 timer.
import type { Logger } from 'pino';
import type { Notifier } from './notify.js';

export interface HealthInputs {
  storeWriteError: () => unknown;
  mqttState: () => string;
}

export class Watchdog {
  private timer: NodeJS.Timeout | null = null;
  private lastTickMs = 0;
  pings = 0;

  constructor(
    private readonly notifier: Notifier,
    private readonly intervalMs: number,
    private readonly maxLagMs: number,
    private readonly inputs: HealthInputs,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.lastTickMs = performance.now();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reasons the daemon is unhealthy now; empty when healthy. `lagMs`: how late this tick ran. */
  problems(lagMs: number): string[] {
    const out: string[] = [];
    if (lagMs > this.maxLagMs) out.push(`event loop lagged ${Math.round(lagMs)} ms`);
    if (this.inputs.storeWriteError()) out.push('store is not writable');
    const state = this.inputs.mqttState();
    if (!['connected', 'connecting', 'reconnecting'].includes(state)) out.push(`mqtt state ${state}`);
    return out;
  }

  private tick(): void {
    const now = performance.now();
    const lagMs = now - this.lastTickMs - this.intervalMs;
    this.lastTickMs = now;
    const problems = this.problems(lagMs);
    if (problems.length) {
      this.log.warn({ problems }, 'unhealthy: not petting the watchdog');
      return;
    }
    if (this.notifier.send('WATCHDOG=1')) this.pings += 1;
  }
}
