import { describe, expect, it } from 'vitest';
import { DeviceException, TimeoutError } from '../errors.ts';
import { duplexPair } from '../link/pair.ts';
import { loadTranscript, type TranscriptName } from '../../test/support/fixtures.ts';
import { TranscriptPeer } from '../../test/support/scripted-peer.ts';
import { RawRepl } from './raw-repl.ts';

/**
 * The client against real MicroPython v1.28.0 output: a peer replays the device side of each
 * capture and fails on the first host byte that differs from what the real host sent.
 */
function replay(name: TranscriptName) {
  const [host, board] = duplexPair();
  const exchanges = loadTranscript(name);
  const peer = new TranscriptPeer(board, exchanges);
  const repl = new RawRepl(host);
  const expectHostBytesMatched = () => {
    expect(peer.mismatch).toBeUndefined();
    expect(peer.finished).toBe(true);
  };
  return { repl, peer, exchanges, expectHostBytesMatched };
}

const BANNER =
  'MicroPython v1.28.0 on 2026-04-06; Raspberry Pi Pico with RP2040\nType "help()" for more information.';

describe('the client against the rp2 v1.28.0 transcripts', () => {
  it('raw-repl-classic: enter, classic execs, an exception, leave', async () => {
    const { repl, expectHostBytesMatched } = replay('raw-repl-classic');
    await repl.enter();
    expect(await repl.exec('print(6*7)', { forceClassic: true })).toEqual({
      stdout: '42\r\n',
      stderr: '',
      pasteMode: 'classic',
    });
    const error = (await repl
      .exec('1/0', { forceClassic: true })
      .catch((e: unknown) => e)) as DeviceException;
    expect(error).toBeInstanceOf(DeviceException);
    expect([error.type, error.detail]).toEqual(['ZeroDivisionError', 'divide by zero']);
    const info = await repl.exec('import micropython\nmicropython.mem_info()', { forceClassic: true });
    expect(info.stdout).toContain('GC: total: 245888, used: 9312, free: 236576\r\n');
    expect(await repl.leave()).toBe(BANNER);
    expectHostBytesMatched();
  });

  it('raw-paste: the 4 KiB script goes out under the 128-byte window with its refills', async () => {
    const { repl, peer, exchanges, expectHostBytesMatched } = replay('raw-paste');
    const allHost = Buffer.concat(exchanges.map((e) => e.host)).toString('latin1');
    const code = allHost.slice(allHost.indexOf('\x05A\x01') + 3, allHost.lastIndexOf('\x04'));
    expect(code.length).toBeGreaterThan(4000);

    await repl.enter();
    const result = await repl.exec(code);
    expect(result).toEqual({ stdout: 'x = 580\r\n', stderr: '', pasteMode: 'raw-paste' });
    expect(repl.pasteMode).toBe('raw-paste');
    expect(await repl.leave()).toBe(BANNER);
    expectHostBytesMatched();

    // Walk both directions in the order they happened: code bytes never exceed the windows the
    // device had granted (`R\x01` + size grants one, each `\x01` one more).
    let credit = 0;
    let pasting = false;
    let lowest = Infinity;
    for (const { dir, bytes } of peer.log) {
      for (const byte of bytes) {
        if (dir === 'device' && pasting && byte === 0x01) credit += 128;
        if (dir === 'host' && pasting) {
          if (byte === 0x04) pasting = false;
          else lowest = Math.min(lowest, --credit);
        }
      }
      if (dir === 'device' && bytes.toString('latin1') === 'R\x01\x80\x00\x01') {
        pasting = true;
        credit = 2 * 128;
      }
    }
    expect(lowest).toBeGreaterThanOrEqual(0);
  });

  it('soft-reset: Ctrl-D at the raw prompt, OK, soft reboot, banner', async () => {
    const { repl, expectHostBytesMatched } = replay('soft-reset');
    await repl.enter();
    expect(await repl.softReset()).toBe('');
    expect(await repl.leave()).toBe(BANNER);
    expectHostBytesMatched();
  });

  it('interrupt: a timed-out exec is stopped with Ctrl-C and the session stays usable', async () => {
    const { repl, expectHostBytesMatched } = replay('interrupt');
    await repl.enter();
    const error = await repl
      .exec('while True:\n  pass\n', { forceClassic: true, timeoutMs: 150 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('KeyboardInterrupt: \\r\\n');
    expect(await repl.leave()).toBe(BANNER);
    expectHostBytesMatched();
  });

  it('memory-error: MemoryError is typed, and the heap map after it arrives whole', async () => {
    const { repl, expectHostBytesMatched } = replay('memory-error');
    await repl.enter();
    const error = (await repl
      .exec('b = bytearray(400000)', { forceClassic: true })
      .catch((e: unknown) => e)) as DeviceException;
    expect(error.isMemoryError).toBe(true);
    expect(error.detail).toBe('memory allocation failed, allocating 400000 bytes');
    const map = await repl.exec('import micropython\nmicropython.mem_info(1)', { forceClassic: true });
    expect(map.stdout).toContain('GC memory layout; from 20003f80:\r\n');
    expect(map.stdout.endsWith('0003c000: ........\r\n')).toBe(true);
    expect(await repl.leave()).toBe(BANNER);
    expectHostBytesMatched();
  });
});
