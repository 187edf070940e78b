import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readUf2File } from '../../src/firmware/firmware-info.ts';
import { verifyBootrom } from '../../src/firmware/bootrom.ts';
import { EmulatedRp2040 } from '../../src/emu/rp2040-emu.ts';
import { romSandbox } from '../../src/emu/hle-rom/rom-sandbox.mjs';
import { RawRepl } from '../../src/repl/raw-repl.ts';
import { BOOTROM, FIRMWARE } from '../support/firmware-images.ts';
import { hleRomChip } from '../support/hle-rom-chip.ts';

/**
 * picogc's written boot ROM against real things: a stock MicroPython image boots on it to its REPL
 * (needs only PICOGC_TEST_FIRMWARE: no ROM is read), and its routines give what a real B1 ROM's
 * routines give, at the same cycles on rp2040js (needs PICOGC_TEST_BOOTROM). Skipped, saying so,
 * without them.
 */

const NO_FIRMWARE = !FIRMWARE;
const NO_ROM = !BOOTROM;
const FIRMWARE_SKIP = NO_FIRMWARE ? ' [skipped: set PICOGC_TEST_FIRMWARE to a MicroPython RP2040 UF2]' : '';
const ROM_SKIP = NO_ROM ? ' [skipped: set PICOGC_TEST_BOOTROM to a boot ROM read with picogc bootrom]' : '';

describe(`a stock MicroPython image on the written boot ROM${FIRMWARE_SKIP}`, () => {
  it.skipIf(NO_FIRMWARE)(
    'boots to its REPL, runs code, and keeps a file in flash (erase/program through the ROM routines)',
    async () => {
      const emulator = await EmulatedRp2040.start({
        image: await readUf2File(FIRMWARE!, { family: 'rp2040' }),
        rom: { kind: 'hle' },
      });
      const repl = new RawRepl(emulator.link);
      try {
        await repl.enter({ timeoutMs: 60_000 });
        // Integers and strings only: the float routines are written elsewhere (float-routines.mjs).
        const { stdout } = await repl.exec(
          "import os\nprint(6*7)\nf = open('hle.txt', 'w')\nf.write('written ROM')\nf.close()\nprint(open('hle.txt').read())\nprint(os.uname().machine)",
          { timeoutMs: 60_000 },
        );
        expect(stdout.split('\r\n').slice(0, 2)).toEqual(['42', 'written ROM']);
        expect(stdout).toMatch(/RP2040/);
      } finally {
        repl.close();
        await emulator.close();
      }
    },
    120_000,
  );
});

describe(`machine.bootloader() on the written boot ROM${FIRMWARE_SKIP}`, () => {
  it.skipIf(NO_FIRMWARE)(
    'reset_usb_boot takes the chip to BOOTSEL: its USB serial port goes, and the host is told why',
    async () => {
      const lines: string[] = [];
      const emulator = await EmulatedRp2040.start({
        image: await readUf2File(FIRMWARE!, { family: 'rp2040' }),
        rom: { kind: 'hle' },
        log: (line) => lines.push(line),
      });
      const repl = new RawRepl(emulator.link);
      try {
        await repl.enter({ timeoutMs: 60_000 });
        const closed = new Promise<void>((resolve) => emulator.link.once('end', () => resolve()));
        await repl.exec('import machine\nmachine.bootloader()', { timeoutMs: 60_000 }).catch(() => undefined);
        await closed;
        expect(lines).toContain(
          'emulated RP2040: reset_usb_boot, now in BOOTSEL mode: its USB serial port is gone',
        );
      } finally {
        repl.close();
        await emulator.close();
      }
    },
    120_000,
  );
});

