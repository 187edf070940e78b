// The written ROM's trap handler: a BKPT #HLE_TRAP stopped the core in a stub; the routine is the
// one laid out at that stub's address. It runs on the chip's registers and memory, its cycles are
// charged to the emulated clock (the BKPT's own cycle is already counted), and the core goes on at
// LR (or where the routine says). Calls are counted per routine, for the trace of which routines a
// run used.
import { CYCLE_NANOS } from '../run-loop.mjs';

/**
 * @param {{ routineAt: Map<number, { name: string, call(chip: object): any }> }} rom
 * @param {{ core: object, clock: { tick(nanos: number): void } }} machine rp2040js's core and clock
 * @param {object} chip what routines work on (registers, memory, flash; see hle-rom.d.mts)
 */
export function trapDispatcher(rom, machine, chip) {
  const calls = new Map();
  let chargedCycles = 0;
  return {
    calls,
    /** Cycles charged by routines beyond their BKPT's. */
    get chargedCycles() {
      return chargedCycles;
    },
    /**
     * Handle the trap the core just took. Returns null when it returned (or jumped) as a routine
     * does, or what stops the chip: `{ crash: message }` or `{ usbBoot: {...} }`.
     */
    handle() {
      const { core, clock } = machine;
      const stub = (core.PC - 2) & ~1; // the BKPT has been fetched: PC is past it
      const routine = rom.routineAt.get(stub);
      if (!routine) {
        return { crash: `the written boot ROM ran at 0x${stub.toString(16)}, where no routine starts` };
      }
      calls.set(routine.name, (calls.get(routine.name) ?? 0) + 1);
      const outcome = routine.call(chip);
      const cycles = typeof outcome === 'number' ? outcome : outcome.cycles;
      const extra = cycles - 1;
      if (extra > 0) {
        core.cycles += extra;
        chargedCycles += extra;
        clock.tick(extra * CYCLE_NANOS); // alarms falling due during the routine fire, as they would
      }
      if (typeof outcome === 'number') {
        core.PC = core.LR & ~1;
        return null;
      }
      if (outcome.crash) return { crash: outcome.crash };
      if (outcome.usbBoot) return { usbBoot: outcome.usbBoot };
      if (outcome.lr !== undefined) core.LR = outcome.lr;
      core.PC = outcome.jump & ~1;
      return null;
    },
  };
}
