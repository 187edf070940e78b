import type { Capabilities } from './device-info.ts';

/** The npm package and version the emulated RP2040 was built and checked against. */
export const RP2040JS_PACKAGE = 'rp2040js';
export const RP2040JS_VERSION = '1.4.1';

/** The device kind of an emulated chip in reports: never mistaken for a board's figures. */
export const EMULATED_RP2040_KIND = 'emulated-rp2040';

/**
 * Every way the emulated RP2040 differs from a Pico. The firmware is the user's own and runs
 * unchanged (its GC, its heap, its REPL are the real ones); the chip around it is rp2040js's model.
 */
export const EMU_DIFFERENCES: readonly { id: string; detail: string }[] = [
  {
    id: EMULATED_RP2040_KIND,
    detail: `not a board: the user's firmware on an RP2040 emulated by ${RP2040JS_PACKAGE} ${RP2040JS_VERSION}; never mix its figures with a board's without saying so.`,
  },
  {
    id: 'cycle-time',
    detail:
      'time.ticks_us() is emulated time: instruction cycles at 125 MHz, deterministic run to run. Flash (XIP) cache misses, bus contention and wait states are not modelled, so a real Pico is slower: pauses here are lower bounds.',
  },
  {
    id: 'flash-writes-by-host',
    detail:
      "rp2040js does not model the QSPI flash: the boot ROM's flash erase/program routines (found through its function table) are done by the host on the flash array, in zero emulated time; connect/XIP/cache-flush routines return at once.",
  },
  {
    id: 'usb-cdc-host-model',
    detail:
      "the USB host is rp2040js's CDC model: input is queued by picogc and fed to its 512-byte FIFO as room frees; USB timing is not a real host's.",
  },
  {
    id: 'reset-keeps-flash',
    detail:
      'machine.reset() (watchdog) re-boots the emulated chip with its flash kept; the serial link stays open.',
  },
];

/**
 * The capabilities of an emulated chip; `rom` names the boot ROM it ran (`hle (picogc)`: picogc's
 * written ROM; else the real ROM's version and sha256), said in the first difference.
 */
/** Exported for the tests: the boot ROM as the report says it. */
export function romDescription(rom: string): string {
  return rom.startsWith('hle')
    ? `${rom}, picogc's high-level emulation of the B1 ROM (its routines in JavaScript at the real ROM's measured cycle costs)`
    : `${rom}, read from a Pico (run exactly)`;
}

export function emuCapabilities(floatBits: 32 | 64, rom: string): Capabilities {
  return {
    kind: EMULATED_RP2040_KIND,
    collectTiming: 'ticks_us',
    deferredCollect: false,
    heapGrows: false,
    ticksUsResolutionUs: 1,
    floatBits,
    interruptResetsVm: false,
    differences: EMU_DIFFERENCES.map(
      (d, i) => `${d.id}: ${d.detail}${i === 0 ? ` Boot ROM: ${romDescription(rom)}.` : ''}`,
    ),
  };
}
