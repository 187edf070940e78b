// Measures how far this project's transcendental routines (src/emu/hle-rom) are from a real RP2040
// boot ROM's, over random arguments inside the ROM's documented domain, and prints the table that
// float-ulp.mjs and the README declare:
//   npx tsx scripts/measure-rom-float-ulp.ts /work/scratch/bootrom-b1.bin [vectors per routine]
import { SOFT_DOUBLE_TABLE, SOFT_FLOAT_TABLE } from '../src/emu/hle-rom/float-routines.mjs';
import { RealRom } from '../test/support/real-rom.ts';
import { allRoutines, ARG_KINDS, vectorsFor } from '../test/rom-float/vectors.ts';

const [romPath, countArg] = process.argv.slice(2);
if (!romPath) {
  console.error('usage: measure-rom-float-ulp.ts BOOTROM.bin [vectors per routine]');
  process.exit(2);
}
const count = Number(countArg ?? 20000);
const rom = RealRom.fromFile(romPath);
const view = new DataView(new ArrayBuffer(8));
const value = (w: number[], dbl: boolean) => {
  if (dbl) {
    view.setUint32(0, w[1]!);
    view.setUint32(4, w[0]!);
    return view.getFloat64(0);
  }
  view.setUint32(0, w[0]!);
  return view.getFloat32(0);
};
/** Ordered integer of a float's bits (so the difference of two is the ulps between them). */
const ordered = (w: number[], dbl: boolean) => {
  const v = dbl ? (BigInt(w[1]! >>> 0) << 32n) | BigInt(w[0]! >>> 0) : BigInt(w[0]! >>> 0);
  const sign = dbl ? 1n << 63n : 1n << 31n;
  return v & sign ? -(v & (sign - 1n)) : v;
};
/** Inside the domain: normal arguments (2^-20 ≤ |x|; trig |x| < 128 or 1024), a normal, finite result. */
const inDomain = (name: string, args: number[], dbl: boolean) => {
  const xs = /atan2/.test(name)
    ? [value(args, dbl), value(dbl ? args.slice(2) : [args[1]!], dbl)]
    : [value(args, dbl)];
  const limit = /sin|cos|tan/.test(name) && !/atan/.test(name) ? (dbl ? 1024 : 128) : Infinity;
  return xs.every((x) => Number.isFinite(x) && Math.abs(x) >= 2 ** -20 && Math.abs(x) < limit);
};

console.log('| routine | vectors | bit-identical | max ulp | max abs error |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of allRoutines().filter((x) => /sin|cos|tan|exp|ln|atan2/.test(x.name))) {
  const dbl = r.table === 'SD';
  const entry = (dbl ? SOFT_DOUBLE_TABLE : SOFT_FLOAT_TABLE)[r.index]!;
  const words = dbl ? 2 : 1;
  let n = 0,
    same = 0,
    maxUlp = 0n,
    maxAbs = 0;
  for (const args of vectorsFor(ARG_KINDS[r.name]!, count * 2, 99, r.name)) {
    if (n >= count || !inDomain(r.name, args, dbl)) continue;
    const real = rom.call(rom.entry(r.table, r.index), args).regs.slice(0, words);
    const mine = entry.run(args).slice(0, words);
    const a = value(real, dbl),
      b = value(mine, dbl);
    if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0 || b === 0) continue;
    n++;
    const d = ordered(real, dbl) - ordered(mine, dbl);
    const ulp = d < 0n ? -d : d;
    if (ulp === 0n) same++;
    if (ulp > maxUlp) maxUlp = ulp;
    maxAbs = Math.max(maxAbs, Math.abs(a - b));
  }
  console.log(
    `| ${r.name} | ${n} | ${((100 * same) / n).toFixed(1)}% | ${maxUlp} | ${maxAbs.toExponential(2)} |`,
  );
}
