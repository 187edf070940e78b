// Faster paths into rp2040js's memory map, with the same results. Profiling the emulator's thread
// (node --cpu-prof, a stock MicroPython build in a CPU-bound loop) put about a fifth of its time in
// memory accesses: every 32-bit write first looks its address up among the peripherals (a
// dictionary keyed by large integers, slow in V8) before it reaches SRAM, and every access goes
// through a core method that only forwards to the chip's. Here the core's 32-bit accessors go
// straight to SRAM for an aligned SRAM address (what rp2040js would do for it anyway), its 16-bit
// read (every instruction fetch) straight to flash, and everything else to the chip as before; the
// chip's peripheral lookup becomes an array index.
// rp2040js is pinned (1.4.1): fast-memory.test.ts holds these paths to its own.

const RAM_START = 0x20000000;
const FLASH_START = 0x10000000;
/** Typed arrays read in the host's byte order; the chip's accessors read little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Install the fast paths on one chip (an `RP2040` of rp2040js), as own properties that shadow its
 * prototype's methods. Returns the chip.
 */
export function installFastMemory(mcu) {
  // The chip's own lookup: `peripherals[(address >>> 14) << 2]`. The same, as a dense array.
  const table = new Array(0x40000).fill(undefined);
  for (const key of Object.keys(mcu.peripherals)) table[Number(key) >>> 2] = mcu.peripherals[key];
  mcu.findPeripheral = (address) => table[address >>> 14];

  const { core, sram, sramView } = mcu;
  const ramBytes = sram.length;
  if (LITTLE_ENDIAN) {
    // Every instruction is fetched with readUint16, mostly from flash: a DataView read on the chip's
    // 16 MiB flash was a fifth of the decoder's time; its Uint16Array view reads the same halfword.
    const { flash16 } = mcu;
    const flashBytes = mcu.flash.length;
    core.readUint16 = (address) => {
      const offset = address - FLASH_START;
      if (offset >= 0 && offset + 1 < flashBytes && (offset & 1) === 0) return flash16[offset >> 1];
      return mcu.readUint16(address);
    };
  }
  core.readUint32 = (address) => {
    const offset = (address >>> 0) - RAM_START;
    // Aligned and inside SRAM: the chip's readUint32 reads exactly this (the ROM and flash lie below).
    if (offset >= 0 && offset + 3 < ramBytes && (offset & 3) === 0) return sramView.getUint32(offset, true);
    return mcu.readUint32(address);
  };
  core.writeUint32 = (address, value) => {
    const offset = (address >>> 0) - RAM_START;
    // No peripheral sits in SRAM's range, so the chip's writeUint32 ends up here for such an address.
    if (offset >= 0 && offset + 3 < ramBytes) {
      sramView.setUint32(offset, value, true);
      return;
    }
    mcu.writeUint32(address, value);
  };
  return mcu;
}
