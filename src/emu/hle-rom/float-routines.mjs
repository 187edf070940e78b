// The soft-float and soft-double tables of the RP2040 B1 boot ROM (version 2), in its order
// (RP2040 datasheet §2.8.3.2: "soft float" and "soft double" tables), for a boot ROM emulated at a
// high level: each entry is a routine on the registers (r0..r3 as uint32 in, result registers from r0
// out) and its cycle cost, or null for a deprecated slot. Results are bit-identical to the real ROM
// for + − × ÷ √, compare and the conversions (test/rom-float/*.test.ts holds them to a real ROM);
// the transcendental functions are declared in TRANSCENDENTAL_ULP.
import { ROUTINE_CYCLES } from './float-cycles.mjs';
import { SOFT_DOUBLE_NAMES, SOFT_FLOAT_NAMES } from './float-table-order.mjs';
import * as conv from './float-conversions.mjs';
import * as f32 from './float32-ops.mjs';
import * as f64 from './float64-ops.mjs';
import * as trans from './float-transcendentals.mjs';

export { TRANSCENDENTAL_ULP } from './float-ulp.mjs';
export { CYCLES_PROVENANCE } from './float-cycles.mjs';
export { SOFT_DOUBLE_NAMES, SOFT_FLOAT_NAMES } from './float-table-order.mjs';

const routines = { ...f32, ...f64, ...conv, ...trans };

function table(names) {
  return names.map((name) => {
    if (name === null) return null;
    const run = routines[name];
    const cost = ROUTINE_CYCLES[name];
    if (!run || !cost) throw new Error(`float-routines: ${name} has no routine or no cycle cost`);
    return { name, run, cycles: cost.cycles };
  });
}

export const SOFT_FLOAT_TABLE = table(SOFT_FLOAT_NAMES);
export const SOFT_DOUBLE_TABLE = table(SOFT_DOUBLE_NAMES);
