import { describe, expect, it } from 'vitest';
import { DeviceException, InputError, LinkError, ProtocolError, TimeoutError } from '../errors.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, count, script } from '../../test/support/raw-repl-harness.ts';

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

  it('takes the output for the frame when the echo of the end was lost, instead of interrupting the code', async () => {
    const { repl, peer } = connect({ losePasteEcho: true, run: () => ({ stdout: 'ran\r\n' }) });
    await repl.enter();
    expect(await repl.exec('print("ran")')).toEqual({
      stdout: 'ran\r\n',
      stderr: '',
      pasteMode: 'raw-paste',
    });
    expect(count(peer.received, '\x03')).toBe(1); // the one of enter()
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
    // The deadline, the grace after Ctrl-C, then as long for a banner in answer to Ctrl-A.
    expect(clock.now() - started).toBe(300);
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
