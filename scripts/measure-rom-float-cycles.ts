// Measures the cycles each soft-float / soft-double routine of a real RP2040 boot ROM takes on
// rp2040js, by class of call (float-cycle-features.mjs), and writes them as data with their
// provenance to src/emu/hle-rom/float-cycles.json. The ROM is the user's (never committed):
//   npx tsx scripts/measure-rom-float-cycles.ts /work/scratch/bootrom-b1.bin [vectors per routine]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cycleClass } from '../src/emu/hle-rom/float-cycle-features.mjs';
import { RealRom } from '../test/support/real-rom.ts';
import { ARG_KINDS, allRoutines, vectorsFor } from '../test/rom-float/vectors.ts';

const [romPath, countArg] = process.argv.slice(2);
if (!romPath) {
  console.error('usage: measure-rom-float-cycles.ts BOOTROM.bin [vectors per routine]');
  process.exit(2);
}
const count = Number(countArg ?? 4000);
const bytes = readFileSync(romPath);
const rom = new RealRom(new Uint8Array(bytes));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const costs: Record<string, Record<string, number>> = {};
for (const routine of allRoutines()) {
  const byClass = new Map<string, number[]>();
  const address = rom.entry(routine.table, routine.index);
  for (const args of vectorsFor(ARG_KINDS[routine.name]!, count, 7, routine.name)) {
    const key = cycleClass(routine.name, args);
    const list = byClass.get(key) ?? [];
    list.push(rom.call(address, args).cycles);
    byClass.set(key, list);
  }
  const all = [...byClass.values()].flat();
  const classes: Record<string, number> = { default: median(all) };
  for (const [key, xs] of [...byClass].sort(([a], [b]) => a.localeCompare(b))) classes[key] = median(xs);
  costs[routine.name] = classes;
}

const rp2040js = JSON.parse(
  readFileSync(new URL('../node_modules/rp2040js/package.json', import.meta.url), 'utf8'),
) as { version: string };
const provenance = {
  rom: `RP2040 B1 boot ROM, SHA-256 ${createHash('sha256').update(bytes).digest('hex')}`,
  emulator: `rp2040js ${rp2040js.version} (its cycle count per instruction)`,
  method: `median cycles from the routine's entry to its return, per class of call, over ${count} vectors a routine (test/rom-float/vectors.ts, seed 7)`,
  script: 'scripts/measure-rom-float-cycles.ts',
};
// One line per routine, so the data stays a page long (prettier leaves this file alone).
const lines = Object.entries(costs).map(
  ([name, classes]) => `    ${JSON.stringify(name)}: ${JSON.stringify(classes)}`,
);
const out = `{\n  "provenance": ${JSON.stringify(provenance, null, 2).replace(/\n/g, '\n  ')},\n  "costs": {\n${lines.join(',\n')}\n  }\n}\n`;
writeFileSync(new URL('../src/emu/hle-rom/float-cycles.json', import.meta.url), out);
console.log(`wrote ${Object.keys(costs).length} routines`);
