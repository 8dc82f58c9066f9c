// 16-bit fixed-point real FFT, the arithmetic of KISS FFT built with FIXED_POINT=16 (kiss_fftr over
// a half-size complex FFT, radix 4 and 2 stages, each stage scaled down to avoid overflow). Every
// intermediate is stored as int16 like the C code, so outputs are bit-identical. Allocation-free.

const SAMP_MAX = 32767;

/** int16 wrap-around, as C stores an int into an int16_t. */
function s16(x: number): number {
  return (x << 16) >> 16;
}

/** sround(a*b) with FRACBITS = 15: Q15 multiply with rounding, result as int16. */
function mulQ15(a: number, b: number): number {
  return s16((a * b + (1 << 14)) >> 15);
}

export class RealFft16 {
  readonly size: number; // real input samples, a power of two ≥ 4
  private readonly half: number; // the complex FFT's size
  private readonly factors: number[] = []; // p0, m0, p1, m1, … (kf_factor)
  private readonly twRe: Int16Array;
  private readonly twIm: Int16Array;
  private readonly superRe: Int16Array;
  private readonly superIm: Int16Array;
  private readonly inRe: Int16Array; // the real input read as complex pairs
  private readonly inIm: Int16Array;
  private readonly tmpRe: Int16Array;
  private readonly tmpIm: Int16Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`fft: size must be a power of two ≥ 4 (got ${size})`);
    this.size = size;
    const n = size >> 1;
    this.half = n;
    this.twRe = new Int16Array(n);
    this.twIm = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const phase = (-2 * Math.PI * i) / n;
      this.twRe[i] = Math.floor(0.5 + SAMP_MAX * Math.cos(phase));
      this.twIm[i] = Math.floor(0.5 + SAMP_MAX * Math.sin(phase));
    }
    this.superRe = new Int16Array(n >> 1);
    this.superIm = new Int16Array(n >> 1);
    for (let i = 0; i < n >> 1; i++) {
      const phase = -Math.PI * ((i + 1) / n + 0.5);
      this.superRe[i] = Math.floor(0.5 + SAMP_MAX * Math.cos(phase));
      this.superIm[i] = Math.floor(0.5 + SAMP_MAX * Math.sin(phase));
    }
    // Powers of 4 first, then 2 (n is a power of two, so no other radix occurs).
    for (let m = n; m > 1; ) {
      const p = m % 4 === 0 ? 4 : 2;
      m /= p;
      this.factors.push(p, m);
    }
    this.inRe = new Int16Array(n);
    this.inIm = new Int16Array(n);
    this.tmpRe = new Int16Array(n);
    this.tmpIm = new Int16Array(n);
  }

  /**
   * Real FFT of `input` (size int16 values) into outRe/outIm (size/2 + 1 bins each), scaled by
   * 1/size like kiss_fftr in fixed point.
   */
  compute(input: Int16Array, outRe: Int16Array, outIm: Int16Array): void {
    const n = this.half;
    for (let i = 0; i < n; i++) {
      this.inRe[i] = input[2 * i]!;
      this.inIm[i] = input[2 * i + 1]!;
    }
    this.work(0, 0, 1, 0);
    const tmpRe = this.tmpRe;
    const tmpIm = this.tmpIm;
    // DC and Nyquist: the even and odd sums packed in tmp[0]
    const dcR = mulQ15(tmpRe[0]!, SAMP_MAX >> 1);
    const dcI = mulQ15(tmpIm[0]!, SAMP_MAX >> 1);
    outRe[0] = dcR + dcI;
    outIm[0] = 0;
    outRe[n] = dcR - dcI;
    outIm[n] = 0;
    for (let k = 1; k <= n >> 1; k++) {
      const pkR = mulQ15(tmpRe[k]!, SAMP_MAX >> 1);
      const pkI = mulQ15(tmpIm[k]!, SAMP_MAX >> 1);
      const pnkR = mulQ15(tmpRe[n - k]!, SAMP_MAX >> 1);
      const pnkI = mulQ15(s16(-tmpIm[n - k]!), SAMP_MAX >> 1);
      const f1R = s16(pkR + pnkR);
      const f1I = s16(pkI + pnkI);
      const f2R = s16(pkR - pnkR);
      const f2I = s16(pkI - pnkI);
      const wR = this.superRe[k - 1]!;
      const wI = this.superIm[k - 1]!;
      const twR = s16((f2R * wR - f2I * wI + (1 << 14)) >> 15);
      const twI = s16((f2R * wI + f2I * wR + (1 << 14)) >> 15);
      outRe[k] = (f1R + twR) >> 1;
      outIm[k] = (f1I + twI) >> 1;
      outRe[n - k] = (f1R - twR) >> 1;
      outIm[n - k] = (twI - f1I) >> 1;
    }
  }

  /** kf_work: decimation in time, recursing over the factors, then one butterfly stage. */
  private work(out: number, inp: number, fstride: number, factor: number): void {
    const p = this.factors[factor]!;
    const m = this.factors[factor + 1]!;
    if (m === 1) {
      for (let j = 0; j < p; j++) {
        this.tmpRe[out + j] = this.inRe[inp + j * fstride]!;
        this.tmpIm[out + j] = this.inIm[inp + j * fstride]!;
      }
    } else {
      for (let j = 0; j < p; j++) this.work(out + j * m, inp + j * fstride, fstride * p, factor + 2);
    }
    if (p === 4) this.butterfly4(out, fstride, m);
    else this.butterfly2(out, fstride, m);
  }

  private butterfly2(out: number, fstride: number, m: number): void {
    const re = this.tmpRe;
    const im = this.tmpIm;
    for (let k = 0; k < m; k++) {
      const a = out + k;
      const b = a + m;
      const aR = mulQ15(re[a]!, SAMP_MAX >> 1);
      const aI = mulQ15(im[a]!, SAMP_MAX >> 1);
      const bR = mulQ15(re[b]!, SAMP_MAX >> 1);
      const bI = mulQ15(im[b]!, SAMP_MAX >> 1);
      const wR = this.twRe[k * fstride]!;
      const wI = this.twIm[k * fstride]!;
      const tR = s16((bR * wR - bI * wI + (1 << 14)) >> 15);
      const tI = s16((bR * wI + bI * wR + (1 << 14)) >> 15);
      re[b] = aR - tR;
      im[b] = aI - tI;
      re[a] = aR + tR;
      im[a] = aI + tI;
    }
  }

  private butterfly4(out: number, fstride: number, m: number): void {
    const re = this.tmpRe;
    const im = this.tmpIm;
    const twRe = this.twRe;
    const twIm = this.twIm;
    const q = SAMP_MAX >> 2; // C_FIXDIV(x, 4)
    for (let k = 0; k < m; k++) {
      const i0 = out + k;
      const i1 = i0 + m;
      const i2 = i1 + m;
      const i3 = i2 + m;
      let f0R = mulQ15(re[i0]!, q);
      let f0I = mulQ15(im[i0]!, q);
      const f1R = mulQ15(re[i1]!, q);
      const f1I = mulQ15(im[i1]!, q);
      const f2R = mulQ15(re[i2]!, q);
      const f2I = mulQ15(im[i2]!, q);
      const f3R = mulQ15(re[i3]!, q);
      const f3I = mulQ15(im[i3]!, q);
      const w1 = k * fstride;
      const w2 = 2 * w1;
      const w3 = 3 * w1;
      const s0R = s16((f1R * twRe[w1]! - f1I * twIm[w1]! + (1 << 14)) >> 15);
      const s0I = s16((f1R * twIm[w1]! + f1I * twRe[w1]! + (1 << 14)) >> 15);
      const s1R = s16((f2R * twRe[w2]! - f2I * twIm[w2]! + (1 << 14)) >> 15);
      const s1I = s16((f2R * twIm[w2]! + f2I * twRe[w2]! + (1 << 14)) >> 15);
      const s2R = s16((f3R * twRe[w3]! - f3I * twIm[w3]! + (1 << 14)) >> 15);
      const s2I = s16((f3R * twIm[w3]! + f3I * twRe[w3]! + (1 << 14)) >> 15);
      const s5R = s16(f0R - s1R);
      const s5I = s16(f0I - s1I);
      f0R = s16(f0R + s1R);
      f0I = s16(f0I + s1I);
      const s3R = s16(s0R + s2R);
      const s3I = s16(s0I + s2I);
      const s4R = s16(s0R - s2R);
      const s4I = s16(s0I - s2I);
      re[i2] = f0R - s3R;
      im[i2] = f0I - s3I;
      re[i0] = f0R + s3R;
      im[i0] = f0I + s3I;
      // forward transform: multiply s4 by -i
      re[i1] = s5R + s4I;
      im[i1] = s5I - s4R;
      re[i3] = s5R - s4I;
      im[i3] = s5I + s4R;
    }
  }
}
