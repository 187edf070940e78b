// picogc's own RP2040 boot ROM, by high-level emulation: the image (rom-image.mjs) with a trap stub
// per routine, and the routines done in JavaScript (bit, memory, flash, system, float tables).
// `--device emu` runs it when no `--bootrom FILE` is given (emu-worker.mjs).
import { BIT_ROUTINES } from './bit-routines.mjs';
import { FLASH_ROUTINES } from './flash-routines.mjs';
import { SOFT_DOUBLE_TABLE, SOFT_FLOAT_TABLE } from './float-routines.mjs';
import { floatTableRoutines } from './float-tables.mjs';
import { MEM_ROUTINES } from './mem-routines.mjs';
import { layOutRom } from './rom-image.mjs';
import {
  INITIAL_SP,
  bootIntoFlash,
  deadEnd,
  debugTrampoline,
  enableClocks,
  resetUsbBoot,
  tableLookup,
  waitForVector,
} from './system-routines.mjs';

import { trapDispatcher } from './trap-dispatcher.mjs';

export { HLE_TRAP } from './rom-image.mjs';
export { trapDispatcher };

/** How reports name this ROM. */
export const HLE_ROM_NAME = 'hle (picogc)';
/** GR: the written ROM's revision word, "pgc" and its layout's version (the real ROM's is a git hash). */
const REVISION = 0x70676301;
const COPYRIGHT = 'picogc: a high-level emulation of the RP2040 B1 boot ROM';

const BKPT_0 = 0xbe00;
/** `B` back to `target` from a halfword at `from` (Thumb T2: offset from from+4, in halfwords). */
const branchTo = (from, target) => 0xe000 | (((target - (from + 4)) >> 1) & 0x7ff);

/** The function table in the B1 ROM's order (datasheet §2.8.3: the codes; the order is the lookup's cost). */
const byCode = new Map(
  [...BIT_ROUTINES, ...MEM_ROUTINES, ...FLASH_ROUTINES, enableClocks, resetUsbBoot, waitForVector].map(
    (r) => [r.code, r],
  ),
);
const FUNCTION_ORDER = ['P3', 'R3', 'L3', 'T3', 'MS', 'S4', 'MC', 'C4', 'UB', 'DT', 'DE', 'WV'];
const FLASH_ORDER = ['IF', 'EX', 'RE', 'RP', 'FC', 'CX', 'EC'];

/** Build the written ROM: its 16 KiB image, its routines by stub address, its tables' entries. */
export function buildHleRom() {
  // DT needs DE's address, known once laid out: its routine is completed after the layout.
  const trampoline = { code: 'DT', name: 'debug_trampoline', call: () => 1 };
  const functions = [...FUNCTION_ORDER, ...FLASH_ORDER].map((code) => {
    // debug_trampoline_end is code, not a trap: a `bkpt #0` for the debugger, then back to the start.
    if (code === 'DE') return { code, raw: (at, stubs) => [BKPT_0, branchTo(at + 2, stubs.get('DT'))] };
    return { code, routine: code === 'DT' ? trampoline : byCode.get(code) };
  });
  const spec = {
    vectors: {
      sp: INITIAL_SP,
      reset: bootIntoFlash,
      nmi: deadEnd('NMI vector'),
      hardFault: deadEnd('HardFault vector'),
    },
    lookup: tableLookup,
    functions,
    data: { revision: REVISION, copyright: COPYRIGHT },
    softFloat: floatTableRoutines('SF', SOFT_FLOAT_TABLE),
    softDouble: floatTableRoutines('SD', SOFT_DOUBLE_TABLE),
  };
  const rom = layOutRom(spec);
  Object.assign(trampoline, debugTrampoline(rom.functions.DE & ~1));
  return rom;
}

/**
 * What the written ROM's routines work on, for an rp2040js chip: its registers and memory, and its
 * flash array (`flashWritten` hears every erase and program).
 */
export function hleChip(mcu, flashWritten = () => {}) {
  return {
    registers: mcu.core.registers,
    readUint8: (address) => mcu.readUint8(address),
    writeUint8: (address, value) => mcu.writeUint8(address, value),
    readUint16: (address) => mcu.readUint16(address),
    readUint32: (address) => mcu.readUint32(address),
    writeUint32: (address, value) => mcu.writeUint32(address, value),
    sram: mcu.sram,
    flash: mcu.flash,
    flashWritten,
  };
}

/**
 * Map the written ROM at address 0 of an rp2040js chip and make its trap handler; the caller
 * answers `BKPT #HLE_TRAP` with `traps.handle()` (its onBreak may hear other breakpoints too).
 */
export function installHleRom(mcu, { rom = buildHleRom(), flashWritten } = {}) {
  mcu.loadBootrom(new Uint32Array(rom.image.buffer, rom.image.byteOffset, rom.image.byteLength / 4));
  const traps = trapDispatcher(rom, { core: mcu.core, clock: mcu.clock }, hleChip(mcu, flashWritten));
  return { rom, traps };
}
