/**
 * float16 and bfloat16 values, which armbench holds as the fp32 numbers they are (each
 * exact in fp32): their bit patterns as test data and onnxruntime's tensors carry them,
 * and rounding to them (nearest, ties to even), for seeded inputs of those types.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Ties to even of a value already scaled so that the kept bits are its integer part. */
function nearestEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

export function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/** The float16 nearest v (ties to even; past 65504 and half an ulp, an infinity), as bits. */
export function floatToHalfBits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(Math.fround(v));
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | nearestEven(a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let r = nearestEven(a * 2 ** (10 - e));
  if (r === 2048) {
    r = 1024;
    e++;
  }
  return e + 15 >= 31 ? sign | 0x7c00 : sign | ((e + 15) << 10) | (r - 1024);
}

export function bf16BitsToFloat(b: number): number {
  u32[0] = (b << 16) >>> 0;
  return f32[0]!;
}

/** The bfloat16 nearest v (ties to even; NaN stays NaN), as bits. */
export function floatToBf16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if (Number.isNaN(f32[0])) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export const roundToHalf = (v: number): number => halfBitsToFloat(floatToHalfBits(v));
export const roundToBf16 = (v: number): number => bf16BitsToFloat(floatToBf16Bits(v));
