// An MLP-Mixer block stack (LayerNorm, token-mixing MLP over the transposed sequence, channel MLP,
// GELU, residuals, mean-pool and a classifier head) as a one-signature .tflite, from the caller's
// config and a random source. NeuroLite-tiny's body has this shape; the benchmark uses it.

import { ModelBuilder, type GraphBuilder, type TensorRef } from './model-builder.js';
import type { WeightDtype } from './quantize.js';

export interface MixerConfig {
  tokens: number;
  channels: number;
  tokenHidden: number;
  channelHidden: number;
  blocks: number;
  classes: number;
}

export function mixerParamCount(c: MixerConfig): number {
  const block = 2 * c.tokens * c.tokenHidden + 2 * c.channels * c.channelHidden + 4 * c.channels;
  return c.blocks * block + c.channels * c.classes;
}

function layerNorm(g: GraphBuilder, x: TensorRef, name: string, channels: number): TensorRef {
  const mean = g.mean(x, [-1], true);
  const centered = g.sub(x, mean);
  const variance = g.mean(g.mul(centered, centered), [-1], true);
  const eps = g.sharedConstant('ln_eps', Float32Array.of(1e-5), [1]);
  const normed = g.mul(centered, g.rsqrt(g.add(variance, eps)));
  return g.add(g.mul(normed, g.sharedConstant(`${name}.gamma`, new Float32Array(channels).fill(1), [channels])), g.sharedConstant(`${name}.beta`, new Float32Array(channels), [channels]));
}

export function buildMixerModel(c: MixerConfig, dtype: WeightDtype, rand: () => number): ModelBuilder {
  const mat = (rows: number, cols: number): Float32Array => {
    const s = Math.sqrt(3 / cols);
    return Float32Array.from({ length: rows * cols }, () => (2 * rand() - 1) * s);
  };
  const mb = new ModelBuilder();
  const g = mb.subgraph('classify');
  let x = g.input('x', [1, c.tokens, c.channels]);
  for (let b = 0; b < c.blocks; b++) {
    const fc = (name: string, input: TensorRef, out: number, inDim: number): TensorRef => g.fullyConnected(input, g.weight(`b${b}.${name}`, mat(out, inDim), [out, inDim], dtype));
    // Token mixing: (1, S, C) -> (1, C, S) -> MLP over S -> back.
    const t = g.transpose(layerNorm(g, x, `b${b}.ln1`, c.channels), [0, 2, 1]);
    const tokenMixed = fc('token2', g.gelu(fc('token1', t, c.tokenHidden, c.tokens)), c.tokens, c.tokenHidden);
    x = g.add(x, g.transpose(tokenMixed, [0, 2, 1]));
    const ch = fc('channel2', g.gelu(fc('channel1', layerNorm(g, x, `b${b}.ln2`, c.channels), c.channelHidden, c.channels)), c.channels, c.channelHidden);
    x = g.add(x, ch);
  }
  const pooled = g.mean(x, [1], false); // (1, C)
  g.output('logits', g.fullyConnected(pooled, g.weight('head', mat(c.classes, c.channels), [c.classes, c.channels], dtype)));
  return mb;
}
