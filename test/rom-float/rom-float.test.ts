import { describe, expect, it } from 'vitest';
import { TRANSCENDENTAL_ULP } from '../../src/emu/hle-rom/float-routines.mjs';
import { BOOTROM } from '../support/firmware-images.ts';
import { RealRom } from '../support/real-rom.ts';
import { compareRoutine } from './compare.ts';
import { allRoutines } from './vectors.ts';

/**
 * The ROM's float routines written here (src/emu/hle-rom) against a real B1 ROM's on rp2040js:
 * arithmetic, compare and conversions bit for bit over edge cases and seeded random vectors; the
 * cycle model within a few percent of what the ROM takes, summed over the same vectors.
 */
const REASON = BOOTROM ? '' : ' [skipped: set PICOGC_TEST_BOOTROM to a boot ROM read with picogc bootrom]';
const TRANSCENDENTAL = /sin|cos|tan|exp|ln$|atan2/;

describe.skipIf(!BOOTROM)(`float routines against the real ROM${REASON}`, () => {
  const rom = BOOTROM ? RealRom.fromFile(BOOTROM) : null;
  for (const routine of allRoutines()) {
    const exact = !TRANSCENDENTAL.test(routine.name);
    it(`${routine.name}: ${exact ? 'bit-identical' : 'declared'}; cycles within 15% in total`, () => {
      const c = compareRoutine(rom!, routine, 1500, 4242);
      if (exact) expect(c.mismatches).toEqual([]);
      else expect(TRANSCENDENTAL_ULP.routines[routine.name]).toBeDefined();
      const rom$ = c.romCycles.reduce((a, b) => a + b, 0);
      const hle = c.hleCycles.reduce((a, b) => a + b, 0);
      // One median per class of call: the widest miss measured is the unsigned 64-bit conversions (±12%).
      expect(Math.abs(hle / rom$ - 1)).toBeLessThan(0.15);
    });
  }
});
