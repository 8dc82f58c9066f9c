// `npm run bench -- <suite> [--json]`: one dispatcher; each suite lives beside what it measures.
const suites: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  memory: () => import('../src/memory/memory.bench.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? suites[name] : undefined;
if (!load) {
  process.stderr.write(`usage: npm run bench -- <suite> [--json]\nsuites: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
await (await load()).run(args);
