// A private rp2040js chip that calls one routine of a boot ROM and counts the cycles it takes, from
// its first instruction to its return. It measures the real ROM's routines (the cycle costs the
// written ROM declares, scripts/measure-rom-costs.ts), holds the written ROM's results to the real
// one's (test/firmware/hle-rom.test.ts, test/rom-float, test/rom-program). The chip is its own:
// a routine called here sees only this chip's memory, so it suits routines of registers (bits,
// floats) or of buffers the caller lays out here first.
import { RP2040 } from 'rp2040js';

/** Where a called routine returns to: a BKPT in SRAM that ends the call. */
const RETURN_ADDRESS = 0x20040000;
const STACK_TOP = 0x20041f00;
const BKPT_END = 0xbefe;
/** A runaway routine ends the call with an error rather than spinning forever. */
const MAX_STEPS = 5_000_000;

/** A chip running `rom` (a 16 KiB Uint8Array), ready for calls. */
export function romSandbox(rom) {
  const mcu = new RP2040();
  mcu.logger = { debug() {}, info() {}, warn() {}, error() {} };
  mcu.loadBootrom(new Uint32Array(rom.buffer.slice(rom.byteOffset, rom.byteOffset + rom.byteLength)));
  let ended = false;
  let foreign;
  mcu.onBreak = (code) => {
    if (code === (BKPT_END & 0xff) && ((mcu.core.PC - 2) & ~1) === RETURN_ADDRESS) ended = true;
    else foreign = code;
  };
  mcu.writeUint16(RETURN_ADDRESS, BKPT_END);
  return {
    mcu,
    /**
     * Call the Thumb routine at `address` with r0..r3 = `args`; returns r0..r3 after and the cycles
     * from its first instruction to its return (the return branch included).
     */
    call(address, args = []) {
      const core = mcu.core;
      for (let i = 0; i < 4; i++) core.registers[i] = (args[i] ?? 0) >>> 0;
      core.SP = STACK_TOP;
      core.LR = RETURN_ADDRESS | 1;
      core.PC = address & ~1;
      ended = false;
      foreign = undefined;
      let cycles = 0;
      for (let step = 0; step < MAX_STEPS; step++) {
        if ((core.PC & ~1) === RETURN_ADDRESS) {
          const regs = [0, 1, 2, 3].map((i) => core.registers[i] >>> 0);
          return { regs, cycles };
        }
        cycles += core.executeInstruction();
        if (foreign !== undefined) {
          throw new Error(
            `ROM routine 0x${address.toString(16)} hit BKPT ${foreign} at 0x${(core.PC - 2).toString(16)}`,
          );
        }
        if (ended) break;
      }
      throw new Error(
        `ROM routine 0x${address.toString(16)} did not return within ${MAX_STEPS} instructions`,
      );
    },
  };
}
