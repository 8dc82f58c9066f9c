// Single-precision math as the C frontend's table setup does it (float32 rounding after each
// operation), so the integer tables computed here equal the C library's. Not for per-frame use.
const f = Math.fround;

const scratch = new DataView(new ArrayBuffer(4));
function floatBits(x: number): number {
  scratch.setFloat32(0, x);
  return scratch.getInt32(0);
}
function bitsFloat(bits: number): number {
  scratch.setInt32(0, bits);
  return scratch.getFloat32(0);
}

// Polynomial coefficients of the classic Sun fdlibm log1p (float version), the algorithm of
// glibc's (pre-2.41) log1pf: log(1+f) = f - f²/2 + s·(f²/2 + R(s²)), s = f/(2+f).
const LN2_HI = f(6.9313812256e-1);
const LN2_LO = f(9.0580006145e-6);
const LP = [6.6666668653e-1, 4.0000000596e-1, 2.8571429849e-1, 2.2222198546e-1, 1.8183572590e-1, 1.5313838422e-1, 1.4798198640e-1].map(f) as [number, number, number, number, number, number, number];

/**
 * log1pf(x) rounded like glibc 2.36's: `Math.fround(Math.log1p(x))` is correctly rounded but glibc's
 * is not, and the filterbank weights differ in 2 of 316 places (reference/voice/README.md).
 * Valid for x > -1 (the frontend only asks for frequencies ≥ 0).
 */
export function log1pf(xIn: number): number {
  const x = f(xIn);
  const hx = floatBits(x);
  const ax = hx & 0x7fffffff;
  if (Number.isNaN(x) || x <= -1) return x === -1 ? -Infinity : NaN;
  if (ax >= 0x7f800000) return x;
  let k = 1;
  let fr = 0;
  let c = 0;
  let hu = 0;
  if (hx < 0x3ed413d0) {
    // 1+x < sqrt(2)
    if (ax < 0x31000000) {
      // |x| < 2^-29: x - x²/2. This cut-off (not fdlibm's 2^-15) is glibc's: checked against glibc
      // 2.36 log1pf on 8.4 M inputs over (-1, 12], bit for bit.
      if (ax < 0x24800000) return x;
      return f(x - f(f(x * x) * 0.5));
    }
    if (hx > 0 || hx <= (0xbe95f619 | 0)) {
      k = 0;
      fr = x;
      hu = 1;
    }
  }
  if (k !== 0) {
    let u: number;
    if (hx < 0x5a000000) {
      u = f(1 + x);
      hu = floatBits(u);
      k = (hu >> 23) - 127;
      c = k > 0 ? f(1 - f(u - x)) : f(x - f(u - 1)); // the rounding error of 1+x
      c = f(c / u);
    } else {
      u = x;
      hu = floatBits(u);
      k = (hu >> 23) - 127;
      c = 0;
    }
    hu &= 0x007fffff;
    if (hu < 0x3504f4) {
      u = bitsFloat(hu | 0x3f800000); // u in [1, sqrt(2))
    } else {
      k += 1;
      u = bitsFloat(hu | 0x3f000000); // u/2 in [sqrt(2)/2, 1)
      hu = (0x00800000 - hu) >> 2;
    }
    fr = f(u - 1);
  }
  const hfsq = f(f(0.5 * fr) * fr);
  const kf = f(k);
  if (hu === 0) {
    // |f| < 2^-20
    if (fr === 0) return k === 0 ? 0 : f(f(kf * LN2_HI) + f(c + f(kf * LN2_LO)));
    const r = f(hfsq * f(1 - f(f(0.66666666666666666) * fr)));
    return k === 0 ? f(fr - r) : f(f(kf * LN2_HI) - f(f(r - f(f(kf * LN2_LO) + c)) - fr));
  }
  const s = f(fr / f(2 + fr));
  const z = f(s * s);
  const [p1, p2, p3, p4, p5, p6, p7] = LP;
  const poly = f(p1 + f(z * f(p2 + f(z * f(p3 + f(z * f(p4 + f(z * f(p5 + f(z * f(p6 + f(z * p7))))))))))));
  const r = f(z * poly);
  if (k === 0) return f(fr - f(hfsq - f(s * f(hfsq + r))));
  return f(f(kf * LN2_HI) - f(f(hfsq - f(f(s * f(hfsq + r)) + f(f(kf * LN2_LO) + c))) - fr));
}

/** cosf(x) for a float32 x: the correctly rounded float result (what glibc's cosf returns here). */
export function cosf(x: number): number {
  return f(Math.cos(f(x)));
}

/** powf(x, y) for float32 x, y, correctly rounded. */
export function powf(x: number, y: number): number {
  return f(Math.pow(f(x), f(y)));
}
