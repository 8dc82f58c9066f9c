// An independent plain-TypeScript reference for the ops the writer emits, in float64, written
// from the op definitions (TFLite/NumPy semantics), sharing no code with the writer or LiteRT.

export interface Nd { shape: number[]; data: Float64Array }

export const nd = (shape: readonly number[], data: ArrayLike<number>): Nd => ({ shape: [...shape], data: Float64Array.from(data) });
const size = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);
const strides = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (shape[i + 1] as number);
  return s;
};
const unravel = (i: number, shape: readonly number[]): number[] => {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % (shape[d] as number); i = Math.floor(i / (shape[d] as number)); }
  return idx;
};
const ravel = (idx: readonly number[], shape: readonly number[]): number => idx.reduce((a, v, d) => a * (shape[d] as number) + v, 0);
const at = (a: Nd, i: number): number => a.data[i] as number;

/** y[..., j] = sum_i x[..., i] * w[j, i] + b[j] */
export function fullyConnected(x: Nd, w: Nd, bias: Nd | null): Nd {
  const [units, depth] = w.shape as [number, number];
  const rows = x.data.length / depth;
  const out = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) {
      let acc = bias === null ? 0 : at(bias, j);
      for (let i = 0; i < depth; i++) acc += at(x, r * depth + i) * at(w, j * depth + i);
      out[r * units + j] = acc;
    }
  }
  return { shape: [...x.shape.slice(0, -1), units], data: out };
}

export function broadcast(a: Nd, b: Nd, f: (x: number, y: number) => number): Nd {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pad = (s: number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const shape = sa.map((d, i) => Math.max(d, sb[i] as number));
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const ia = ravel(idx.map((v, d) => ((sa[d] as number) === 1 ? 0 : v)), sa);
    const ib = ravel(idx.map((v, d) => ((sb[d] as number) === 1 ? 0 : v)), sb);
    out[i] = f(at(a, ia), at(b, ib));
  }
  return { shape, data: out };
}

export const map = (a: Nd, f: (x: number) => number): Nd => ({ shape: [...a.shape], data: a.data.map(f) });

