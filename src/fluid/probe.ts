// Is a provider reachable at all? A TCP connect to its host and port, remembered for a while, so
// that an offline board answers at once instead of waiting on connect timeouts. A question waits
// for a verdict at most `deadlineMs`; a probe that takes longer goes on in the background.
import net from 'node:net';

interface Verdict {
  ok: boolean;
  at: number;
}

export interface ProbeOptions {
  deadlineMs: number;
  okTtlMs: number;
  failTtlMs: number;
  /** Time a background probe may take to connect. */
  connectTimeoutMs: number;
}

export class Connectivity {
  private readonly verdicts = new Map<string, Verdict>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly opts: ProbeOptions, private readonly now: () => number = Date.now) {}

  /** True if the endpoint is (recently known to be) reachable; never waits longer than the deadline. */
  async reachable(host: string, port: number): Promise<boolean> {
    const key = `${host}:${port}`;
    const v = this.verdicts.get(key);
    const age = v ? this.now() - v.at : Infinity;
    const ttl = v ? (v.ok ? this.opts.okTtlMs : this.opts.failTtlMs) : 0;
    if (v && age < ttl) {
      // Renew a verdict in its second half of life in the background, so a question rarely waits.
      if (age > ttl / 2 && !this.inFlight.has(key)) void this.start(key, host, port);
      return v.ok;
    }
    const probe = this.inFlight.get(key) ?? this.start(key, host, port);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(v?.ok ?? false), this.opts.deadlineMs);
    });
    try {
      return await Promise.race([probe, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Probe now in the background (at start-up, so the first question finds a verdict). */
  warm(host: string, port: number): void {
    const key = `${host}:${port}`;
    if (!this.inFlight.has(key)) void this.start(key, host, port);
  }

  /** What a real request learned: a success or a network-level failure settles the question. */
  note(host: string, port: number, ok: boolean): void {
    this.verdicts.set(`${host}:${port}`, { ok, at: this.now() });
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private start(key: string, host: string, port: number): Promise<boolean> {
    const p = new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port });
      this.sockets.add(socket);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        socket.destroy();
        this.sockets.delete(socket);
        this.verdicts.set(key, { ok, at: this.now() });
        this.inFlight.delete(key);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), this.opts.connectTimeoutMs);
      timer.unref();
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
    this.inFlight.set(key, p);
    return p;
  }
}
