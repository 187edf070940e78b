import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { BootromError, BOOTROM_SIZE, verifyBootrom } from '../../src/firmware/bootrom.ts';
import { adler32, readBootrom } from '../../src/flash/read-bootrom.ts';
import { ProtocolError } from '../../src/errors.ts';
import { duplexPair } from '../../src/link/pair.ts';
import { RawRepl } from '../../src/repl/raw-repl.ts';
import { servePty, type PtyServer } from '../../src/sim/pty.ts';
import { ScriptedDevice, type ExecBehaviour } from '../support/scripted-peer.ts';

/**
 * A ROM-shaped 16 KiB image (not Raspberry Pi's ROM: pseudo-random filler with the header and
 * function table the checks read), so the tests know every byte the board should send.
 */
function syntheticRom(seed = 7): Uint8Array {
  const rom = new Uint8Array(BOOTROM_SIZE);
  let state = seed;
  for (let i = 0; i < rom.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    rom[i] = state >>> 24;
  }
  const view = new DataView(rom.buffer);
  view.setUint32(0, 0x20041f00, true); // initial SP
  view.setUint32(4, 0x000000ef, true); // reset vector (Thumb)
  rom.set([0x4d, 0x75, 0x01, 0x02], 0x10); // "Mu", 1, version B1
  view.setUint16(0x14, 0x7a, true); // function table
  view.setUint16(0x16, 0xc8, true); // data table
  view.setUint16(0x18, 0x1d, true); // rom_table_lookup
  const table: [string, number][] = [
    ['P3', 0x2d9],
    ['IF', 0x24a1],
    ['EX', 0x23f5],
    ['RE', 0x237d],
    ['RP', 0x23c5],
    ['FC', 0x2361],
    ['CX', 0x2331],
  ];
  table.forEach(([code, address], i) => {
    view.setUint16(0x7a + 4 * i, code.charCodeAt(0) | (code.charCodeAt(1) << 8), true);
    view.setUint16(0x7a + 4 * i + 2, address, true);
  });
  view.setUint16(0x7a + 4 * table.length, 0, true);
  return rom;
}

interface PeerFaults {
  /** Chunk addresses whose first answer has one hex digit changed (Adler-32 no longer matches). */
  corruptOnce?: Set<number>;
  /** Chunk addresses whose first answer stops short. */
  shortOnce?: Set<number>;
  /** Chunk addresses that are always damaged. */
  alwaysCorrupt?: Set<number>;
}

/** The board's side: a scripted rp2 REPL serving `rom` to `_picogc_rom(addr, n)`; no Python runs. */
function scriptedBoard(rom: Uint8Array, faults: PeerFaults = {}) {
  const [host, device] = duplexPair();
  const reads: number[] = [];
  const run = (code: string): ExecBehaviour => {
    if (code.includes('def _picogc_rom(')) {
      expect(code).toContain('_picogc_mem32 = machine.mem32');
      return {};
    }
    const call = /^_picogc_rom\((\d+), (\d+)\)$/.exec(code);
    if (!call) return { stderr: `NameError: name '${code}' isn't defined\r\n` };
    const addr = Number(call[1]);
    const len = Number(call[2]);
    const first = !reads.includes(addr);
    reads.push(addr);
    const bytes = rom.subarray(addr, addr + len);
    let hex = Buffer.from(bytes).toString('hex');
    const sum = adler32(bytes);
    if ((first && faults.corruptOnce?.has(addr)) || faults.alwaysCorrupt?.has(addr)) {
      hex = hex.slice(0, 100) + (hex[100] === '0' ? '1' : '0') + hex.slice(101);
    }
    if (first && faults.shortOnce?.has(addr)) hex = hex.slice(0, hex.length - 64);
    return {
      stdout: `@picogc {"kind": "rom", "addr": ${addr}, "len": ${len}, "adler32": ${sum}, "hex": "${hex}"}\r\n`,
    };
  };
  const board = new ScriptedDevice(device, { run, start: 'raw' });
  const repl = new RawRepl(host);
  return { board, repl, reads };
}

