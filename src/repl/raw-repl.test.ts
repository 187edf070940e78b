import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceException, InputError, LinkError, ProtocolError, TimeoutError } from '../errors.ts';
import { duplexPair } from '../link/pair.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { ScriptedDevice, type ScriptedDeviceOptions } from '../../test/support/scripted-peer.ts';
import { RawRepl, type RawReplOptions } from './raw-repl.ts';

function connect(device: ScriptedDeviceOptions = {}, client: RawReplOptions = {}) {
  const [host, board] = duplexPair();
  const peer = new ScriptedDevice(board, device);
  const repl = new RawRepl(host, { classicChunkPauseMs: 0, ...client });
  return { repl, peer, host, board };
}

function count(haystack: Buffer, needle: string): number {
  let n = 0;
  for (
    let at = haystack.indexOf(needle, 0, 'latin1');
    at >= 0;
    at = haystack.indexOf(needle, at + 1, 'latin1')
  )
    n++;
  return n;
}

const script = (bytes: number) => {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `x_${i} = ${i} * 2  # é\n`;
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return lines.join('');
};

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
});

describe('RawRepl.exec in raw-paste mode', () => {
  it('keeps within the window, refills on \\x01 and ends with \\x04 and its echo', async () => {
    const code = script(3_000);
    const { repl, peer } = connect({ windowSize: 32, run: () => ({ stdout: 'done\r\n' }) });
    await repl.enter();
    const result = await repl.exec(code);
    expect(result).toEqual({ stdout: 'done\r\n', stderr: '', pasteMode: 'raw-paste' });
    expect(peer.execs).toEqual([{ code, mode: 'raw-paste' }]);
    expect(peer.flowViolations).toBe(0);
    expect(peer.events.filter((e) => e === 'grant').length).toBe(Math.floor(Buffer.byteLength(code) / 32));
    expect(repl.pasteMode).toBe('raw-paste');
  });

  it('uses the window even when every grant arrives late', async () => {
    const code = script(1_000);
    const { repl, peer } = connect({ windowSize: 64, latencyMs: 2 });
    await repl.enter();
    await repl.exec(code);
    expect(peer.flowViolations).toBe(0);
    expect(peer.execs[0]!.code).toBe(code);
  });

  it('falls back to classic mode when the device refuses with R\\x00, and after three refusals stops asking', async () => {
    const { repl, peer } = connect({
      rawPaste: 'refused',
      run: (code) => ({ stdout: `${code.length}\r\n` }),
    });
    await repl.enter();
    const first = await repl.exec('print(1)');
    expect(first).toEqual({ stdout: '8\r\n', stderr: '', pasteMode: 'classic' });
    // One refusal may be a request damaged on the way: undecided, raw-paste is asked for again, twice more.
    expect(repl.pasteMode).toBeUndefined();
    await repl.exec('print(22)');
    await repl.exec('print(333)');
    expect(repl.pasteMode).toBe('classic');
    await repl.exec('print(4444)');
    expect(count(peer.received, '\x05A\x01')).toBe(3);
    expect(peer.execs.map((e) => e.mode)).toEqual(['classic', 'classic', 'classic', 'classic']);
  });

  it('falls back to classic mode on firmware that prints the raw banner instead', async () => {
    const { repl, peer } = connect({ rawPaste: 'old-firmware', run: () => ({ stdout: 'old\r\n' }) });
    await repl.enter();
    const result = await repl.exec('print("old")');
    expect(result.pasteMode).toBe('classic');
    expect(result.stdout).toBe('old\r\n');
    for (let i = 0; i < 3; i++) await repl.exec('pass');
    expect(repl.pasteMode).toBe('classic');
    expect(count(peer.received, '\x05A\x01')).toBe(3);
  });

  it('stops sending at an abrupt \\x04, answers \\x04, and reports the SyntaxError', async () => {
    const code = script(2_000);
    const { repl, peer } = connect({ abortPasteAfter: 100, run: () => ({ stdout: 'next\r\n' }) });
    await repl.enter();
    const error = await repl.exec(code).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceException);
    expect((error as DeviceException).type).toBe('SyntaxError');
    // Sent: the request, at most the 2 windows in flight when it stopped, then one \x04.
    const afterRequest = peer.received.subarray(peer.received.indexOf('\x05A\x01') + 3);
    expect(afterRequest.length).toBeLessThanOrEqual(2 * 128 + 1);
    expect(afterRequest.at(-1)).toBe(0x04);
    expect((await repl.exec('print("next")')).stdout).toBe('next\r\n');
  });

  it('sends classic chunks of 256 bytes when forced, without changing the remembered mode', async () => {
    const code = script(1_000);
    const { repl, peer } = connect({ run: () => ({ stdout: '' }) });
    await repl.enter();
    await repl.exec('pass');
    const result = await repl.exec(code, { forceClassic: true });
    expect(result.pasteMode).toBe('classic');
    expect(peer.execs[1]).toEqual({ code, mode: 'classic' });
    expect(repl.pasteMode).toBe('raw-paste');
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

describe('RawRepl timeouts and failures', () => {
  it('interrupts with Ctrl-C on timeout, reports the step and tail, and stays in sync', async () => {
    const behaviours = [{ hang: true as const, stdout: 'working\r\n' }, { stdout: 'fine\r\n' }];
    const clock = new ManualClock();
    const { repl, peer } = connect({ run: () => behaviours.shift()! }, { clock });
    await clock.runUntil(repl.enter());
    const seen: string[] = [];
    const running = repl
      .exec('while True: pass', { timeoutMs: 150, onStdout: (t) => seen.push(t) })
      .catch((e: unknown) => e);
    await clock.advanceAsync(149);
    expect(peer.received.toString('latin1')).not.toMatch(/\x03$/);
    const error = await clock.runUntil(running);
    expect(error).toBeInstanceOf(TimeoutError);
    const message = (error as TimeoutError).message;
    expect(message).toContain('exec: waiting for the output frame');
    expect(message).toMatch(/150 ms elapsed; interrupted with Ctrl-C\) timed out after 150 ms/);
    expect(message).toContain('KeyboardInterrupt: \\r\\n\\u0004>');
    expect(seen.join('')).toBe('working\r\n');
    expect(peer.received.toString('latin1')).toMatch(/\x04\x03$/);
    // In sync: the next exec needs no second entry into raw mode.
    expect((await clock.runUntil(repl.exec('print("fine")'))).stdout).toBe('fine\r\n');
    expect(count(peer.received, '\r\x01')).toBe(1);
  });

  it('interrupts a paste the device stopped granting windows for, naming that step', async () => {
    const clock = new ManualClock();
    const { repl, peer } = connect({ withholdGrants: true, run: () => ({ stdout: 'later\r\n' }) }, { clock });
    await clock.runUntil(repl.enter());
    const error = await clock.runUntil(repl.exec(script(1_000), { timeoutMs: 150 }).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(
      /^exec: sending code \(raw-paste\) \(\d+ ms elapsed; interrupted/,
    );
    expect(peer.flowViolations).toBe(0);
    expect(peer.execs).toEqual([]);
    expect((await clock.runUntil(repl.exec('print("later")'))).stdout).toBe('later\r\n');
    expect(count(peer.received, '\r\x01')).toBe(1);
  });

  it('throws LinkError when the device stays silent after the timeout and Ctrl-C', async () => {
    const clock = new ManualClock();
    const { repl } = connect({ run: () => ({ silent: true }) }, { interruptGraceMs: 100, clock });
    await clock.runUntil(repl.enter());
    const started = clock.now();
    const error = await clock.runUntil(repl.exec('hang()', { timeoutMs: 100 }).catch((e: unknown) => e));
    expect(clock.now() - started).toBe(200); // the deadline, then the grace after Ctrl-C
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(/stayed silent for 100 ms after Ctrl-C/);
    expect((error as LinkError).disconnected).toBe(false);
  });

  it('fails at once with LinkError when the board disconnects mid-exec', { timeout: 5_000 }, async () => {
    const { repl } = connect({ run: () => ({ disconnect: true }) });
    await repl.enter();
    const error = await repl.exec('go()', { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(/exec: .*closed/);
    expect((error as LinkError).disconnected).toBe(true);
    await expect(repl.exec('print(1)')).rejects.toBeInstanceOf(LinkError);
  });

  it('fails at once with LinkError when the stream errors mid-exec', { timeout: 5_000 }, async () => {
    const { repl, host } = connect({ run: () => ({ hang: true }) });
    await repl.enter();
    const running = repl.exec('go()', { timeoutMs: 60_000 });
    setTimeout(() => host.destroy(new Error('EIO: input/output error')), 20);
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toContain('EIO');
  });

  it('resynchronises on the next exec after a broken frame', async () => {
    const behaviours = [{ raw: Buffer.from('partial\x04\x04X') }, { stdout: 'synced\r\n' }];
    const { repl, peer } = connect({ run: () => behaviours.shift()! });
    await repl.enter();
    await expect(repl.exec('go()')).rejects.toBeInstanceOf(ProtocolError);
    expect((await repl.exec('print("synced")')).stdout).toBe('synced\r\n');
    expect(count(peer.received, '\r\x01')).toBe(2);
  });

  it('rejects code holding raw-REPL control bytes before sending anything', async () => {
    const { repl, peer } = connect();
    await repl.enter();
    const sent = peer.received.length;
    await expect(repl.exec('print("\x04")')).rejects.toBeInstanceOf(InputError);
    expect(peer.received.length).toBe(sent);
  });

  it('runs overlapping calls one after another in call order', async () => {
    const { repl } = connect({ run: (code) => ({ stdout: code }) });
    await repl.enter();
    const results = await Promise.all([repl.exec('a'), repl.exec('b'), repl.exec('c')]);
    expect(results.map((r) => r.stdout)).toEqual(['a', 'b', 'c']);
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
