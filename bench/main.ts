// `npm run bench -- SUITE [args]`: picks a benchmark suite by its first argument. Each suite lives
// beside what it measures and is registered here; a suite prints text, or JSON with --json.

interface Suite {
  describe: string;
  run: (args: readonly string[]) => Promise<string>;
}

const suites: Record<string, Suite> = {
  runtime: {
    describe: 'LiteRT.js vs native LiteRT on FC, MLP-Mixer and llama decode models in float32/int8/int4',
    run: async (args) => {
      const { formatBenchReport, runRuntimeBench } = await import('../firmware-models/tflite/runtime.bench.js');
      const report = await runRuntimeBench(args);
      return args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : formatBenchReport(report);
    },
  },
  nlu: {
    describe: 'NeuroLite: one 16-token command end to end on one core, vs native LiteRT on the same file [MODEL.tflite]',
    run: async (args) => (await import('../src/nlu/nlu.bench.js')).run(args),
  },
  generate: {
    describe: 'a llama2.c checkpoint imported in float32/int8/int4: decode tokens/s end to end, one decode step and a 16-token prefill vs native LiteRT [MODEL.bin TOKENIZER.bin]',
    run: async (args) => (await import('../src/generate/generate.bench.js')).run(args),
  },
  recognize: {
    describe: 'closed-grammar recognition on Debian-packaged English recordings: exact in-grammar, rejected out-of-grammar, end of speech → text latency [--min-score=N] [--verbose] [--latency-only]',
    run: async (args) => (await import('../src/voice/recognizer.bench.js')).run(args),
  },
  fluid: {
    describe: 'the fluid link: a cloud answer vs a bare HTTP request, answers from 10/100/1000 bins, the offline reply [N]',
    run: async (args) => (await import('../src/fluid/fluid.bench.js')).run(args),
  },
  voice: {
    describe: 'the micro audio frontend: µs per 10 ms frame and % of one core in real time, vs a float FFT of the same size [WAV] [ROUNDS]',
    run: async (args) => (await import('../src/audio/audio.bench.js')).run(args),
  },
  web: {
    describe: 'the web console: a turn through its API vs over MQTT, its reads, page weight, RSS on vs off [N]',
    run: async (args) => (await import('../src/web/web.bench.js')).run(args),
  },
  memory: {
    describe: 'store write cost per turn with 1k, 100k and 1M messages of history',
    run: async (args) => {
      const { run } = await import('../src/memory/memory.bench.js');
      await run([...args]);
      return '';
    },
  },
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const suite = name === undefined ? undefined : suites[name];
  if (suite === undefined) {
    process.stderr.write(`usage: npm run bench -- SUITE [--json]\nsuites:\n${Object.entries(suites).map(([k, s]) => `  ${k.padEnd(10)} ${s.describe}`).join('\n')}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(await suite.run(args));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