describe('readBootrom against a scripted board serving a known 16 KiB image', () => {
  it('reads it in chunks, byte for byte, and reads the facts from it', async () => {
    const rom = syntheticRom();
    const { repl, reads } = scriptedBoard(rom);
    await repl.enter();
    const result = await readBootrom(repl, { chunkBytes: 2048 });
    expect(reads).toEqual([0, 2048, 4096, 6144, 8192, 10240, 12288, 14336]);
    expect(Buffer.from(result.rom).equals(Buffer.from(rom))).toBe(true);
    expect(result.rereads).toEqual([]);
    expect(result.facts).toMatchObject({
      sha256: createHash('sha256').update(rom).digest('hex'),
      version: 'B1',
      initialStackPointer: 0x20041f00,
      resetVector: 0xef,
    });
    expect(result.facts.functions).toMatchObject({ RE: 0x237d, RP: 0x23c5, CX: 0x2331 });
  });

  it('detects a corrupted chunk and a short read, and reads just those again', async () => {
    const rom = syntheticRom(11);
    const { repl, reads } = scriptedBoard(rom, { corruptOnce: new Set([5120]), shortOnce: new Set([7168]) });
    await repl.enter();
    const result = await readBootrom(repl, { chunkBytes: 1024 });
    expect(Buffer.from(result.rom).equals(Buffer.from(rom))).toBe(true);
    expect(result.rereads).toEqual([
      { addr: 5120, reason: expect.stringMatching(/^Adler-32 \d+ on the host, \d+ on the board$/) as string },
      { addr: 7168, reason: 'short read: 992 of 1024 bytes' },
    ]);
    expect(reads.filter((a) => a === 5120)).toHaveLength(2);
    expect(reads.filter((a) => a === 7168)).toHaveLength(2);
    expect(reads).toHaveLength(16 + 2);
  });

  it('gives up on a chunk that stays damaged, naming it', async () => {
    const { repl } = scriptedBoard(syntheticRom(), { alwaysCorrupt: new Set([4096]) });
    await repl.enter();
    const error = await readBootrom(repl, { chunkBytes: 4096, retries: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(/^boot ROM chunk 0x1000\.\.0x2000 arrived damaged 3 times/);
  });

  it('refuses what the board sent when it is not a boot ROM', async () => {
    const rom = syntheticRom();
    rom[0x11] = 0x00; // magic broken
    const { repl } = scriptedBoard(rom);
    await repl.enter();
    await expect(readBootrom(repl, { chunkBytes: 4096 })).rejects.toThrow(
      /no boot ROM magic "Mu\\x01" at 0x10/,
    );
  });
});

describe('verifyBootrom', () => {
  it.each([
    ['a short file', (rom: Uint8Array) => rom.subarray(0, 8192), /8192 bytes; an RP2040 boot ROM is 16384/],
    ['a bad version byte', (rom: Uint8Array) => (rom.set([9], 0x13), rom), /version byte 9/],
    ['an even reset vector', (rom: Uint8Array) => (rom.set([0xee], 4), rom), /reset vector 0xee/],
    [
      'no flash routine in the table',
      (rom: Uint8Array) => (rom.set([0x58, 0x58], 0x7a + 12), rom), // "RE" renamed "XX"
      /has no "RE"/,
    ],
  ])('rejects %s with a BootromError (exit 2)', (_label, damage, message) => {
    const error = (() => {
      try {
        verifyBootrom(damage(syntheticRom()), 'rom.bin');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BootromError);
    expect((error as BootromError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
  });
});

describe('picogc bootrom', () => {
  let server: PtyServer | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  it('exits 3 on a board without machine.mem32 (the virtual Pico), writing nothing', async () => {
    server = await servePty({ seed: 31 });
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    const out = `${server.path}.rom`;
    const code = await main(['bootrom', '--port', server.path, '--out', out]);
    vi.restoreAllMocks();
    expect(code).toBe(3);
    expect(stderr).toMatch(
      /^picogc: ProtocolError: the board cannot read its boot ROM \(.*mem32.*\): is it a Pico/,
    );
    const { existsSync } = await import('node:fs');
    expect(existsSync(out)).toBe(false);
  });
});
