import { describe, expect, it } from 'vitest';
import { verifyBootrom } from '../../firmware/bootrom.ts';
import { hleRomChip } from '../../../test/support/hle-rom-chip.ts';
import { SOFT_DOUBLE_TABLE, SOFT_FLOAT_TABLE } from './float-routines.mjs';
import { floatTableRoutines } from './float-tables.mjs';
import { periodicCost } from './periodic-cost.mjs';
import { ROM_COSTS } from './rom-costs.mjs';

/**
 * picogc's written boot ROM on an rp2040js chip: its tables as firmware reads them, and each
 * routine called by address as firmware calls it (arguments in r0..r3, return to LR), held to a
 * plain JavaScript reference and to its declared cycle cost. No real ROM is needed here
 * (test/firmware/hle-rom.test.ts holds it to one).
 */

/** The B1 ROM's public codes in its table order (RP2040 datasheet §2.8.3). */
const B1_FUNCTIONS = [
  'P3', 'R3', 'L3', 'T3', 'MS', 'S4', 'MC', 'C4', 'UB', 'DT', 'DE', 'WV',
  'IF', 'EX', 'RE', 'RP', 'FC', 'CX', 'EC',
]; // prettier-ignore
const B1_DATA = ['GR', 'CR', 'SF', 'SD', 'FZ', 'FS', 'FE', 'DS', 'DE'];

const code = (name: string) => name.charCodeAt(0) | (name.charCodeAt(1) << 8);

function words(count: number, seed: number): number[] {
  let state = seed >>> 0;
  const edge = [0, 1, 2, 0x80, 0xff, 0x100, 0x8000, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];
  return [
    ...edge,
    ...Array.from({ length: count }, () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0)),
  ];
}

/** Bit by bit: deliberately not the routines' own formulas. */
const reference = {
  popcount32: (x: number) => [...Array(32).keys()].filter((b) => (x >>> b) & 1).length,
  reverse32: (x: number) =>
    [...Array(32).keys()].reduce((v, b) => (v | (((x >>> b) & 1) << (31 - b))) >>> 0, 0),
  clz32: (x: number) => [...Array(33).keys()].find((n) => n === 32 || (x >>> (31 - n)) & 1)!,
  ctz32: (x: number) => [...Array(33).keys()].find((n) => n === 32 || (x >>> n) & 1)!,
};

/** Read the table at `table` (code/value pairs ended by a 0 code) from the chip. */
function readTable(chip: ReturnType<typeof hleRomChip>, table: number): [string, number][] {
  const entries: [string, number][] = [];
  for (let at = table; chip.mcu.readUint16(at) !== 0; at += 4) {
    const c = chip.mcu.readUint16(at);
    entries.push([String.fromCharCode(c & 0xff, c >> 8), chip.mcu.readUint16(at + 2)]);
  }
  return entries;
}

