import { SOFT_DOUBLE_NAMES, SOFT_FLOAT_NAMES } from '../../src/emu/hle-rom/float-table-order.mjs';
import { seededRandom, type Random } from '../../src/prng.ts';

/**
 * Register vectors for the ROM's float routines: edge cases (signed zeros, denormals, the ends of
 * the normal range, infinities, NaNs, halfway cases) then seeded random bit patterns biased to
 * where rounding and flushing happen. Each vector is r0..r3.
 */
export type ArgKind = 'f' | 'ff' | 'fn' | 'i' | 'in' | 'l' | 'ln' | 'd' | 'dd' | 'dn';

/** How each routine takes its arguments (SOFT_FLOAT_NAMES / SOFT_DOUBLE_NAMES order aside). */
export const ARG_KINDS: Record<string, ArgKind> = {
  fadd: 'ff',
  fsub: 'ff',
  fmul: 'ff',
  fdiv: 'ff',
  fcmp: 'ff',
  fatan2: 'ff',
  fsqrt: 'f',
  fcos: 'f',
  fsin: 'f',
  ftan: 'f',
  fexp: 'f',
  fln: 'f',
  float2double: 'f',
  float2int: 'f',
  float2uint: 'f',
  float2int64: 'f',
  float2uint64: 'f',
  float2fix: 'fn',
  float2ufix: 'fn',
  float2fix64: 'fn',
  float2ufix64: 'fn',
  int2float: 'i',
  uint2float: 'i',
  fix2float: 'in',
  ufix2float: 'in',
  int642float: 'l',
  uint642float: 'l',
  fix642float: 'ln',
  ufix642float: 'ln',
  dadd: 'dd',
  dsub: 'dd',
  dmul: 'dd',
  ddiv: 'dd',
  dcmp: 'dd',
  datan2: 'dd',
  dsqrt: 'd',
  dcos: 'd',
  dsin: 'd',
  dtan: 'd',
  dexp: 'd',
  dln: 'd',
  double2float: 'd',
  double2int: 'd',
  double2uint: 'd',
  double2int64: 'd',
  double2uint64: 'd',
  double2fix: 'dn',
  double2ufix: 'dn',
  double2fix64: 'dn',
  double2ufix64: 'dn',
  int2double: 'i',
  uint2double: 'i',
  fix2double: 'in',
  ufix2double: 'in',
  int642double: 'l',
  uint642double: 'l',
  fix642double: 'ln',
  ufix642double: 'ln',
};

const u32 = (x: number) => x >>> 0;
const FLOAT_EDGES = [
  0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x80800000, 0x00800001, 0x7f7fffff,
  0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x3f800000, 0xbf800000, 0x3f800001,
  0x3fc00000, 0xbfc00000, 0x3f000000, 0xbf000000, 0x4f000000, 0xcf000000, 0x4f800000, 0x5f000000, 0xdf000000,
  0x5f800000, 0x40490fdb, 0xc0490fdb, 0x3fc90fdb, 0x42fe0000, 0x43000000, 0x34000000, 0x4b000000, 0x4b000001,
  0xcb000001, 0x7effffff, 0x01000000, 0x00ffffff,
].map(u32);
/** High words of doubles (low word 0 or random). */
const DOUBLE_EDGE_HIGHS = [
  0, 0x80000000, 0x000fffff, 0x800fffff, 0x00100000, 0x80100000, 0x7fefffff, 0xffefffff, 0x7ff00000,
  0xfff00000, 0x7ff80000, 0xfff80000, 0x3ff00000, 0xbff00000, 0x3ff80000, 0xbff80000, 0x3fe00000, 0x41e00000,
  0xc1e00000, 0x41f00000, 0x43e00000, 0xc3e00000, 0x43f00000, 0x400921fb, 0x43300000, 0x7fe00000, 0x00200000,
].map(u32);
const INT_EDGES = [
  0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x00ffffff, 0x01000001, 0x01000003, 0xfeffffff, 3,
];
const N_EDGES = [0, 1, 8, 16, 23, 31, 32, 33, 52, 63, 64, -1, -8, -31, -32, -64, 100, -100];

/** A float32 bit pattern: mostly normal numbers of moderate exponent, some at the ends of the range. */
function randomFloat(rng: Random, exponentRange?: [number, number]): number {
  const sign = rng.int(2) << 31;
  const pick = rng.int(16);
  let exponent: number;
  if (exponentRange) exponent = exponentRange[0] + rng.int(exponentRange[1] - exponentRange[0] + 1);
  else if (pick === 0)
    exponent = rng.int(3); // denormal and smallest normals
  else if (pick === 1)
    exponent = 253 + rng.int(3); // near overflow
  else if (pick === 2) exponent = 255;
  else exponent = 127 - 30 + rng.int(61);
  const mantissa = rng.int(4) === 0 ? (rng.int(2) ? 0x7fffff : rng.int(8)) : rng.int(0x800000);
  return u32(sign | (exponent << 23) | mantissa);
}

function randomDouble(rng: Random, exponentRange?: [number, number]): [number, number] {
  const sign = rng.int(2) << 31;
  const pick = rng.int(16);
  let exponent: number;
  if (exponentRange) exponent = exponentRange[0] + rng.int(exponentRange[1] - exponentRange[0] + 1);
  else if (pick === 0) exponent = rng.int(3);
  else if (pick === 1) exponent = 2045 + rng.int(3);
  else if (pick === 2) exponent = 2047;
  else exponent = 1023 - 60 + rng.int(121);
  const special = rng.int(4) === 0;
  const high = special ? (rng.int(2) ? 0xfffff : 0) : rng.int(0x100000);
  const low = special
    ? rng.int(2)
      ? 0xffffffff
      : rng.int(8)
    : u32(rng.int(0x10000) | (rng.int(0x10000) << 16));
  return [low, u32(sign | (exponent << 20) | high)];
}

