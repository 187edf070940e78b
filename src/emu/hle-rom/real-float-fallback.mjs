// A development aid while the written ROM's float routines are being written: a float routine that
// cannot run yet is run instead by a real boot ROM's routine of the same table slot, on a private
// chip (rom-sandbox.mjs: float routines use only registers and their own stack), charging the
// cycles it took there. Enabled by PICOGC_HLE_FALLBACK_ROM=ROM.bin (emu-worker.mjs); never the
// default, and a run made with it is not a run of the written ROM alone.
import { readFileSync } from 'node:fs';
import { romSandbox } from './rom-sandbox.mjs';

/** The address a real ROM's data table gives `code`. */
function dataEntry(rom, code) {
  const view = new DataView(rom.buffer, rom.byteOffset, rom.byteLength);
  const wanted = code.charCodeAt(0) | (code.charCodeAt(1) << 8);
  for (let at = view.getUint16(0x16, true); view.getUint16(at, true) !== 0; at += 4) {
    if (view.getUint16(at, true) === wanted) return view.getUint16(at + 2, true);
  }
  throw new Error(`the boot ROM has no ${code} data entry`);
}

/** `(table, slot, args) → { regs, cycles }` backed by the real ROM in `file`. */
export function realFloatFallback(file) {
  const rom = new Uint8Array(readFileSync(file));
  const view = new DataView(rom.buffer);
  const sandbox = romSandbox(rom);
  const tables = { SF: dataEntry(rom, 'SF'), SD: dataEntry(rom, 'SD') };
  return (table, slot, args) => sandbox.call(view.getUint32(tables[table] + 4 * slot, true), args);
}