describe('the written boot ROM: header and tables', () => {
  const chip = hleRomChip();
  const functionTable = chip.mcu.readUint16(0x14);
  const dataTable = chip.mcu.readUint16(0x16);
  const lookup = chip.mcu.readUint16(0x18);

  it('is a 16 KiB B1 ROM by the checks picogc makes of a real one (magic, version, vectors, flash routines)', () => {
    const facts = verifyBootrom(chip.rom.image, 'written ROM');
    expect(facts.version).toBe('B1');
    expect(facts.initialStackPointer).toBe(0x20041f00);
    expect(chip.rom.image.length).toBe(16 * 1024);
  });

  it('has the B1 codes in the B1 order in both tables', () => {
    expect(readTable(chip, functionTable).map(([c]) => c)).toEqual(B1_FUNCTIONS);
    expect(readTable(chip, dataTable).map(([c]) => c)).toEqual(B1_DATA);
  });

  it('rom_table_lookup finds every code of both tables (and 0 for an unknown one), at the measured cost', () => {
    const { first, perEntry, missing } = ROM_COSTS.tableLookup;
    for (const table of [functionTable, dataTable]) {
      const entries = readTable(chip, table);
      entries.forEach(([c, value], index) => {
        const result = chip.call(lookup, [table, code(c)]);
        expect(result.regs[0], c).toBe(value);
        expect(result.cycles).toBe(first + index * perEntry);
      });
      const unknown = chip.call(lookup, [table, code('zz')]);
      expect(unknown.regs[0]).toBe(0);
      expect(unknown.cycles).toBe(missing + entries.length * perEntry);
    }
  });

  it('data: a revision word, a copyright string, and soft float/double tables of 32 routines each', () => {
    const data = Object.fromEntries(readTable(chip, dataTable));
    expect(chip.mcu.readUint32(data.GR!)).not.toBe(0);
    let text = '';
    for (let at = data.CR!; chip.mcu.readUint8(at) !== 0; at++)
      text += String.fromCharCode(chip.mcu.readUint8(at));
    expect(text).toMatch(/RP2040 B1 boot ROM/);
    expect(chip.mcu.readUint8(data.FZ!)).toBe(32);
    for (const [table, start, end] of [
      [data.SF!, data.FS!, data.FE!],
      [data.SD!, data.DS!, data.DE!],
    ] as const) {
      for (let slot = 0; slot < 32; slot++) {
        const entry = chip.mcu.readUint32(table + 4 * slot);
        expect(entry & 1).toBe(1); // Thumb
        expect(entry & ~1).toBeGreaterThanOrEqual(start);
        expect(entry & ~1).toBeLessThan(end);
        expect(chip.rom.routineAt.has(entry & ~1)).toBe(true);
      }
    }
  });
});

