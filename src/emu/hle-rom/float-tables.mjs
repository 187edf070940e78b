// The soft-float and soft-double tables' entries as trap routines: a routine of float-routines.mjs
// takes r0..r3 and gives result registers from r0, and charges its own declared cycles. A
// deprecated slot (null) stops the chip if called, as the B1 ROM's points at a dead end. A routine
// that throws stops the chip naming it.
import { deadEnd } from './system-routines.mjs';

/**
 * @param {'SF' | 'SD'} table
 * @param {({ name: string, run(r: number[]): number[], cycles(r: number[]): number } | null)[]} entries
 */
export function floatTableRoutines(table, entries) {
  return entries.map((entry, slot) => {
    if (entry === null) return deadEnd(`deprecated ${table} table slot ${slot}`);
    return {
      code: null,
      name: entry.name,
      call(chip) {
        const args = [0, 1, 2, 3].map((i) => chip.registers[i] >>> 0);
        let results;
        let cycles;
        try {
          results = entry.run(args);
          cycles = entry.cycles(args);
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          return {
            cycles: 1,
            crash: `the written boot ROM's ${entry.name} (${table} slot ${slot}) failed: ${why}`,
          };
        }
        results.forEach((value, i) => (chip.registers[i] = value >>> 0));
        return cycles;
      },
    };
  });
}
