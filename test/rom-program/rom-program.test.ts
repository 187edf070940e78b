import { readFileSync } from 'node:fs';
import type { RP2040 } from 'rp2040js';
import { beforeAll, describe, expect, it } from 'vitest';
import { BOOTROM } from '../support/firmware-images.ts';
import { HLE_TRAP, buildHleRom, installHleRom } from '../../src/emu/hle-rom/hle-rom.mjs';
import { SOFT_DOUBLE_TABLE, SOFT_FLOAT_TABLE } from '../../src/emu/hle-rom/float-routines.mjs';
import { romSandbox } from '../../src/emu/hle-rom/rom-sandbox.mjs';
import { RealRom } from '../support/real-rom.ts';
import { titled, toolStatus } from '../support/system-tools.ts';
import { ARM_GCC, ARM_OBJCOPY, buildRomTestProgram } from './build.ts';
import { parseProgramOutput, type ProgramCall } from './parse.ts';
import { expected, expectedBits, expectedMemory } from './reference.ts';
import { runProgram, type InstallRom } from './run-program.ts';

/**
 * The ROM test program (start.S, rom-test.c), built here with Debian's arm-none-eabi-gcc, calls
 * every ROM routine through the ROM's lookup tables and prints the results; this checks them
 * against the host. The ROM is injected (`InstallRom`): picogc's written one (always), and the real
 * one where PICOGC_TEST_BOOTROM names it.
 */
const gcc = toolStatus(ARM_GCC);
const objcopy = toolStatus(ARM_OBJCOPY);
const toolchain = gcc.available ? objcopy : gcc;
const NO_ROM = !BOOTROM;
/** An empty routine's address, in SRAM away from the program's and the sandbox's stubs. */
const EMPTY_ROUTINE = 0x20040100;

const realRom = (): InstallRom => {
  const bytes = new Uint8Array(readFileSync(BOOTROM!));
  return (mcu) => mcu.loadBootrom(new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2));
};

/** picogc's written ROM (src/emu/hle-rom), its traps answered as the emulator's thread answers them. */
const writtenRom = (): InstallRom => (mcu) => {
  const { traps } = installHleRom(mcu);
  mcu.onBreak = (code: number) => {
    if (code !== HLE_TRAP) throw new Error(`BKPT ${code} outside the written ROM's stubs`);
    const stop = traps.handle();
    if (stop) throw new Error(`the written ROM stopped the chip: ${JSON.stringify(stop)}`);
  };
};

/**
 * Another ROM with one soft-float / soft-double slot redirected to `run` (a BKPT stub in SRAM4 the
 * host answers): how a deliberately wrong routine is injected.
 */
function withTrappedSlot(
  base: InstallRom,
  table: 'SF' | 'SD',
  index: number,
  run: (r: number[]) => number[],
): InstallRom {
  const STUB = 0x20040000;
  const TRAP = 0x40;
  return (mcu: RP2040) => {
    base(mcu);
    const code = table.charCodeAt(0) | (table.charCodeAt(1) << 8);
    let entry = mcu.readUint16(0x16);
    while (mcu.readUint16(entry) !== code) entry += 4;
    mcu.writeUint32(mcu.readUint16(entry + 2) + 4 * index, STUB | 1);
    mcu.writeUint16(STUB, 0xbe00 | TRAP);
    const chained = mcu.onBreak;
    mcu.onBreak = (imm: number) => {
      if (imm !== TRAP) return chained(imm);
      const regs = mcu.core.registers;
      run([0, 1, 2, 3].map((i) => regs[i]! >>> 0)).forEach((v, i) => (regs[i] = v >>> 0));
      mcu.core.PC = mcu.core.LR & ~1;
    };
  };
}

interface Failure {
  call: string;
  want: string;
}

/** Every line the host can compute, checked; the failures listed. */
function check(calls: ProgramCall[]): { checked: number; failures: Failure[] } {
  const failures: Failure[] = [];
  let checked = 0;
  const hex = (w: number[]) => w.map((v) => (v >>> 0).toString(16).padStart(8, '0')).join(':');
  for (const c of calls) {
    let want: number[] | null;
    let got = c.result;
    if (c.tag === 'B') {
      want = [expectedBits(c.index, c.args[0]!)];
      got = c.result.slice(0, 1);
    } else if (c.tag === 'M') {
      want = [c.args[0]!, ...expectedMemory(c.index, c.args, c.source ?? [])];
      got = [c.result[0]!, ...(c.buffer ?? [])];
    } else {
      want = expected(c.tag, c.index, c.args);
      if (want) got = c.result.slice(0, want.length);
    }
    if (!want) continue;
    checked++;
    if (hex(want) !== hex(got))
      failures.push({ call: `${c.tag} ${c.index} ${hex(c.args)} → ${hex(got)}`, want: hex(want) });
  }
  return { checked, failures };
}

