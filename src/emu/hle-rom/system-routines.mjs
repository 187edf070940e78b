// The ROM's routines that are neither arithmetic nor flash: its table lookup, the boot path, the
// clock and USB-boot entries, the debugger trampoline and core 1's holding pen (RP2040 datasheet
// §2.8.2 and §2.8.3.1.4). A routine's call returns its cycles (then the core returns to LR), or an
// outcome that goes elsewhere: `jump` (continue at an address), `usbBoot` (the chip goes to BOOTSEL),
// `crash` (the chip stops, saying why).
import { ROM_COSTS } from './rom-costs.mjs';

const FLASH_START = 0x10000000;
/** The B1 ROM's initial stack pointer (RP2040 datasheet §2.8.1: the top of SRAM's striped banks, less boot2's 256 bytes). */
export const INITIAL_SP = 0x20041f00;
const CLOCKS_WAKE_EN0 = 0x400080a0;
/** The Cortex-M0+ timings of MOVS, ORRS (1 cycle each) and BLX (3): the trampoline's three instructions. */
const DEBUG_TRAMPOLINE_CYCLES = 5;

/**
 * `rom_table_lookup(table, code)`: walk code/value pairs in the chip's memory (so any table works,
 * as with the real routine) until the code or the terminating 0.
 */
export const tableLookup = {
  code: null,
  name: 'rom_table_lookup',
  call(chip) {
    const [table, code] = chip.registers;
    const { first, perEntry, missing } = ROM_COSTS.tableLookup;
    for (let index = 0; ; index++) {
      const entry = chip.readUint16(table + 4 * index);
      if (entry === 0) {
        chip.registers[0] = 0;
        return missing + index * perEntry;
      }
      if (entry === (code & 0xffff)) {
        chip.registers[0] = chip.readUint16(table + 4 * index + 2);
        return first + index * perEntry;
      }
    }
  },
};

/**
 * The reset vector: boot as the ROM does once it has found a valid second stage in flash, which
 * picogc runs where it lies (XIP) instead of copying it to SRAM and checking its CRC first.
 */
export const bootIntoFlash = {
  code: null,
  name: 'boot',
  call(chip) {
    chip.registers[13] = INITIAL_SP;
    return { cycles: 1, jump: FLASH_START };
  },
};

/** What an address that should never run (NMI/HardFault vectors, a deprecated slot) says when it does. */
export const deadEnd = (name) => ({
  code: null,
  name,
  call: () => ({ cycles: 1, crash: `the boot ROM's ${name} was reached` }),
});

export const enableClocks = {
  code: 'EC',
  name: 'enable_clocks',
  call(chip) {
    chip.writeUint32(CLOCKS_WAKE_EN0, 0xffffffff);
    chip.writeUint32(CLOCKS_WAKE_EN0 + 4, 0xffffffff);
    return ROM_COSTS.enableClocks;
  },
};

export const resetUsbBoot = {
  code: 'UB',
  name: 'reset_usb_boot',
  call(chip) {
    const [gpioActivityMask, disableInterfaceMask] = chip.registers;
    return { cycles: 1, usbBoot: { gpioActivityMask, disableInterfaceMask } };
  },
};

export const waitForVector = {
  code: 'WV',
  name: 'wait_for_vector',
  call: () => ({
    cycles: 1,
    crash: "wait_for_vector is core 1's holding pen, and rp2040js emulates core 0 only",
  }),
};

/**
 * `debug_trampoline`: call the function in r7, returning to `debug_trampoline_end` (a real
 * `bkpt #0`, where a debugger takes over). `end` is that address.
 */
export const debugTrampoline = (end) => ({
  code: 'DT',
  name: 'debug_trampoline',
  call(chip) {
    return { cycles: DEBUG_TRAMPOLINE_CYCLES, jump: chip.registers[7] & ~1, lr: end | 1 };
  },
});
