// Reads syrupy snapshot files (.ambr), the format of pymicro-features' golden features:
//   # name: test_speech
//     list([
//       23.59375,
//       …
//     ])
//   # ---
// Only flat lists of numbers are supported; anything else throws so a format change is noticed.

/** Snapshot name → its list of numbers. */
export function parseAmbr(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let current: number[] | null = null;
  let inList = false;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trimEnd();
    const where = `ambr line ${index + 1}`;
    const name = /^# name: (\S+)$/.exec(line);
    if (name) {
      current = [];
      out.set(name[1]!, current);
      return;
    }
    if (line === '' || line.startsWith('# serializer version') || line === '# ---') return;
    if (current === null) throw new Error(`${where}: content before any '# name:'`);
    if (line === '  list([') {
      inList = true;
      return;
    }
    if (line === '  ])') {
      inList = false;
      return;
    }
    const value = /^ {4}(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?),$/.exec(line);
    if (!inList || !value) throw new Error(`${where}: unexpected ${JSON.stringify(line)}`);
    current.push(Number(value[1]));
  });
  return out;
}