/**
 * The program on one ROM: it runs to its end with every result the host can compute matching,
 * each call is charged the cycles `declared` says the routine takes, and a wrong fadd fails it.
 */
function romProgramSuite(
  rom: string,
  skipReason: string | null,
  install: () => InstallRom,
  declared: () => (table: 'SF' | 'SD', index: number, args: readonly number[]) => number,
  emptyRoutineCycles: () => number,
): void {
  describe.skipIf(!toolchain.available || skipReason !== null)(
    titled(`the ROM test program on ${rom}${skipReason ?? ''}`, toolchain),
    () => {
      let image: Uint8Array;
      beforeAll(() => {
        image = buildRomTestProgram();
      });

      it('runs to its end, and every result the host can compute matches it bit for bit', () => {
        const run = runProgram(image, install());
        expect(run.end).toBe('done');
        const out = parseProgramOutput(run.lines);
        expect(out.done).toBe(true);
        // 29 routines in each float table × 24 vectors, 4 bit routines × 12, 4 memory routines × 6.
        expect(out.calls.filter((c) => c.tag === 'SF' || c.tag === 'SD')).toHaveLength(2 * 29 * 24);
        expect(out.calls.filter((c) => c.tag === 'B')).toHaveLength(48);
        expect(out.calls.filter((c) => c.tag === 'M')).toHaveLength(24);
        const { checked, failures } = check(out.calls);
        expect(failures).toEqual([]);
        // The host computes 15 slots of each table (arithmetic, compare, 32-bit conversions) + bits + memory.
        expect(checked).toBe(2 * 15 * 24 + 48 + 24);
      });

      it("charges each call the cycles the routine takes (SysTick around the call, the trampoline's own taken off)", () => {
        const out = parseProgramOutput(runProgram(image, install()).lines);
        const cyclesOf = declared();
        // The trampoline's overhead was measured around an empty routine, one `bx lr`.
        const bx = emptyRoutineCycles();
        const wrong: string[] = [];
        for (const c of out.calls.filter((call) => call.tag === 'SF' || call.tag === 'SD')) {
          const want = cyclesOf(c.tag as 'SF' | 'SD', c.index, c.args);
          if (c.cycles - out.overhead + bx !== want)
            wrong.push(`${c.tag} ${c.index}: ${c.cycles - out.overhead + bx} vs ${want}`);
        }
        expect(wrong).toEqual([]);
      });

      it('fails when one routine is wrong: fadd rounding toward zero', () => {
        const view = new DataView(new ArrayBuffer(8));
        const towardZero = (r: number[]) => {
          view.setUint32(0, r[0]!);
          const a = view.getFloat32(0);
          view.setUint32(0, r[1]!);
          const exact = a + view.getFloat32(0); // exact in a double for most operands
          view.setFloat32(0, exact);
          const rounded = view.getFloat32(0);
          const bits = view.getUint32(0);
          // Rounded away from zero → step one ulp back toward zero.
          return [Math.abs(rounded) > Math.abs(exact) ? bits - 1 : bits];
        };
        const run = runProgram(image, withTrappedSlot(install(), 'SF', 0, towardZero));
        expect(run.end).toBe('done');
        const { failures } = check(parseProgramOutput(run.lines).calls);
        expect(failures.length).toBeGreaterThan(0);
        expect(failures.every((f) => f.call.startsWith('SF 0 '))).toBe(true);
      });
    },
  );
}

/** The cycles of one `bx lr` on rp2040js, run on a chip with `rom` (any ROM: the routine is in SRAM). */
function bxCycles(rom: Uint8Array): number {
  const sandbox = romSandbox(rom);
  sandbox.mcu.writeUint16(EMPTY_ROUTINE, 0x4770);
  return sandbox.call(EMPTY_ROUTINE, []).cycles;
}

romProgramSuite(
  'the real ROM',
  NO_ROM ? ' [skipped: set PICOGC_TEST_BOOTROM to a boot ROM read with picogc bootrom]' : null,
  realRom,
  () => {
    const rom = RealRom.fromFile(BOOTROM!);
    return (table, index, args) => rom.call(rom.entry(table, index), args).cycles;
  },
  () => bxCycles(new Uint8Array(readFileSync(BOOTROM!))),
);

// No ROM file needed: this is the one CI runs.
romProgramSuite(
  "picogc's written ROM",
  null,
  writtenRom,
  () => (table, index, args) => (table === 'SF' ? SOFT_FLOAT_TABLE : SOFT_DOUBLE_TABLE)[index]!.cycles(args),
  () => bxCycles(buildHleRom().image),
);
