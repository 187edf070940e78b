/**
 * What the ROM must answer, computed on the host independently of src/emu/hle-rom: the host's
 * IEEE arithmetic (Math.fround of a double result is the correctly rounded float32) with the ROM's
 * declared conventions applied: a NaN operand is the infinity of its sign, a denormal operand is
 * the zero of its sign, a result below the smallest normal is the zero of its sign, and where IEEE
 * gives NaN the ROM gives an infinity (∞ − ∞ = +∞; 0 × ∞, x / 0, ∞ / ∞ → ∞ with the result's sign;
 * √ of a negative number → −∞). Float → integer rounds toward −∞ and saturates.
 * Returns null for the routines it does not cover (the transcendental ones).
 */
const view = new DataView(new ArrayBuffer(8));
const f32 = (bits: number) => {
  const e = (bits >>> 23) & 0xff;
  const neg = bits >>> 31 === 1;
  if (e === 0) return neg ? -0 : 0;
  if (e === 255) return neg ? -Infinity : Infinity;
  view.setUint32(0, bits);
  return view.getFloat32(0);
};
const f64 = (lo: number, hi: number) => {
  const e = (hi >>> 20) & 0x7ff;
  const neg = hi >>> 31 === 1;
  if (e === 0) return neg ? -0 : 0;
  if (e === 0x7ff) return neg ? -Infinity : Infinity;
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
};
const negative = (x: number) => x < 0 || Object.is(x, -0);
const outF = (x: number): number[] => {
  if (Math.abs(x) < 2 ** -126) return [negative(x) ? 0x80000000 : 0];
  view.setFloat32(0, x);
  return [view.getUint32(0)];
};
const outD = (x: number): number[] => {
  if (Math.abs(x) < 2 ** -1022) return [0, negative(x) ? 0x80000000 : 0];
  view.setFloat64(0, x);
  return [view.getUint32(4), view.getUint32(0)];
};
const sign = (x: number) => (negative(x) ? -1 : 1);

function arithmetic(op: string, x: number, y: number): number {
  switch (op) {
    case 'add':
      return x === -y && !Number.isFinite(x) ? Infinity : x + y;
    case 'sub':
      return x === y && !Number.isFinite(x) ? Infinity : x - y;
    case 'mul':
      return (x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x))
        ? sign(x) * sign(y) * Infinity
        : x * y;
    case 'div':
      return y === 0 || (!Number.isFinite(x) && !Number.isFinite(y)) ? sign(x) * sign(y) * Infinity : x / y;
    default:
      return x < 0 ? -Infinity : Math.sqrt(x);
  }
}

function toInt(x: number, scale: number, low: number, high: number): number {
  if (Number.isNaN(x)) return high;
  const v = Math.floor(x * 2 ** scale);
  return Math.min(high, Math.max(low, v));
}

const OPS = ['add', 'sub', 'mul', 'div', '', '', 'sqrt'];

/** The expected result words of table 'SF' or 'SD', slot `index`, for registers `r`. */
export function expected(table: 'SF' | 'SD', index: number, r: number[]): number[] | null {
  const dbl = table === 'SD';
  const x = dbl ? f64(r[0]!, r[1]!) : f32(r[0]!);
  const y = dbl ? f64(r[2]!, r[3]!) : f32(r[1]!);
  const out = dbl ? outD : outF;
  const round = dbl ? (v: number) => v : Math.fround;
  const n = (dbl ? r[2]! : r[1]!) | 0;
  if (index <= 3 || index === 6) return out(round(arithmetic(OPS[index]!, x, y)));
  if (index === 21) return [(x < y ? -1 : x > y ? 1 : 0) >>> 0];
  if (index === 7) return [toInt(x, 0, -(2 ** 31), 2 ** 31 - 1) >>> 0];
  if (index === 8) return [toInt(x, n, -(2 ** 31), 2 ** 31 - 1) >>> 0];
  if (index === 9) return [toInt(x, 0, 0, 2 ** 32 - 1) >>> 0];
  if (index === 10) return [toInt(x, n, 0, 2 ** 32 - 1) >>> 0];
  const i = (dbl ? r[0]! : r[0]!) | 0;
  const u = r[0]! >>> 0;
  const m = r[1]! | 0; // fix2x: n in r1 for both tables
  if (index === 11) return out(round(i));
  if (index === 12) return out(round(i * 2 ** -m));
  if (index === 13) return out(round(u));
  if (index === 14) return out(round(u * 2 ** -m));
  if (index === 31) return dbl ? outF(Math.fround(x)) : outD(x);
  return null;
}

/** Bit routines 'B k': popcount32, reverse32, clz32, ctz32. */
export function expectedBits(k: number, v: number): number {
  const bits = (v >>> 0).toString(2).padStart(32, '0');
  if (k === 0) return [...bits].filter((b) => b === '1').length;
  if (k === 1) return parseInt([...bits].reverse().join(''), 2) >>> 0;
  if (k === 2) return v === 0 ? 32 : Math.clz32(v);
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

/** Memory routines 'M k' on the program's buffer (word w = 0x11111111 × w), source words `source`. */
export function expectedMemory(k: number, r: number[], source: number[]): number[] {
  const buffer = new Uint8Array(64);
  const dv = new DataView(buffer.buffer);
  for (let w = 0; w < 16; w++) dv.setUint32(4 * w, (0x11111111 * w) >>> 0, true);
  const src = new Uint8Array(64);
  const sv = new DataView(src.buffer);
  source.forEach((word, w) => sv.setUint32(4 * w, word >>> 0, true));
  const [offset, arg, count] = [r[0]!, r[1]!, r[2]!];
  for (let b = 0; b < count; b++) buffer[offset + b] = k < 2 ? arg & 0xff : src[arg + b]!;
  return Array.from({ length: 16 }, (_, w) => dv.getUint32(4 * w, true));
}
