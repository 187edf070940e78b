import { readFileSync } from 'node:fs';
import type { RP2040 } from 'rp2040js';
import { romSandbox, type RomSandbox } from '../../src/emu/hle-rom/rom-sandbox.mjs';

/**
 * Calls routines of a real RP2040 boot ROM on rp2040js's emulated core, one at a time (rom-sandbox.mjs),
 * finding them through its tables. The cycles are rp2040js's count for the instructions of the
 * routine (its return included), which is what the emulator charges a program that calls the real ROM.
 */
export interface RomCall {
  /** r0..r3 after the routine returned. */
  regs: number[];
  cycles: number;
}

export class RealRom {
  readonly mcu: RP2040;
  readonly softFloatTable: number;
  readonly softDoubleTable: number;
  readonly softFloatEntries: number;
  private readonly sandbox: RomSandbox;

  constructor(rom: Uint8Array) {
    this.sandbox = romSandbox(rom);
    this.mcu = this.sandbox.mcu;
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
    return this.sandbox.call(address, args);
  }
}
