// Small helpers every benchmark suite uses: percentiles and a sequential timer.

/** The p-quantile (0..1) of xs by the nearest-rank rule; xs is not modified. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
}

/** Run fn n times one after another; the milliseconds each call took. */
export async function timeIt(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}
