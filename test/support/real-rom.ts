import { readFileSync } from 'node:fs';
import { RP2040 } from 'rp2040js';

/**
 * Calls routines of a real RP2040 boot ROM on rp2040js's emulated core, one at a time: r0..r3 set,
 * LR pointing at a BKPT in SRAM, PC at the routine, run until the BKPT. The cycles are rp2040js's
 * count for the instructions of the routine (its return included, the BKPT not), which is what the
 * emulator charges a program that calls the real ROM.
 */
export interface RomCall {
  /** r0..r3 after the routine returned. */
  regs: number[];
  cycles: number;
}

const RETURN_STUB = 0x20000000; // a BKPT #0x5a the routine returns to
const STACK_TOP = 0x20041000;
const STEP_LIMIT = 200_000;

export class RealRom {
  readonly mcu: RP2040;
  readonly softFloatTable: number;
  readonly softDoubleTable: number;
  readonly softFloatEntries: number;
  private stopped = false;

  constructor(rom: Uint8Array) {
    this.mcu = new RP2040();
    this.mcu.logger = { debug() {}, info() {}, warn() {}, error() {} };
    this.mcu.loadBootrom(new Uint32Array(rom.buffer, rom.byteOffset, rom.byteLength >> 2));
    this.mcu.writeUint16(RETURN_STUB, 0xbe5a);
    this.mcu.onBreak = () => {
      this.stopped = true;
    };
    this.softFloatTable = this.dataLookup('SF');
    this.softDoubleTable = this.dataLookup('SD');
    this.softFloatEntries = rom[this.softFloatTable - 2]!;
  }

  static fromFile(path: string): RealRom {
    return new RealRom(new Uint8Array(readFileSync(path)));
  }

  /** The ROM's data table (16-bit pointer at 0x16): pairs of a two-letter code and a 16-bit pointer. */
  dataLookup(code: string): number {
    const wanted = code.charCodeAt(0) | (code.charCodeAt(1) << 8);
    for (let at = this.mcu.readUint16(0x16); ; at += 4) {
      const c = this.mcu.readUint16(at);
      if (c === 0) throw new Error(`the ROM has no data entry '${code}'`);
      if (c === wanted) return this.mcu.readUint16(at + 2);
    }
  }

  /** The address of entry `index` of the soft-float ('SF') or soft-double ('SD') table. */
  entry(table: 'SF' | 'SD', index: number): number {
    const base = table === 'SF' ? this.softFloatTable : this.softDoubleTable;
    return this.mcu.readUint32(base + 4 * index);
  }

  call(address: number, args: readonly number[]): RomCall {
    const core = this.mcu.core;
    for (let i = 0; i < 4; i++) core.registers[i] = (args[i] ?? 0) >>> 0;
    core.SP = STACK_TOP;
    core.LR = RETURN_STUB | 1;
    core.PC = address & ~1;
    this.stopped = false;
    let cycles = 0;
    for (let n = 0; !this.stopped; n++) {
      if (n > STEP_LIMIT) throw new Error(`ROM routine at 0x${address.toString(16)} did not return`);
      cycles += core.executeInstruction();
    }
    // The BKPT was executed and counted; rp2040js rewinds the PC to it.
    cycles -= 1;
    return { regs: [0, 1, 2, 3].map((i) => core.registers[i]! >>> 0), cycles };
  }
}