const randomU32 = (rng: Random) => {
  const bits = 1 + rng.int(32);
  const v = u32(rng.int(0x10000) | (rng.int(0x10000) << 16));
  return bits === 32 ? v : u32(v & ((2 ** bits - 1) >>> 0)) | (rng.int(2) ? 0 : 0);
};
const randomN = (rng: Random, span: number) => rng.int(2 * span + 1) - span;

/** A second operand close to the first (cancellation, equal exponents, halfway sums). */
function nearFloat(rng: Random, a: number): number {
  const shift = rng.int(30) - 2;
  const b = u32((a & 0x807fffff) | (Math.max(1, Math.min(254, ((a >>> 23) & 0xff) - shift)) << 23));
  return rng.int(2) ? u32(b ^ 0x80000000) : u32(b ^ rng.int(4));
}

export function vectorsFor(kind: ArgKind, count: number, seed: number, name = ''): number[][] {
  const rng = seededRandom(seed);
  const out: number[][] = [];
  const trig = /sin|cos|tan/.test(name);
  const fRange: [number, number] | undefined = trig ? [100, 133] : name === 'fexp' ? [100, 133] : undefined;
  const dRange: [number, number] | undefined = trig
    ? [1000, 1032]
    : name === 'dexp'
      ? [1000, 1032]
      : undefined;
  switch (kind) {
    case 'f':
      for (const a of FLOAT_EDGES) out.push([a]);
      while (out.length < count) out.push([randomFloat(rng, rng.int(4) ? fRange : undefined)]);
      break;
    case 'ff':
      for (const a of FLOAT_EDGES) for (const b of FLOAT_EDGES.slice(0, 16)) out.push([a, b]);
      while (out.length < count) {
        const a = randomFloat(rng, rng.int(4) ? fRange : undefined);
        out.push([a, rng.int(2) ? nearFloat(rng, a) : randomFloat(rng)]);
      }
      break;
    case 'fn':
      for (const a of FLOAT_EDGES) for (const n of N_EDGES) out.push([a, u32(n)]);
      while (out.length < count) out.push([randomFloat(rng), u32(randomN(rng, rng.int(8) ? 40 : 300))]);
      break;
    case 'i':
      for (const a of INT_EDGES) out.push([a]);
      while (out.length < count) out.push([rng.int(2) ? randomU32(rng) : u32(-randomU32(rng))]);
      break;
    case 'in':
      for (const a of INT_EDGES) for (const n of N_EDGES) out.push([a, u32(n)]);
      while (out.length < count) out.push([randomU32(rng), u32(randomN(rng, rng.int(8) ? 40 : 300))]);
      break;
    case 'l':
    case 'ln':
      for (const lo of INT_EDGES) for (const hi of INT_EDGES) out.push([lo, hi, 0]);
      while (out.length < count) {
        const hi = rng.int(3) ? randomU32(rng) : u32(-randomU32(rng));
        const lo = u32(rng.int(0x10000) | (rng.int(0x10000) << 16));
        out.push([lo, hi, kind === 'ln' ? u32(randomN(rng, rng.int(8) ? 70 : 300)) : 0]);
      }
      break;
    case 'd':
    case 'dn':
      for (const hi of DOUBLE_EDGE_HIGHS) for (const lo of [0, 1, 0xffffffff]) out.push([lo, hi, 0]);
      while (out.length < count) {
        const n = kind === 'dn' ? u32(randomN(rng, rng.int(8) ? 70 : 300)) : 0;
        out.push([...randomDouble(rng, rng.int(4) ? dRange : undefined), n]);
      }
      break;
    case 'dd':
      for (const a of DOUBLE_EDGE_HIGHS)
        for (const b of DOUBLE_EDGE_HIGHS.slice(0, 14)) out.push([0, a, 1, b]);
      while (out.length < count) {
        const a = randomDouble(rng, rng.int(4) ? dRange : undefined);
        let b = randomDouble(rng);
        if (rng.int(2)) {
          const e = Math.max(1, Math.min(2046, ((a[1] >>> 20) & 0x7ff) - (rng.int(60) - 2)));
          b = [u32(a[0] ^ rng.int(8)), u32((a[1] & 0x800fffff) | (e << 20) | (rng.int(2) << 31))];
        }
        out.push([...a, ...b]);
      }
      break;
  }
  return out;
}

/** How many result registers a routine returns. */
export function resultWords(name: string): number {
  if (/^(d(add|sub|mul|div|sqrt|sin|cos|tan|exp|ln|atan2))$/.test(name)) return 2;
  if (/2(int64|fix64|uint64|ufix64|double)$/.test(name)) return 2;
  return 1;
}

export function allRoutines(): { name: string; table: 'SF' | 'SD'; index: number }[] {
  const list: { name: string; table: 'SF' | 'SD'; index: number }[] = [];
  SOFT_FLOAT_NAMES.forEach((name, index) => name && list.push({ name, table: 'SF', index }));
  SOFT_DOUBLE_NAMES.forEach((name, index) => name && list.push({ name, table: 'SD', index }));
  return list;
}