describe(`the written boot ROM's routines against a real B1 ROM's, on rp2040js${ROM_SKIP}`, () => {
  const setUp = () => {
    const rom = new Uint8Array(readFileSync(BOOTROM!));
    const facts = verifyBootrom(rom, BOOTROM);
    return { real: romSandbox(rom), written: hleRomChip(), facts, rom };
  };

  function words(count: number): number[] {
    let state = 99;
    const edge = [0, 1, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];
    return [
      ...edge,
      ...Array.from({ length: count }, () => (state = (Math.imul(state, 22695477) + 1) >>> 0)),
    ];
  }

  it.skipIf(NO_ROM)('bit routines: same result and the same cycles for every input tried', () => {
    const { real, written, facts } = setUp();
    expect(facts.version).toBe('B1');
    for (const code of ['P3', 'R3', 'L3', 'T3']) {
      for (const x of words(2000)) {
        const r = real.call(facts.functions[code]!, [x]);
        const w = written.call(written.rom.functions[code]!, [x]);
        expect([code, x, w.regs[0], w.cycles]).toEqual([code, x, r.regs[0], r.cycles]);
      }
    }
  });

  it.skipIf(NO_ROM)(
    'memory routines: the same bytes and return value, and the same cycles, for sizes and alignments',
    () => {
      const { real, written, facts } = setUp();
      const DST = 0x2000_3000;
      const SRC = 0x2000_9000;
      const sizes = [...Array(70).keys(), 100, 255, 256, 1000, 4097];
      const pattern = (chip: { writeUint8(a: number, v: number): void }, at: number, n: number) => {
        for (let i = 0; i < n; i++) chip.writeUint8(at + i, (i * 29 + 7) & 0xff);
      };
      const window = (sram: Uint8Array, at: number, n: number) =>
        Buffer.from(sram.subarray(at - 0x2000_0000 - 4, at - 0x2000_0000 + n + 4)).toString('hex');
      const cases: [string, number, number][] = [];
      for (const d of [0, 1, 2, 3]) {
        cases.push(['MS', d, 0]);
        for (const s of [0, 1, 2, 3]) cases.push(['MC', d, s]);
      }
      cases.push(['S4', 0, 0], ['C4', 0, 0]);
      for (const [code, d, s] of cases) {
        for (const n of sizes) {
          const args = code === 'MS' || code === 'S4' ? [DST + d, 0xc3, n] : [DST + d, SRC + s, n];
          for (const chip of [real.mcu, written.mcu]) {
            pattern(chip, DST - 8, n + 16);
            pattern(chip, SRC + s, n);
          }
          const r = real.call(facts.functions[code]!, args);
          const w = written.call(written.rom.functions[code]!, args);
          expect([code, d, s, n, w.regs[0], w.cycles]).toEqual([code, d, s, n, r.regs[0], r.cycles]);
          expect(window(written.mcu.sram, DST + d, n)).toBe(window(real.mcu.sram, DST + d, n));
        }
      }
    },
  );

  it.skipIf(NO_ROM)('rom_table_lookup and enable_clocks: same answers and cycles on both tables', () => {
    const { real, written, facts, rom } = setUp();
    const view = new DataView(rom.buffer, rom.byteOffset, rom.byteLength);
    const codes = Object.keys(facts.functions);
    for (const [label, realTable, writtenTable] of [
      ['functions', view.getUint16(0x14, true), written.mcu.readUint16(0x14)],
      ['data', view.getUint16(0x16, true), written.mcu.readUint16(0x16)],
    ] as const) {
      const tableCodes =
        label === 'functions' ? codes : ['GR', 'CR', 'SF', 'SD', 'FZ', 'FS', 'FE', 'DS', 'DE'];
      for (const c of [...tableCodes, 'zz']) {
        const code = c.charCodeAt(0) | (c.charCodeAt(1) << 8);
        const r = real.call(view.getUint16(0x18, true), [realTable, code]);
        const w = written.call(written.mcu.readUint16(0x18), [writtenTable, code]);
        expect([label, c, w.cycles, w.regs[0] === 0]).toEqual([label, c, r.cycles, r.regs[0] === 0]);
      }
    }
    const r = real.call(facts.functions.EC!);
    expect(written.call(written.rom.functions.EC!).cycles).toBe(r.cycles);
  });
});
