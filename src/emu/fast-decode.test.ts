import { RP2040 } from 'rp2040js';
import { describe, expect, it } from 'vitest';
import { decodeTable, installFastDecode, isWide, parseExecuteInstruction } from './fast-decode.mjs';
import { runFor } from './run-loop.mjs';

/**
 * The decoded executeInstruction must do exactly what rp2040js's does. Every 16-bit opcode (and
 * wide ones with several second halves) runs once on two chips in the same state, one with
 * rp2040js's decoder and one with the table's; the cores, their result, what they logged and the
 * memory they can reach must then be the same.
 */
const quietLog = (lines: string[]) => ({
  debug() {},
  info: (_: string, message: string) => lines.push(`info ${message}`),
  warn: (_: string, message: string) => lines.push(`warn ${message}`),
  error: (_: string, message: string) => lines.push(`error ${message}`),
});

function chip(decoded: boolean) {
  const mcu = new RP2040();
  const log: string[] = [];
  mcu.logger = quietLog(log);
  const breaks: number[] = [];
  mcu.onBreak = (code: number) => breaks.push(code);
  if (decoded) expect(installFastDecode(mcu.core)).toBeNull();
  return { mcu, log, breaks };
}

const CODE = 0x20000100;
const WINDOW = [0x20000000, 0x20002000] as const;

/** The same pseudo-random state on both chips: registers pointing into a small SRAM window. */
function setState(mcu: RP2040, opcode: number, opcode2: number, seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const core = mcu.core;
  for (let r = 0; r < 13; r++) core.registers[r] = WINDOW[0] + (next() & 0x1ffc);
  core.SP = 0x20001800;
  core.LR = (WINDOW[0] + (next() & 0x1ffe)) | 1;
  core.N = (next() & 1) === 1;
  core.Z = (next() & 1) === 1;
  core.C = (next() & 1) === 1;
  core.V = (next() & 1) === 1;
  core.waiting = false;
  mcu.writeUint16(CODE, opcode);
  mcu.writeUint16(CODE + 2, opcode2);
  core.PC = CODE;
}

function snapshot({ mcu, log, breaks }: ReturnType<typeof chip>, result: number) {
  const c = mcu.core;
  return {
    result,
    registers: [...c.registers],
    flags: [c.N, c.Z, c.C, c.V, c.PM, c.waiting, c.eventRegistered, c.IPSR, c.cycles],
    log: log.splice(0),
    breaks: breaks.splice(0),
  };
}

