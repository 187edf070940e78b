import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { verifyBootrom } from '../src/firmware/bootrom.ts';
import { romSandbox, type RomSandbox } from '../src/emu/hle-rom/rom-sandbox.mjs';
import { periodicCost, type PeriodicCost } from '../src/emu/hle-rom/periodic-cost.mjs';

/**
 * The cycle costs the written boot ROM (src/emu/hle-rom/) charges for its bit, memory, lookup and
 * clock routines, measured by calling each routine of a real RP2040 boot ROM on rp2040js (the
 * emulator `--device emu` runs, so the written ROM charges what the real one costs there) from its
 * first instruction to its return. The RP2040 datasheet has timing tables for the floating-point
 * routines only; these routines have none, so they are measured. No ROM byte is written out: only
 * cycle counts.
 *
 *   npx tsx scripts/measure-rom-costs.ts ROM.bin           print the costs
 *   npx tsx scripts/measure-rom-costs.ts ROM.bin --write   and write src/emu/hle-rom/rom-costs.mjs
 *
 * A size-dependent routine (memset, memcpy…) is measured for every size up to MEASURED_UP_TO and a
 * few large ones, per alignment class, and described exactly as a table for small sizes plus a
 * periodic part (cost grows by `slope` every `period` bytes): the shortest such description that
 * reproduces every measured size is kept, and the script fails if none does.
 */

const OUT = fileURLToPath(new URL('../src/emu/hle-rom/rom-costs.mjs', import.meta.url));
const MEASURED_UP_TO = 300;
const LARGE_SIZES = [511, 1000, 1024, 2047, 4093, 4096];
const DST = 0x2000_1000;
const SRC = 0x2001_0000;

const code = (name: string) => name.charCodeAt(0) | (name.charCodeAt(1) << 8);

/** The shortest periodic description that reproduces cost(n) for every measured n. */
function fitPeriodic(cost: (n: number) => number): PeriodicCost {
  const measured = new Map<number, number>();
  for (let n = 0; n <= MEASURED_UP_TO; n++) measured.set(n, cost(n));
  for (const n of LARGE_SIZES) measured.set(n, cost(n));
  const at = (n: number) => measured.get(n) ?? cost(n);
  const candidates: { start: number; period: number }[] = [];
  for (let start = 0; start <= 96; start++) {
    for (const period of [4, 8, 16, 32, 64]) candidates.push({ start, period });
  }
  candidates.sort((a, b) => a.start + a.period - (b.start + b.period));
  for (const { start, period } of candidates) {
    const small = [...Array(start).keys()].map(at);
    const residue = [...Array(period).keys()].map((i) => at(start + i));
    const slope = at(start + period) - residue[0]!;
    const model: PeriodicCost = { start, small, period, slope, residue };
    if ([...measured].every(([n, cycles]) => periodicCost(model, n) === cycles)) return model;
  }
  throw new Error('no periodic description reproduces the measured costs');
}

function constantOver(inputs: number[], cost: (x: number) => number, what: string): number {
  const costs = new Set(inputs.map(cost));
  if (costs.size !== 1) throw new Error(`${what}: cost varies with the input (${[...costs].join(', ')})`);
  return [...costs][0]!;
}

/** Costs by the index of the highest (clz) or lowest (ctz) set bit: entry 0 is x = 0, entry k+1 bit k. */
function byBitIndex(sandbox: RomSandbox, address: number, inputs: (bit: number) => number[]): number[] {
  const table = [sandbox.call(address, [0]).cycles];
  for (let bit = 0; bit < 32; bit++) {
    table.push(constantOver(inputs(bit), (x) => sandbox.call(address, [x]).cycles, `bit ${bit}`));
  }
  return table;
}

function randomWords(count: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0));
}

