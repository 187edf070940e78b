import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceException, LinkError, ProtocolError } from '../errors.ts';
import { duplexPair } from '../link/pair.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { RawRepl } from './raw-repl.ts';
import { connect, count } from '../../test/support/raw-repl-harness.ts';

describe('RawRepl.enter', () => {
  it('sends \\r\\x03 then \\r\\x01 from the friendly prompt and reaches the raw prompt', async () => {
    const { repl, peer } = connect({ run: () => ({ stdout: '7\r\n' }) });
    await repl.enter();
    expect(peer.received.toString('latin1')).toBe('\r\x03\r\x01');
    expect((await repl.exec('print(7)')).stdout).toBe('7\r\n');
  });

  it('interrupts a running main.py and ignores its output and stale prompts before the banner', async () => {
    const { repl } = connect({
      start: 'main-running',
      mainOutput: 'tick\r\n>>> > raw REPL; CTRL-B to ex\xff\xfe\x00>',
      noiseBeforeBanner: 'garbage \x1b[0m > >>> raw REPL;',
      run: () => ({ stdout: 'ok\r\n' }),
    });
    await repl.enter();
    expect((await repl.exec('print("ok")')).stdout).toBe('ok\r\n');
  });

  it('retries within the deadline when main.py swallows the first Ctrl-C', async () => {
    const clock = new ManualClock();
    const { repl, peer } = connect(
      { start: 'main-running', interruptsToStopMain: 2, run: () => ({ stdout: '1\r\n' }) },
      { enterAttemptMs: 100, clock },
    );
    await clock.runUntil(repl.enter({ timeoutMs: 5_000 }));
    expect(count(peer.received, '\r\x03')).toBe(2);
    expect((await repl.exec('print(1)')).stdout).toBe('1\r\n');
  });

  it('copes with a board already in raw mode', async () => {
    const { repl } = connect({ start: 'raw', run: () => ({ stdout: 'raw\r\n' }) });
    await repl.enter();
    expect((await repl.exec('print("raw")')).stdout).toBe('raw\r\n');
  });

  it('never takes a banner that arrived before its Ctrl-A for the answer', async () => {
    const { repl, peer } = connect({ latencyMs: 40 });
    // A previous session's banner, still unread on the line.
    peer.sendNow('raw REPL; CTRL-B to exit\r\n>');
    const order: string[] = [];
    peer.onEvent = (event) => event === 'banner' && order.push('device sent banner');
    await repl.enter();
    order.push('enter resolved');
    expect(order).toEqual(['device sent banner', 'enter resolved']);
  });

  it('fails with the escaped tail of what the device said when no banner comes', async () => {
    const clock = new ManualClock();
    const { repl } = connect(
      { start: 'main-running', interruptsToStopMain: Infinity, mainOutput: 'busy\x07\r\n' },
      { enterAttemptMs: 80, clock },
    );
    const error = await clock.runUntil(repl.enter({ timeoutMs: 400 }).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/could not enter the raw REPL.*attempts/);
    expect((error as Error).message).toContain('main.py: caught KeyboardInterrupt, carrying on\\r\\n');
  });

  it('reports a device that says nothing at all as a link failure', async () => {
    const [host] = duplexPair(); // nothing answers on the other end
    const clock = new ManualClock();
    const mute = new RawRepl(host, { enterAttemptMs: 50, clock });
    const error = await clock.runUntil(mute.enter({ timeoutMs: 200 }).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(/sent nothing in 200 ms \(\d+ attempts/);
  });

  it('soft-resets on request and returns to an empty raw prompt', async () => {
    const { repl, peer } = connect({ bootOutput: 'boot.py here\r\n', run: () => ({ stdout: 'x\r\n' }) });
    await repl.enter({ softReset: true });
    expect(peer.events).toEqual(['banner', 'soft-reboot', 'banner']);
    expect((await repl.exec('print("x")')).stdout).toBe('x\r\n');
  });

  it('a Ctrl-D damaged on the way fails the soft reset at once, and a fresh entry soft-resets', async () => {
    const clock = new ManualClock();
    const { repl, peer } = connect({ damagedSoftResets: 1, run: () => ({ stdout: 'x\r\n' }) }, { clock });
    await clock.runUntil(repl.enter());
    const failed = repl.softReset({ timeoutMs: 20_000, handshakeMs: 500 }).catch((error: unknown) => error);
    await clock.runUntil(failed);
    expect(await failed).toBeInstanceOf(ProtocolError);
    // Given up after the handshake, not the 20 s deadline.
    expect(clock.now()).toBeLessThan(1_000);
    await clock.runUntil(repl.enter({ softReset: true }));
    expect(peer.events.filter((event) => event === 'soft-reboot')).toHaveLength(1);
    expect((await repl.exec('print("x")')).stdout).toBe('x\r\n');
  });
});

describe('RawRepl.enter with wake bytes', () => {
  const wake = Buffer.from('\x1e\x1e\n');

  it('sends them before its Ctrl-C to resynchronise after a failed operation, not to a board that answers', async () => {
    const clock = new ManualClock();
    const { repl, peer } = connect({ damagedSoftResets: 1, run: () => ({ stdout: '' }) }, { clock, wake });
    await clock.runUntil(repl.enter());
    expect(count(peer.received, '\x1e\x1e\n')).toBe(0);
    const failed = repl.softReset({ timeoutMs: 5_000, handshakeMs: 100 }).catch((error: unknown) => error);
    await clock.runUntil(failed);
    await clock.runUntil(repl.exec('pass'));
    const sent = peer.received.toString('latin1');
    expect(count(peer.received, '\x1e\x1e\n')).toBe(1);
    expect(sent.indexOf('\x1e\x1e\n')).toBeLessThan(sent.lastIndexOf('\r\x03'));
  });

  it('sends them from the second attempt of a first entry (a host died while the board read)', async () => {
    const clock = new ManualClock();
    const { repl, peer } = connect(
      { start: 'main-running', interruptsToStopMain: 2, run: () => ({ stdout: '' }) },
      { clock, wake, enterAttemptMs: 100 },
    );
    await clock.runUntil(repl.enter({ timeoutMs: 5_000 }));
    const sent = peer.received.toString('latin1');
    expect(sent.startsWith('\r\x03')).toBe(true);
    expect(count(peer.received, '\x1e\x1e\n')).toBe(1);
  });
});

describe('RawRepl output frames', () => {
  const traceback = (last: string) =>
    `Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\n${last}\r\n`;

  it('turns a traceback into a DeviceException with type, detail, traceback and stdout', async () => {
    const { repl } = connect({
      run: () => ({ stdout: 'before\r\n', stderr: traceback('ZeroDivisionError: divide by zero') }),
    });
    await repl.enter();
    const error = (await repl.exec('print("before"); 1/0').catch((e: unknown) => e)) as DeviceException;
    expect(error).toBeInstanceOf(DeviceException);
    expect(error.type).toBe('ZeroDivisionError');
    expect(error.detail).toBe('divide by zero');
    expect(error.stdout).toBe('before\r\n');
    expect(error.traceback).toBe(
      'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nZeroDivisionError: divide by zero\n',
    );
  });

  it('recognises MemoryError and KeyboardInterrupt (with its trailing space)', async () => {
    const outcomes = [
      traceback('MemoryError: memory allocation failed, allocating 400000 bytes'),
      traceback('KeyboardInterrupt: '),
    ];
    const { repl } = connect({ run: () => ({ stderr: outcomes.shift()! }) });
    await repl.enter();
    const memory = (await repl.exec('b = bytearray(400000)').catch((e: unknown) => e)) as DeviceException;
    expect(memory.isMemoryError).toBe(true);
    expect(memory.detail).toBe('memory allocation failed, allocating 400000 bytes');
    const interrupt = (await repl.exec('while True: pass').catch((e: unknown) => e)) as DeviceException;
    expect(interrupt.isKeyboardInterrupt).toBe(true);
    expect(interrupt.detail).toBe('');
  });

  it('execRaw returns the stderr part instead of throwing', async () => {
    const { repl } = connect({ run: () => ({ stdout: 'a', stderr: traceback('ValueError: bad') }) });
    await repl.enter();
    const result = await repl.execRaw('raise ValueError("bad")');
    expect(result.stdout).toBe('a');
    expect(result.stderr).toContain('ValueError: bad\r\n');
  });

  it('streams stdout to the callback while the code is still running', async () => {
    const { repl, peer } = connect({ run: () => ({ hang: true, stdout: 'tick 1\r\n' }) });
    await repl.enter();
    const seen: string[] = [];
    const result = await repl.exec('loop()', {
      onStdout: (text) => {
        seen.push(text);
        // The device only finishes once the host has shown the first line.
        if (seen.join('') === 'tick 1\r\n') peer.finishRunning('tick 2\r\n');
      },
    });
    expect(seen.join('')).toBe('tick 1\r\ntick 2\r\n');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(result.stdout).toBe('tick 1\r\ntick 2\r\n');
  });

  it('splits frames cut at arbitrary chunk boundaries, UTF-8 included', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', '€', '𝄞', '\r\n', '>', 'OK', ' ') });
    await fc.assert(
      fc.asyncProperty(
        text,
        text,
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }),
        async (out, err, cuts) => {
          const chunk = (bytes: Buffer) => {
            const pieces: Buffer[] = [];
            for (let at = 0, i = 0; at < bytes.length; i++) {
              const size = cuts[i % cuts.length]!;
              pieces.push(bytes.subarray(at, at + size));
              at += size;
            }
            return pieces;
          };
          const { repl } = connect({ chunk, run: () => ({ stdout: out, stderr: err }) });
          await repl.enter();
          const result = await repl.execRaw('go()');
          expect(result.stdout).toBe(out);
          expect(result.stderr).toBe(err);
          repl.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('notices a SystemExit soft reboot after the frame and stays in sync', async () => {
    const behaviours = [{ sysExit: true as const, stdout: 'bye\r\n' }, { stdout: 'again\r\n' }];
    const { repl } = connect({ bootOutput: 'boot\r\n', run: () => behaviours.shift()! });
    await repl.enter();
    expect(await repl.exec('import sys; print("bye"); sys.exit()')).toEqual({
      stdout: 'bye\r\n',
      stderr: '',
      pasteMode: 'raw-paste',
      softRebooted: true,
    });
    expect((await repl.exec('print("again")')).stdout).toBe('again\r\n');
  });
});

describe('RawRepl soft reset and leave', () => {
  it('returns what boot.py printed during a soft reset', async () => {
    const { repl, peer } = connect({ bootOutput: 'hello from boot.py\r\n' });
    await repl.enter();
    expect(await repl.softReset()).toBe('hello from boot.py\r\n');
    expect(peer.events).toEqual(['banner', 'soft-reboot', 'banner']);
  });

  it('leaves with Ctrl-B, returns the banner, and refuses to exec until entered again', async () => {
    const { repl, peer } = connect();
    await repl.enter();
    expect(await repl.leave()).toBe(
      'MicroPython v1.28.0 on 2026-04-06; Raspberry Pi Pico with RP2040\nType "help()" for more information.',
    );
    expect(peer.received.at(-1)).toBe(0x02);
    await expect(repl.exec('print(1)')).rejects.toThrow(/friendly REPL/);
    await repl.enter();
    await repl.exec('pass');
  });

  it('refuses to exec before enter()', async () => {
    const { repl } = connect();
    await expect(repl.exec('pass')).rejects.toThrow(/call enter\(\) first/);
  });
});
