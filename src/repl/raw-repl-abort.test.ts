import { describe, expect, it } from 'vitest';
import { DeviceException } from '../errors.ts';
import { connect, count } from '../../test/support/raw-repl-harness.ts';

describe('RawRepl.exec with an abort signal (picogc profile stopping a program)', () => {
  it('sends one Ctrl-C to the running code when aborted; the exec ends as the code does', async () => {
    const behaviours = [{ hang: true as const, stdout: 'sampling\r\n' }, { stdout: 'next\r\n' }];
    const { repl, peer } = connect({ run: () => behaviours.shift()! });
    await repl.enter();
    const stop = new AbortController();
    const seen: string[] = [];
    const running = repl
      .exec('while True: pass', { signal: stop.signal, timeoutMs: 60_000, onStdout: (t) => seen.push(t) })
      .catch((e: unknown) => e);
    setTimeout(() => stop.abort(), 30);
    const error = await running;
    expect(error).toBeInstanceOf(DeviceException);
    expect((error as DeviceException).type).toBe('KeyboardInterrupt');
    expect(seen.join('')).toBe('sampling\r\n');
    const before = count(peer.received, '\x03');
    expect((await repl.exec('print("next")')).stdout).toBe('next\r\n');
    // In sync: the next exec needed no re-entry (no further Ctrl-C).
    expect(count(peer.received, '\x03')).toBe(before);
  });

  it('sends nothing while the signal is not aborted', async () => {
    const stop = new AbortController();
    const { repl, peer } = connect({ run: () => ({ stdout: 'done\r\n' }) });
    await repl.enter();
    const before = count(peer.received, '\x03');
    expect((await repl.exec('print("done")', { signal: stop.signal })).stdout).toBe('done\r\n');
    stop.abort();
    expect(count(peer.received, '\x03')).toBe(before);
  });
});