function measure(romFile: string) {
  const rom = new Uint8Array(readFileSync(romFile));
  const facts = verifyBootrom(rom, romFile);
  const sandbox = romSandbox(rom);
  const fn = (name: string) => facts.functions[name]!;
  const words = randomWords(2000, 7);
  const call = (name: string, args: number[]) => sandbox.call(fn(name), args).cycles;

  const bits = {
    popcount32: constantOver(words, (x) => call('P3', [x]), 'popcount32'),
    reverse32: constantOver(words, (x) => call('R3', [x]), 'reverse32'),
    // Random words with the same highest (lowest) set bit cost the same: checked on 60 of each.
    clz32: byBitIndex(sandbox, fn('L3'), (bit) =>
      words.slice(0, 60).map((w) => ((1 << bit) | (bit === 0 ? 0 : w & ((1 << bit) - 1))) >>> 0),
    ),
    ctz32: byBitIndex(sandbox, fn('T3'), (bit) =>
      words.slice(0, 60).map((w) => ((1 << bit) | (bit === 31 ? 0 : (w >>> (bit + 1)) << (bit + 1))) >>> 0),
    ),
  };

  const memset: Record<string, PeriodicCost> = {};
  for (let a = 0; a < 4; a++) {
    memset[`a${a}`] = fitPeriodic((n) => {
      const cycles = call('MS', [DST + a, 0x5a, n]);
      if (call('MS', [DST + a, 0, n]) !== cycles) throw new Error('memset: cost depends on the value');
      return cycles;
    });
  }
  const memcpy: Record<string, PeriodicCost> = {};
  for (let d = 0; d < 4; d++) {
    for (let s = 0; s < 4; s++) memcpy[`d${d}s${s}`] = fitPeriodic((n) => call('MC', [DST + d, SRC + s, n]));
  }
  const mem = {
    memset,
    memset4: fitPeriodic((n) => call('S4', [DST, 0x5a, n])),
    memcpy,
    memcpy44: fitPeriodic((n) => call('C4', [DST, SRC, n])),
  };

  // rom_table_lookup walks its table: found at index i costs first + i·perEntry; not found after n
  // entries, missing + n·perEntry. Measured on both public tables.
  const view = new DataView(rom.buffer, rom.byteOffset, rom.byteLength);
  const lookup = view.getUint16(0x18, true);
  const samples: { found: boolean; index: number; cycles: number }[] = [];
  for (const table of [view.getUint16(0x14, true), view.getUint16(0x16, true)]) {
    let index = 0;
    for (; view.getUint16(table + 4 * index, true) !== 0; index++) {
      const entry = view.getUint16(table + 4 * index, true);
      samples.push({ found: true, index, cycles: sandbox.call(lookup, [table, entry]).cycles });
    }
    samples.push({ found: false, index, cycles: sandbox.call(lookup, [table, code('zz')]).cycles });
  }
  const [a, b] = samples.filter((s) => s.found);
  const perEntry = (b!.cycles - a!.cycles) / (b!.index - a!.index);
  const first = a!.cycles - a!.index * perEntry;
  const missed = samples.find((s) => !s.found)!;
  const tableLookup = { first, perEntry, missing: missed.cycles - missed.index * perEntry };
  for (const s of samples) {
    const predicted = (s.found ? first : tableLookup.missing) + s.index * perEntry;
    if (predicted !== s.cycles)
      throw new Error(`rom_table_lookup: ${s.cycles} cycles, predicted ${predicted}`);
  }
  const enableClocks = call('EC', []);

  return {
    provenance: {
      rom: `${facts.version} sha256 ${facts.sha256}`,
      emulator: 'rp2040js 1.4.1',
    },
    costs: { bits, mem, tableLookup, enableClocks },
  };
}

const [romFile, ...flags] = process.argv.slice(2);
if (!romFile) {
  process.stderr.write('usage: npx tsx scripts/measure-rom-costs.ts ROM.bin [--write]\n');
  process.exit(2);
}
const { provenance, costs } = measure(romFile);
const text = `// Cycle costs of the written boot ROM's routines: GENERATED by scripts/measure-rom-costs.ts, do not edit.
// Measured on ${provenance.emulator} by calling each routine of a real RP2040 boot ROM
// (${provenance.rom}) from its first instruction to its return, so
// --device emu charges the same emulated cycles with the written ROM as with the real one. The
// RP2040 datasheet gives no timing for these routines (its ROM timing tables cover the float
// routines only). Size-dependent costs are periodic-cost.mjs descriptions, exact for every size.
export const ROM_COSTS = ${JSON.stringify(costs)};
`;
const formatted = await format(text, { ...(await resolveConfig(OUT)), filepath: OUT });
if (flags.includes('--write')) {
  writeFileSync(OUT, formatted);
  process.stdout.write(`wrote ${OUT}\n`);
} else {
  process.stdout.write(formatted);
}
