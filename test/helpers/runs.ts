// Shared by the VAD tests: speech decisions summarized as runs.

/** Runs of equal decisions: [value, length] pairs. */
export function runs(xs: boolean[]): Array<[boolean, number]> {
  const out: Array<[boolean, number]> = [];
  for (const x of xs) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === x) last[1]++; else out.push([x, 1]);
  }
  return out;
}
