// Runs turns with bounded concurrency and a bounded waiting line. `admit` resolves when there is
// room, which the MQTT link turns into backpressure on the broker instead of unbounded buffering.
export class TurnQueue {
  private running = 0;
  private waiting: Array<() => Promise<void>> = [];
  private roomWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly maxConcurrent: number, private readonly maxQueued: number) {}

  get inFlight(): number {
    return this.running + this.waiting.length;
  }

  /** Queue a job; resolves once the job is queued (not done), waiting for room when full. */
  async admit(job: () => Promise<void>): Promise<void> {
    while (this.waiting.length >= this.maxQueued) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    this.waiting.push(job);
    this.pump();
  }

  /** Resolves when nothing runs or waits, or after `timeoutMs`; true when idle. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<true>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    return result;
  }

  private pump(): void {
    while (this.running < this.maxConcurrent && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.roomWaiters.shift()?.();
      this.running += 1;
      // Jobs handle their own errors; this catch only keeps the queue alive if one does not.
      void job()
        .catch(() => undefined)
        .finally(() => {
          this.running -= 1;
          this.pump();
          if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }
}
