// The written boot ROM's 16 KiB image: the header and tables of an RP2040 B1 ROM (RP2040 datasheet
// §2.8.2, §2.8.3), with a four-byte stub where each routine would start. A stub is `BKPT #HLE_TRAP`
// then `BX LR`; the trap handler (trap-dispatcher.mjs) knows the routine by the stub's address, not
// by the BKPT code, so every routine shares one code. Nothing here is the real ROM's code.

export const ROM_BYTES = 16 * 1024;
/** The BKPT immediate of every stub of the written ROM. */
export const HLE_TRAP = 0xb0;
const BKPT = 0xbe00;
const BX_LR = 0x4770;
/** Version byte 2: a B1 ROM, whose float tables picogc's firmware images expect (pico-sdk reads 0x13). */
const B1 = 2;
const DATA_ORDER = ['GR', 'CR', 'SF', 'SD', 'FZ', 'FS', 'FE', 'DS', 'DE'];

/**
 * Lay the ROM out.
 * @param {{ vectors: { sp: number, reset: object, nmi: object, hardFault: object },
 *           lookup: object,
 *           functions: { code: string, routine?: object, raw?: (at: number, stubs: Map<string, number>) => number[] }[],
 *           data: { revision: number, copyright: string },
 *           softFloat: object[], softDouble: object[] }} spec
 *   routines are `{ name, call }`; `raw` is a stub written as given halfwords instead of a trap.
 * @returns {{ image: Uint8Array, routineAt: Map<number, object>, functions: Record<string, number>,
 *             data: Record<string, number> }}
 */
export function layOutRom(spec) {
  const image = new Uint8Array(ROM_BYTES);
  const view = new DataView(image.buffer);
  const routineAt = new Map();
  let at = 0x20; // after the vectors and the well-known pointers
  const align = (n) => (at = (at + n - 1) & ~(n - 1));
  const stub = (routine) => {
    align(4);
    const address = at;
    view.setUint16(at, BKPT | HLE_TRAP, true);
    view.setUint16(at + 2, BX_LR, true);
    routineAt.set(address, routine);
    at += 4;
    return address;
  };

  // Routines first (each a stub), then the tables that point at them, then the data.
  const lookup = stub(spec.lookup);
  const vectors = [spec.vectors.reset, spec.vectors.nmi, spec.vectors.hardFault].map(stub);
  const functions = {};
  const stubs = new Map();
  for (const entry of spec.functions) {
    if (entry.routine) functions[entry.code] = stub(entry.routine) | 1;
    else {
      align(4);
      functions[entry.code] = at | 1;
      const halfwords = entry.raw(at, stubs);
      halfwords.forEach((h, i) => view.setUint16(at + 2 * i, h, true));
      at += 2 * halfwords.length;
    }
    stubs.set(entry.code, functions[entry.code] & ~1);
  }
  const floatStart = align(4);
  const floatStubs = spec.softFloat.map((routine) => stub(routine) | 1);
  const floatEnd = at;
  const doubleStart = at;
  const doubleStubs = spec.softDouble.map((routine) => stub(routine) | 1);
  const doubleEnd = at;

  const data = {};
  data.GR = align(4);
  view.setUint32(at, spec.data.revision >>> 0, true);
  at += 4;
  data.CR = at;
  for (const byte of Buffer.from(`${spec.data.copyright}\0`, 'latin1')) image[at++] = byte;
  align(4);
  // FZ: a byte, the soft-float table's length in entries; the table follows on a word boundary.
  data.FZ = at + 2;
  image[at + 2] = floatStubs.length;
  at += 4;
  data.SF = at;
  for (const address of floatStubs) (view.setUint32(at, address, true), (at += 4));
  data.SD = at;
  for (const address of doubleStubs) (view.setUint32(at, address, true), (at += 4));
  Object.assign(data, { FS: floatStart, FE: floatEnd, DS: doubleStart, DE: doubleEnd });

  const table = (pairs) => {
    align(2);
    const start = at;
    for (const [code, value] of pairs) {
      view.setUint16(at, code.charCodeAt(0) | (code.charCodeAt(1) << 8), true);
      view.setUint16(at + 2, value, true);
      at += 4;
    }
    view.setUint16(at, 0, true);
    at += 2;
    return start;
  };
  const functionTable = table(Object.entries(functions));
  // The B1 ROM's order (its table is searched front to back, so the order is part of each lookup's cost).
  const dataTable = table(DATA_ORDER.map((code) => [code, data[code]]));
  if (at > ROM_BYTES) throw new Error(`the written ROM needs ${at} bytes; a ROM has ${ROM_BYTES}`);
  // What no routine or table uses traps too (an unknown address: the chip stops, saying where).
  for (let free = (at + 1) & ~1; free < ROM_BYTES; free += 2) view.setUint16(free, BKPT | HLE_TRAP, true);

  view.setUint32(0, spec.vectors.sp, true);
  [0x04, 0x08, 0x0c].forEach((offset, i) => view.setUint32(offset, vectors[i] | 1, true));
  image.set([0x4d, 0x75, 0x01, B1], 0x10); // "Mu", compatibility 1, version
  view.setUint16(0x14, functionTable, true);
  view.setUint16(0x16, dataTable, true);
  view.setUint16(0x18, lookup | 1, true);
  return { image, routineAt, functions, data };
}