describe('the decoded executeInstruction', () => {
  it('takes rp2040js 1.4.1’s method apart into 83 handlers and a final else', () => {
    const source = new RP2040().core.executeInstruction.toString();
    const parsed = parseExecuteInstruction(source);
    expect(parsed.handlers).toHaveLength(83);
    expect(parsed.handlers[0]!.condition).toBe('opcode >> 6 === 0b0100000101'); // ADCS
    expect(parsed.epilogue.map((l) => l.trim())).toEqual([
      'this.cycles += deltaCycles;',
      'return deltaCycles;',
    ]);
    // Every line of the handler chain is a header, a comment, a closing brace or in a body.
    const lines = source.split('\n').slice(1, -1);
    const chain = lines.slice(parsed.prologue.length, lines.length - parsed.epilogue.length);
    const bodies = parsed.handlers.flatMap((h) => h.body).length + parsed.elseBody.length;
    const structural = chain.filter((l) => /^ {8}(\/\/|(else )?if \(opcode|else \{$|\}$)/.test(l));
    expect(structural.filter((l) => l.trim() === '}')).toHaveLength(84);
    expect(bodies + structural.length).toBe(chain.length);
  });

  it('picks, for a 16-bit opcode, the handler rp2040js’s chain picks', () => {
    const { handlers } = parseExecuteInstruction(new RP2040().core.executeInstruction.toString());
    const table = decodeTable(handlers);
    const name = (opcode: number) => table[opcode];
    expect(name(0xd0fe)).toBe(handlers.findIndex((h) => h.condition.startsWith('opcode >> 12 === 0b1101'))); // BEQ
    expect(name(0xbf30)).toBe(handlers.findIndex((h) => h.condition === 'opcode === 0b1011111100110000')); // WFI
    expect(name(0xdeff)).toBe(handlers.findIndex((h) => h.condition === 'opcode >> 8 == 0b11011110')); // UDF
    expect(isWide(0xf000)).toBe(true);
    expect(isWide(0xe7fe)).toBe(false);
  });

  it('leaves every 16-bit opcode’s effect as it was', () => {
    const plain = chip(false);
    const fast = chip(true);
    for (let opcode = 0; opcode < 0x10000; opcode++) {
      if (isWide(opcode)) continue;
      setState(plain.mcu, opcode, 0, opcode * 2654435761);
      setState(fast.mcu, opcode, 0, opcode * 2654435761);
      const expected = snapshot(plain, plain.mcu.core.executeInstruction());
      const actual = snapshot(fast, fast.mcu.core.executeInstruction());
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        expect(actual, `opcode 0x${opcode.toString(16)}`).toEqual(expected);
      }
    }
    const window = (m: RP2040) => m.sram.subarray(0, WINDOW[1] - WINDOW[0]);
    expect(Buffer.from(window(fast.mcu)).equals(Buffer.from(window(plain.mcu)))).toBe(true);
  });

  it('leaves every wide opcode’s effect as it was, for second halves of every kind', () => {
    const plain = chip(false);
    const fast = chip(true);
    const seconds = [0x0000, 0x8f4f, 0x8f5f, 0x8f6f, 0x8800, 0x8814, 0xa000, 0xd000, 0xf800, 0xffff, 0x4000];
    for (let opcode = 0xe800; opcode < 0x10000; opcode++) {
      for (const opcode2 of seconds) {
        const seed = opcode * 40503 + opcode2;
        setState(plain.mcu, opcode, opcode2, seed);
        setState(fast.mcu, opcode, opcode2, seed);
        const expected = snapshot(plain, plain.mcu.core.executeInstruction());
        const actual = snapshot(fast, fast.mcu.core.executeInstruction());
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          expect(actual, `0x${opcode.toString(16)} 0x${opcode2.toString(16)}`).toEqual(expected);
        }
      }
    }
  });

  it('runs a batch exactly as the loop runs the decoded method instruction by instruction', () => {
    // A loop of random instructions that keeps to itself: arithmetic, compares, short forward
    // branches, loads and stores through r5 (never written), multi-cycle ones, and now and then a
    // WFI, which an alarm ends; a branch back to the start closes it.
    const body = [
      0x2001, 0x3101, 0x1a52, 0x4288, 0x0049, 0x0852, 0x4048, 0x4348, 0x682b, 0x606b, 0x786b, 0x706b, 0xd100,
      0xd000, 0x4008, 0x1c4c, 0xb401, 0xbc01,
    ];
    const LENGTH = 1000; // a B reaches back 1024 halfwords
    for (let seed = 1; seed <= 4; seed++) {
      const runs = [true, false].map((batched) => {
        const c = chip(true);
        if (!batched) delete (c.mcu.core as { runBatch?: unknown }).runBatch;
        let x = seed * 7919;
        const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
        for (let i = 0; i < LENGTH; i++) {
          const r = next();
          c.mcu.writeUint16(CODE + 2 * i, r % 97 === 0 ? 0xbf30 : body[(r >>> 8) % body.length]!);
        }
        const back = (-(LENGTH + 2) >>> 0) & 0x7ff; // B to CODE from the end
        c.mcu.writeUint16(CODE + 2 * LENGTH, 0xe000 | back);
        setState(c.mcu, c.mcu.readUint16(CODE), c.mcu.readUint16(CODE + 2), seed);
        c.mcu.core.registers[5] = WINDOW[0] + 0x1000;
        const fired: number[] = [];
        const alarm = c.mcu.clock.createAlarm(() => {
          fired.push(c.mcu.clock.nanos);
          c.mcu.core.waiting = false;
          alarm.schedule(3_000 + (fired.length % 7) * 8);
        });
        alarm.schedule(1_000);
        const clock = c.mcu.clock as unknown as Parameters<typeof runFor>[0]['clock'];
        const machine = { core: c.mcu.core, clock, feedInput() {}, stopped: () => false };
        const outcomes = [runFor(machine, 100_000), runFor(machine, 100_000)];
        const sram = [...c.mcu.sram.subarray(0, WINDOW[1] - WINDOW[0])];
        return { outcomes, fired, now: c.mcu.clock.nanos, state: snapshot(c, 0), sram };
      });
      expect(runs[0]!.fired.length).toBeGreaterThan(20);
      expect(runs[0]!.state.log).toEqual([]);
      expect(runs[0]!.state.flags[8]).toBeGreaterThan(50_000); // core.cycles: instructions ran
      expect(runs[0]).toEqual(runs[1]);
    }
  });
});
