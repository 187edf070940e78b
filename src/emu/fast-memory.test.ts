import { RP2040 } from 'rp2040js';
import { describe, expect, it } from 'vitest';
import { installFastMemory } from './fast-memory.mjs';

/**
 * The fast paths must give exactly what rp2040js gives: two chips, one with them and one without,
 * take the same writes and must read back the same, at SRAM's edges, unaligned, in the ROM, the
 * flash, peripherals, SIO, USB DPRAM and the PPB.
 */
function chips() {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const plain = new RP2040();
  const fast = installFastMemory(new RP2040());
  plain.logger = quiet;
  fast.logger = quiet;
  return { plain, fast };
}

const SRAM = 0x20000000;
const SRAM_END = SRAM + 264 * 1024;
const ADDRESSES = [
  SRAM,
  SRAM + 4,
  SRAM + 2, // unaligned: the chip's own path (it logs, then reads)
  SRAM + 0x1234,
  SRAM_END - 4,
  SRAM_END - 3, // the last word would run past SRAM
  SRAM_END,
  0x00000100, // boot ROM
  0x10000400, // flash (XIP)
  0x13000400, // a flash mirror
  0x40054028, // TIMER: ALARM0 … (a peripheral)
  0x4005402c,
  0x400580ac, // WATCHDOG scratch
  0xd0000060, // SIO: the hardware divider's dividend
  0x50100000, // USB DPRAM
  0xe000ed08 | 0, // PPB: VTOR, as a negative int (addresses reach the chip signed or not)
];

describe('the fast memory paths', () => {
  it('read what rp2040js reads after the same writes, at every kind of address', () => {
    const { plain, fast } = chips();
    let value = 0x12345678;
    for (const address of ADDRESSES) {
      value = (Math.imul(value, 1103515245) + 12345) >>> 0;
      plain.core.writeUint32(address, value);
      fast.core.writeUint32(address, value);
    }
    for (const address of ADDRESSES) {
      expect(fast.core.readUint32(address), `0x${(address >>> 0).toString(16)}`).toBe(
        plain.core.readUint32(address),
      );
    }
    expect(Buffer.from(fast.sram).equals(Buffer.from(plain.sram))).toBe(true);
  });

  it('fetch the same halfwords (every instruction is one), in flash, at its end and elsewhere', () => {
    const { plain, fast } = chips();
    for (const mcu of [plain, fast]) {
      mcu.flash.set([0x01, 0x02, 0x03, 0x04, 0x05], 0x400);
      mcu.flash.set([0xaa, 0xbb], mcu.flash.length - 2);
      mcu.sram.set([0x11, 0x22, 0x33, 0x44], 0x100);
    }
    const halfwords = [0x10000400, 0x10000401, 0x10000402, 0x10fffffe, 0x10ffffff, 0x11000400];
    for (const address of [...halfwords, 0x20000100, 0x20000101, 0x20000102, 0x00000010, 0x40054028]) {
      expect(fast.core.readUint16(address), `0x${address.toString(16)}`).toBe(plain.core.readUint16(address));
    }
  });

  it('find the same peripheral for every 16 KiB block of the address space', () => {
    const { plain, fast } = chips();
    for (let block = 0; block < 0x40000; block++) {
      const address = (block << 14) >>> 0;
      const name = (p: unknown) => (p as { name?: string } | undefined)?.name;
      if (name(fast.findPeripheral(address)) !== name(plain.findPeripheral(address))) {
        expect.fail(`block at 0x${address.toString(16)}`);
      }
    }
  });
});