/** erf to ~1e-15 (Maclaurin series below 3, continued fraction for erfc above). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 100; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

export const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
export const geluTanh = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
export const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

export function softmax(a: Nd, beta = 1): Nd {
  const n = a.shape[a.shape.length - 1] as number;
  const out = new Float64Array(a.data.length);
  for (let r = 0; r < a.data.length / n; r++) {
    let max = -Infinity;
    for (let i = 0; i < n; i++) max = Math.max(max, at(a, r * n + i));
    let sum = 0;
    for (let i = 0; i < n; i++) { const e = Math.exp(beta * (at(a, r * n + i) - max)); out[r * n + i] = e; sum += e; }
    for (let i = 0; i < n; i++) out[r * n + i] = (out[r * n + i] as number) / sum;
  }
  return { shape: [...a.shape], data: out };
}

export function reduce(a: Nd, axes: readonly number[], keepDims: boolean, mean: boolean): Nd {
  const norm = axes.map((x) => (x < 0 ? x + a.shape.length : x));
  const kept = a.shape.map((d, i) => (norm.includes(i) ? 1 : d));
  const out = new Float64Array(size(kept));
  const count = norm.reduce((c, d) => c * (a.shape[d] as number), 1);
  for (let i = 0; i < a.data.length; i++) {
    const idx = unravel(i, a.shape).map((v, d) => (norm.includes(d) ? 0 : v));
    const o = ravel(idx, kept);
    out[o] = (out[o] as number) + at(a, i);
  }
  if (mean) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / count;
  return { shape: keepDims ? kept : a.shape.filter((_, i) => !norm.includes(i)), data: out };
}

export const reshape = (a: Nd, shape: readonly number[]): Nd => ({ shape: [...shape], data: a.data });

export function transpose(a: Nd, perm: readonly number[]): Nd {
  const shape = perm.map((p) => a.shape[p] as number);
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const src = new Array<number>(a.shape.length);
    perm.forEach((p, d) => { src[p] = idx[d] as number; });
    out[i] = at(a, ravel(src, a.shape));
  }
  return { shape, data: out };
}

export function concat(xs: readonly Nd[], axis: number): Nd {
  const first = xs[0] as Nd;
  const ax = axis < 0 ? axis + first.shape.length : axis;
  const shape = first.shape.map((d, i) => (i === ax ? xs.reduce((s, x) => s + (x.shape[i] as number), 0) : d));
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    let k = idx[ax] as number;
    let which = 0;
    while (k >= ((xs[which] as Nd).shape[ax] as number)) { k -= (xs[which] as Nd).shape[ax] as number; which++; }
    const src = xs[which] as Nd;
    idx[ax] = k;
    out[i] = at(src, ravel(idx, src.shape));
  }
  return { shape, data: out };
}

export function gather(params: Nd, indices: readonly number[], indicesShape: readonly number[], axis: number): Nd {
  const shape = [...params.shape.slice(0, axis), ...indicesShape, ...params.shape.slice(axis + 1)];
  const out = new Float64Array(size(shape));
  const ir = indicesShape.length;
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const gi = ravel(idx.slice(axis, axis + ir), indicesShape);
    const src = [...idx.slice(0, axis), indices[gi] as number, ...idx.slice(axis + ir)];
    out[i] = at(params, ravel(src, params.shape));
  }
  return { shape, data: out };
}

export function stridedSlice(a: Nd, begin: readonly number[], end: readonly number[], step: readonly number[]): Nd {
  const shape = begin.map((b, i) => Math.max(0, Math.ceil(((end[i] as number) - b) / (step[i] as number))));
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape).map((v, d) => (begin[d] as number) + v * (step[d] as number));
    out[i] = at(a, ravel(idx, a.shape));
  }
  return { shape, data: out };
}

export function dynamicUpdateSlice(operand: Nd, update: Nd, start: readonly number[]): Nd {
  // TFLite clamps start so the update fits inside the operand.
  const s = start.map((v, d) => Math.min(Math.max(v, 0), (operand.shape[d] as number) - (update.shape[d] as number)));
  const out = Float64Array.from(operand.data);
  for (let i = 0; i < update.data.length; i++) {
    const idx = unravel(i, update.shape).map((v, d) => v + (s[d] as number));
    out[ravel(idx, operand.shape)] = at(update, i);
  }
  return { shape: [...operand.shape], data: out };
}

export function batchMatmul(a: Nd, b: Nd, adjX: boolean, adjY: boolean): Nd {
  const A = adjX ? transpose(a, [...a.shape.keys()].map((d, _, all) => (d === all.length - 2 ? all.length - 1 : d === all.length - 1 ? all.length - 2 : d))) : a;
  const B = adjY ? transpose(b, [...b.shape.keys()].map((d, _, all) => (d === all.length - 2 ? all.length - 1 : d === all.length - 1 ? all.length - 2 : d))) : b;
  const m = A.shape[A.shape.length - 2] as number;
  const k = A.shape[A.shape.length - 1] as number;
  const n = B.shape[B.shape.length - 1] as number;
  const batchA = A.shape.slice(0, -2);
  const batchB = B.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const pa = [...new Array<number>(rank - batchA.length).fill(1), ...batchA];
  const pb = [...new Array<number>(rank - batchB.length).fill(1), ...batchB];
  const batch = pa.map((d, i) => Math.max(d, pb[i] as number));
  const out = new Float64Array(size(batch) * m * n);
  for (let bi = 0; bi < size(batch); bi++) {
    const idx = unravel(bi, batch);
    const oa = ravel(idx.map((v, d) => ((pa[d] as number) === 1 ? 0 : v)), pa) * m * k;
    const ob = ravel(idx.map((v, d) => ((pb[d] as number) === 1 ? 0 : v)), pb) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let q = 0; q < k; q++) acc += at(A, oa + i * k + q) * at(B, ob + q * n + j);
        out[bi * m * n + i * n + j] = acc;
      }
    }
  }
  return { shape: [...batch, m, n], data: out };
}
