// The soft-float and soft-double tables of the RP2040 B1 boot ROM (version 2), in its order
// (RP2040 datasheet §2.8.3.2: "soft float" and "soft double" tables), for a boot ROM emulated at a
// high level: each entry is a routine on the registers (r0..r3 as uint32 in, result registers from r0
// out) and its cycle cost, or null for a deprecated slot. Results are bit-identical to the real ROM
// for + − × ÷ √, compare and the conversions (test/rom-float/*.test.ts holds them to a real ROM);
// the transcendental functions are declared in TRANSCENDENTAL_ULP.
import { FLOAT_CYCLES, DOUBLE_CYCLES } from './float-cycles.mjs';
import * as conv from './float-conversions.mjs';
import * as f32 from './float32-ops.mjs';
import * as f64 from './float64-ops.mjs';
import * as trans from './float-transcendentals.mjs';

export { TRANSCENDENTAL_ULP } from './float-ulp.mjs';
export { FLOAT_CYCLES, DOUBLE_CYCLES, CYCLES_PROVENANCE } from './float-cycles.mjs';

/** Table order; null marks the deprecated slots (0x10, 0x14 and 0x48: the ROM's fast compares, unused). */
export const SOFT_FLOAT_NAMES = [
  'fadd', 'fsub', 'fmul', 'fdiv', null, null, 'fsqrt', 'float2int', 'float2fix', 'float2uint',
  'float2ufix', 'int2float', 'fix2float', 'uint2float', 'ufix2float', 'fcos', 'fsin', 'ftan', null,
  'fexp', 'fln', 'fcmp', 'fatan2', 'int642float', 'fix642float', 'uint642float', 'ufix642float',
  'float2int64', 'float2fix64', 'float2uint64', 'float2ufix64', 'float2double',
];
export const SOFT_DOUBLE_NAMES = [
  'dadd', 'dsub', 'dmul', 'ddiv', null, null, 'dsqrt', 'double2int', 'double2fix', 'double2uint',
  'double2ufix', 'int2double', 'fix2double', 'uint2double', 'ufix2double', 'dcos', 'dsin', 'dtan', null,
  'dexp', 'dln', 'dcmp', 'datan2', 'int642double', 'fix642double', 'uint642double', 'ufix642double',
  'double2int64', 'double2fix64', 'double2uint64', 'double2ufix64', 'double2float',
];

const routines = { ...f32, ...f64, ...conv, ...trans };

function table(names, costs) {
  return names.map((name) => {
    if (name === null) return null;
    const run = routines[name];
    const cost = costs[name];
    if (!run || !cost) throw new Error(`float-routines: ${name} has no routine or no cycle cost`);
    return { name, run, cycles: cost.cycles };
  });
}

export const SOFT_FLOAT_TABLE = table(SOFT_FLOAT_NAMES, FLOAT_CYCLES);
export const SOFT_DOUBLE_TABLE = table(SOFT_DOUBLE_NAMES, DOUBLE_CYCLES);
