// Every op and weight dtype the writer emits: a small random model per case, run in LiteRT.js and
// in native LiteRT, each compared with the plain-TS reference (float: 1e-5 relative; int8/int4:
// the activation-quantization bound computed per output element).

import test from 'ava';
import { buildOpCases } from './op-cases.js';
import { floatBound, runBoth, worst } from './helpers.js';

const cases = buildOpCases();
const results = runBoth(cases);


for (const [i, c] of cases.entries()) {
  test(`${c.name}: LiteRT.js and native LiteRT match the reference`, async (t) => {
    const { js, native } = await results;
    for (const [name, want] of Object.entries(c.ref)) {
      const bound = c.bound?.(name, want) ?? floatBound(want.data);
      for (const [who, got] of [['LiteRT.js', js[i]?.[name]], ['native', native[i]?.[name]]] as const) {
        t.truthy(got, `${who} has output ${name}`);
        if (got === undefined) continue;
        const bad = worst(got, want.data, bound);
        t.is(bad, null, `${who} ${name}: ${JSON.stringify(bad)}`);
      }
    }
  });
}