describe('the written boot ROM: routines called on the emulated chip', () => {
  const chip = hleRomChip();
  const fn = (c: string) => chip.rom.functions[c]!;

  it('popcount32, reverse32, clz32, ctz32 give the reference results at their declared costs', () => {
    const highest = (x: number) => (x === 0 ? 0 : 32 - reference.clz32(x));
    const lowest = (x: number) => (x === 0 ? 0 : 1 + reference.ctz32(x));
    for (const x of words(300, 3)) {
      const p = chip.call(fn('P3'), [x]);
      expect([p.regs[0], p.cycles]).toEqual([reference.popcount32(x), ROM_COSTS.bits.popcount32]);
      const r = chip.call(fn('R3'), [x]);
      expect([r.regs[0], r.cycles]).toEqual([reference.reverse32(x), ROM_COSTS.bits.reverse32]);
      const l = chip.call(fn('L3'), [x]);
      expect([l.regs[0], l.cycles]).toEqual([reference.clz32(x), ROM_COSTS.bits.clz32[highest(x)]]);
      const t = chip.call(fn('T3'), [x]);
      expect([t.regs[0], t.cycles]).toEqual([reference.ctz32(x), ROM_COSTS.bits.ctz32[lowest(x)]]);
      // The charge moved the emulated clock (all but the BKPT's own cycle, which the core counts).
      expect(t.trapNanos).toBe((ROM_COSTS.bits.ctz32[lowest(x)]! - 1) * 8);
    }
  });

  const DST = 0x2000_2000;
  const SRC = 0x2000_6000;
  const fillPattern = (at: number, n: number, seed: number) => {
    for (let i = 0; i < n; i++) chip.mcu.writeUint8(at + i, (i * 37 + seed) & 0xff);
  };
  const bytes = (at: number, n: number) => [
    ...chip.mcu.sram.subarray(at - 0x2000_0000, at - 0x2000_0000 + n),
  ];

  it('memset and memset4 fill exactly n bytes (neighbours untouched), return ptr, at the declared costs', () => {
    for (const [name, aligns] of [
      ['MS', [0, 1, 2, 3]],
      ['S4', [0]],
    ] as const) {
      for (const a of aligns) {
        for (const n of [0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 64, 100, 257]) {
          const ptr = DST + a;
          fillPattern(ptr - 8, n + 16, n);
          const before = bytes(ptr - 8, n + 16);
          const result = chip.call(fn(name), [ptr, 0x1a5, n]); // only the low byte is the value
          const expected = [...before.slice(0, 8), ...Array<number>(n).fill(0xa5), ...before.slice(8 + n)];
          expect(bytes(ptr - 8, n + 16)).toEqual(expected);
          expect(result.regs[0]).toBe(ptr);
          const model = name === 'MS' ? ROM_COSTS.mem.memset[`a${a}` as 'a0'] : ROM_COSTS.mem.memset4;
          expect(result.cycles).toBe(periodicCost(model, n));
        }
      }
    }
  });

  it('memcpy and memcpy44 copy exactly n bytes for every alignment, return dst, at the declared costs', () => {
    for (const [name, pairs] of [
      ['MC', [0, 1, 2, 3].flatMap((d) => [0, 1, 2, 3].map((s) => [d, s] as const))],
      ['C4', [[0, 0] as const]],
    ] as const) {
      for (const [d, s] of pairs) {
        for (const n of [0, 1, 5, 8, 16, 33, 100]) {
          fillPattern(SRC + s, n, 11);
          fillPattern(DST + d - 4, n + 8, 200);
          const around = bytes(DST + d - 4, n + 8);
          const result = chip.call(fn(name), [DST + d, SRC + s, n]);
          expect(bytes(DST + d, n)).toEqual(bytes(SRC + s, n));
          expect(bytes(DST + d - 4, 4)).toEqual(around.slice(0, 4));
          expect(bytes(DST + d + n, 4)).toEqual(around.slice(4 + n));
          expect(result.regs[0]).toBe(DST + d);
          const model = name === 'MC' ? ROM_COSTS.mem.memcpy[`d${d}s${s}`]! : ROM_COSTS.mem.memcpy44;
          expect(result.cycles).toBe(periodicCost(model, n));
        }
      }
    }
  });

  it('flash_range_erase and flash_range_program work on the flash array; the XIP/cache routines return at once', () => {
    chip.mcu.flash.fill(0x00, 0, 0x3000);
    const writes = chip.flashWrites;
    chip.call(fn('RE'), [0x1000, 0x1000, 0x1000, 0x20]);
    expect(chip.mcu.flash[0x0fff]).toBe(0x00);
    expect(chip.mcu.flash.subarray(0x1000, 0x2000).every((b) => b === 0xff)).toBe(true);
    expect(chip.mcu.flash[0x2000]).toBe(0x00);
    chip.mcu.flash[0x1800] = 0xf0;
    chip.mcu.writeUint8(SRC, 0x3c);
    chip.mcu.writeUint8(SRC + 1, 0x5a);
    chip.call(fn('RP'), [0x1800, SRC, 2]);
    expect([chip.mcu.flash[0x1800], chip.mcu.flash[0x1801], chip.mcu.flash[0x1802]]).toEqual([
      0x30, 0x5a, 0xff,
    ]);
    expect(chip.flashWrites).toBe(writes + 2);
    for (const c of ['IF', 'EX', 'FC', 'CX']) {
      const result = chip.call(fn(c), [1, 2, 3, 4]);
      expect(result.stop).toBeUndefined();
      expect(result.cycles).toBe(1);
    }
  });

  it('reset_usb_boot puts the chip in BOOTSEL with its arguments; wait_for_vector and dead ends stop it, saying why', () => {
    expect(chip.call(fn('UB'), [0x19, 0]).stop).toEqual({
      usbBoot: { gpioActivityMask: 0x19, disableInterfaceMask: 0 },
    });
    expect(chip.call(fn('WV')).stop).toEqual({
      crash: expect.stringMatching(/core 1's holding pen/) as string,
    });
    const hardFault = chip.mcu.readUint32(0x0c);
    expect(chip.call(hardFault).stop).toEqual({ crash: "the boot ROM's HardFault vector was reached" });
    const sf = chip.rom.data.SF!;
    expect(chip.call(chip.mcu.readUint32(sf + 4 * 18)).stop).toEqual({
      crash: "the boot ROM's deprecated SF table slot 18 was reached",
    });
    // An address inside the ROM where no routine starts.
    expect(chip.call(0x3ff0).stop).toEqual({
      crash: 'the written boot ROM ran at 0x3ff0, where no routine starts',
    });
  });

  it('the reset vector boots into flash (boot2 at 0x10000000) with the initial stack pointer', () => {
    const result = chip.call(chip.mcu.readUint32(0x04), [], { maxSteps: 1 });
    expect(result.pc).toBe(0x10000000);
    expect(chip.mcu.core.SP).toBe(0x20041f00);
  });

  it('debug_trampoline calls r7 and returns into debug_trampoline_end, a bkpt #0 for the debugger', () => {
    const result = chip.call(fn('DT'), [0x12345678], { r7: fn('P3') & ~1 });
    expect(result.regs[0]).toBe(reference.popcount32(0x12345678));
    expect(result.pc - 2).toBe(fn('DE') & ~1); // stopped on its bkpt
  });

  it('enable_clocks returns at its measured cost', () => {
    expect(chip.call(fn('EC')).cycles).toBe(ROM_COSTS.enableClocks);
  });
});

describe('the written boot ROM: the float tables', () => {
  const registers = () => ({ registers: new Uint32Array(16) });

  it("each slot's routine takes r0..r3 and writes its results from r0, charging its own cycles", () => {
    const [double, deprecated] = floatTableRoutines('SD', [
      { name: 'twice', run: (r) => [r[0]! * 2, r[1]! + 1], cycles: (r) => 10 + r[2]! },
      null,
    ]);
    const chip = registers();
    chip.registers.set([21, 5, 7, 0]);
    expect(double!.call(chip as never)).toBe(17);
    expect([...chip.registers.subarray(0, 3)]).toEqual([42, 6, 7]);
    expect(deprecated!.call(chip as never)).toEqual({
      cycles: 1,
      crash: "the boot ROM's deprecated SD table slot 1 was reached",
    });
  });

  it('a routine that throws stops the chip naming it', () => {
    const [broken] = floatTableRoutines('SF', [
      {
        name: 'fadd',
        run: () => {
          throw new Error('fadd: broken');
        },
        cycles: () => 0,
      },
    ]);
    const chip = registers();
    chip.registers.set([0x3f800000, 0x3f800000]);
    expect(broken!.call(chip as never)).toEqual({
      cycles: 1,
      crash: "the written boot ROM's fadd (SF slot 0) failed: fadd: broken",
    });
  });

  it('the SF and SD tables hold the routines of float-routines.mjs in slot order, by name', () => {
    const chip = hleRomChip();
    const names = (table: number, entries: readonly ({ name: string } | null)[]) =>
      entries.map((entry, slot) => [
        chip.rom.routineAt.get(chip.mcu.readUint32(table + 4 * slot) & ~1)!.name,
        entry ? entry.name : `deprecated ${table === chip.rom.data.SF ? 'SF' : 'SD'} table slot ${slot}`,
      ]);
    for (const [actual, expected] of names(chip.rom.data.SF!, SOFT_FLOAT_TABLE))
      expect(actual).toBe(expected);
    for (const [actual, expected] of names(chip.rom.data.SD!, SOFT_DOUBLE_TABLE))
      expect(actual).toBe(expected);
    expect(SOFT_FLOAT_TABLE[0]!.name).toBe('fadd');
    expect(SOFT_DOUBLE_TABLE[3]!.name).toBe('ddiv');
  });
});
