import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.ts';
import { LinkError, TimeoutError } from '../errors.ts';
import { duplexPair } from '../link/pair.ts';
import { ByteChannel } from './byte-channel.ts';
import { Deadline } from './deadline.ts';

const within = (ms: number, step = 'test step') => new Deadline(systemClock, ms, step);
const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('ByteChannel', () => {
  it('reads until a needle split across chunks and keeps what follows', async () => {
    const [host, board] = duplexPair();
    const channel = new ByteChannel(host);
    const reading = channel.readUntil(bytes('CTRL-B to exit\r\n>'), within(1_000));
    for (const piece of ['junk raw REPL; CT', 'RL-B to ex', 'it\r\n>', 'after']) board.write(bytes(piece));
    expect((await reading).toString('latin1')).toBe('junk raw REPL; CTRL-B to exit\r\n>');
    await new Promise((resolve) => setImmediate(resolve));
    expect(channel.takeAll().toString('latin1')).toBe('after');
  });

  it('finds a damaged needle arriving a byte at a time, its start in bytes searched before', async () => {
    const [host, board] = duplexPair();
    const channel = new ByteChannel(host);
    const reading = channel.readUntilNearOrNull(bytes('raw REPL; CTRL-B to exit\r\n>'), 3, within(5_000));
    for (const byte of bytes(`${'.'.repeat(300)}raw REPL; CTRL-X to ext\r\n>after`)) {
      board.write(Buffer.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await reading)?.toString('latin1')).toBe(`${'.'.repeat(300)}raw REPL; CTRL-X to ext\r\n>`);
    expect(channel.takeAll().toString('latin1')).toBe('after');
  });

  it('times out naming the step, the elapsed time, the limit and the escaped tail', async () => {
    const [host, board] = duplexPair();
    const channel = new ByteChannel(host);
    board.write(bytes('OK\x04partial'));
    const error = await channel
      .readUntil(bytes('\x04>'), within(60, 'exec: waiting for the frame'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(
      /^exec: waiting for the frame \(\d+ ms elapsed\) timed out after 60 ms; last bytes received: OK\\u0004partial$/,
    );
  });

  it('fails a wait at once with LinkError when the other end closes, keeping earlier bytes readable', async () => {
    const [host, board] = duplexPair();
    const channel = new ByteChannel(host);
    board.write(bytes('last words'));
    const waiting = channel.readUntil(bytes('never'), within(60_000, 'exec: waiting'));
    board.destroy();
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(/^exec: waiting: the link was closed by the other end/);
    expect(channel.takeAll().toString('latin1')).toBe('last words');
    await expect(channel.write(bytes('x'), within(1_000))).rejects.toBeInstanceOf(LinkError);
  });

  it('names a write that fails with EPIPE a disconnection, and any other stream error a link failure', async () => {
    const gone = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const [host] = duplexPair();
    const channel = new ByteChannel(host);
    host.emit('error', gone);
    const error = (await channel
      .write(bytes('x'), within(1_000, 'exec: sending'))
      .catch((e: unknown) => e)) as LinkError;
    expect(error.message).toMatch(
      /^exec: sending: the link closed: the other end disconnected \(write EPIPE\)/,
    );
    expect(error.disconnected).toBe(true);

    const [other] = duplexPair();
    const otherChannel = new ByteChannel(other);
    other.emit('error', new Error('bad baud rate'));
    const failure = (await otherChannel
      .write(bytes('x'), within(1_000, 'exec'))
      .catch((e: unknown) => e)) as Error;
    expect(failure.message).toMatch(/^exec: the link failed: bad baud rate/);
  });

  it('reads a prefix only when it is what comes next, without waiting for the rest', async () => {
    const [host, board] = duplexPair();
    const channel = new ByteChannel(host);
    board.write(bytes('MPY: soft reboot\r\nboot'));
    expect(await channel.readIfNext(bytes('MPY: soft reboot\r\n'), within(1_000))).toBe(true);
    board.write(bytes('MPX'));
    expect(await channel.readIfNext(bytes('boot...more to come'), within(1_000))).toBe(false);
    expect(channel.takeAll().toString('latin1')).toBe('bootMPX');
  });

  it('discards until the line has been quiet', async () => {
    const [host, board] = duplexPair();
    const channel = new ByteChannel(host);
    board.write(bytes('stale'));
    const timer = setTimeout(() => board.write(bytes(' more')), 1);
    const discarded = await channel.discardUntilQuiet(250, within(2_000));
    clearTimeout(timer);
    expect(discarded.toString('latin1')).toBe('stale more');
    expect(channel.available).toBe(0);
  });

  it('stops reporting data after detach()', async () => {
    const [host] = duplexPair();
    const channel = new ByteChannel(host);
    channel.detach();
    await expect(channel.waitForData(within(1_000))).rejects.toBeInstanceOf(LinkError);
    expect(host.listenerCount('data')).toBe(0);
  });
});
