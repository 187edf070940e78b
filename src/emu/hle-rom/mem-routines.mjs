// The ROM's memory routines (MS memset, S4 memset4, MC memcpy, C4 memcpy44; RP2040 datasheet
// §2.8.3.1.2), done in JavaScript on the emulated chip's memory. pico-sdk routes the firmware's
// memset/memcpy here, so MicroPython's allocator zeroes its blocks through memset: the charge must
// be exact. Each charges what the real B1 ROM's routine costs on rp2040js for that size and
// alignment (rom-costs.mjs). Copies go forward a byte at a time, as a forward copy does; overlap
// is undefined for memcpy, as in C.
import { periodicCost } from './periodic-cost.mjs';
import { ROM_COSTS } from './rom-costs.mjs';

const { mem } = ROM_COSTS;
const RAM_START = 0x20000000;

/** Fill n bytes at `ptr` with `value`: straight into SRAM when the range is there, else byte by byte. */
export function fill(chip, ptr, value, n) {
  const offset = ptr - RAM_START;
  if (offset >= 0 && offset + n <= chip.sram.length) {
    chip.sram.fill(value & 0xff, offset, offset + n);
    return;
  }
  for (let i = 0; i < n; i++) chip.writeUint8((ptr + i) >>> 0, value & 0xff);
}

/** Copy n bytes from `src` to `dst`, lowest address first. */
export function copyForward(chip, dst, src, n) {
  const d = dst - RAM_START;
  const s = src - RAM_START;
  const { sram } = chip;
  if (d >= 0 && s >= 0 && d + n <= sram.length && s + n <= sram.length) {
    for (let i = 0; i < n; i++) sram[d + i] = sram[s + i];
    return;
  }
  for (let i = 0; i < n; i++) chip.writeUint8((dst + i) >>> 0, chip.readUint8((src + i) >>> 0));
}

const memset = (code, name, cost) => ({
  code,
  name,
  call(chip) {
    const [ptr, value, n] = chip.registers;
    fill(chip, ptr, value, n);
    return periodicCost(cost(ptr), n); // r0 stays ptr: the routine returns it
  },
});

const memcpy = (code, name, cost) => ({
  code,
  name,
  call(chip) {
    const [dst, src, n] = chip.registers;
    copyForward(chip, dst, src, n);
    return periodicCost(cost(dst, src), n);
  },
});

export const MEM_ROUTINES = [
  memset('MS', 'memset', (ptr) => mem.memset[`a${ptr & 3}`]),
  memset('S4', 'memset4', () => mem.memset4),
  memcpy('MC', 'memcpy', (dst, src) => mem.memcpy[`d${dst & 3}s${src & 3}`]),
  memcpy('C4', 'memcpy44', () => mem.memcpy44),
];
