import { RP2040 } from 'rp2040js';
import { HLE_TRAP, installHleRom, type TrapStop } from '../../src/emu/hle-rom/hle-rom.mjs';

/** Where a called routine returns to: a BKPT in SRAM that ends the call. */
const RETURN_ADDRESS = 0x2004_0000;
const STACK_TOP = 0x2004_1f00;
const END_CODE = 0xfe;

export interface HleCall {
  /** r0..r3 after the call. */
  regs: number[];
  /** Cycles from the routine's first instruction to its return: instructions plus what traps charged. */
  cycles: number;
  /** What the emulated clock moved by inside traps (ns). */
  trapNanos: number;
  /** Set when a routine stopped the chip (a crash, BOOTSEL). */
  stop?: TrapStop;
  /** Where the core went when it did not return (a jump to r7, a foreign BKPT). */
  pc: number;
  lr: number;
}

/**
 * An rp2040js chip with picogc's written ROM mapped at 0 and its trap handler installed, as the
 * emulator's thread has it, for calling the ROM's routines the way firmware does: by address, with
 * arguments in r0..r3 (and r7), returning to LR.
 */
export function hleRomChip() {
  const mcu = new RP2040();
  mcu.logger = { debug() {}, info() {}, warn() {}, error() {} };
  let flashWrites = 0;
  const { rom, traps } = installHleRom(mcu, { flashWritten: () => flashWrites++ });
  // rp2040js's chip runs on its SimulationClock (typed as its clock interface).
  const clock = mcu.clock as unknown as { tick(nanos: number): void; nanosCounter: number };
  let stop: TrapStop | undefined;
  let ended = false;
  let foreign: number | undefined;
  mcu.onBreak = (code: number) => {
    if (code === HLE_TRAP) stop = traps.handle() ?? undefined;
    else if (code === END_CODE && ((mcu.core.PC - 2) & ~1) === RETURN_ADDRESS) ended = true;
    else foreign = code;
  };
  mcu.writeUint16(RETURN_ADDRESS, 0xbe00 | END_CODE);
  return {
    rom,
    mcu,
    traps,
    get flashWrites() {
      return flashWrites;
    },
    /**
     * Call the routine at `address` with r0..r3 = args (and r7); step until it returns, a routine
     * stops the chip, a foreign BKPT, or `maxSteps` instructions.
     */
    call(address: number, args: readonly number[] = [], { r7 = 0, maxSteps = 100_000 } = {}): HleCall {
      const core = mcu.core;
      for (let i = 0; i < 4; i++) core.registers[i] = (args[i] ?? 0) >>> 0;
      core.registers[7] = r7 >>> 0;
      core.SP = STACK_TOP;
      core.LR = RETURN_ADDRESS | 1;
      core.PC = address & ~1;
      stop = undefined;
      ended = false;
      foreign = undefined;
      const chargedBefore = traps.chargedCycles;
      const nanosBefore = clock.nanosCounter;
      let cycles = 0;
      for (let step = 0; step < maxSteps && !stop && !ended && foreign === undefined; step++) {
        if ((core.PC & ~1) === RETURN_ADDRESS) break;
        cycles += core.executeInstruction();
      }
      return {
        regs: [0, 1, 2, 3].map((i) => core.registers[i]! >>> 0),
        cycles: cycles + traps.chargedCycles - chargedBefore,
        trapNanos: clock.nanosCounter - nanosBefore,
        ...(stop ? { stop } : {}),
        pc: core.PC >>> 0,
        lr: core.LR >>> 0,
      };
    },
  };
}
