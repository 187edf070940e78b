import type { Duplex } from 'node:stream';
import { sleep, systemClock, type Clock } from '../clock.ts';
import { TimeoutError, escapeBytes } from '../errors.ts';

/**
 * Collects what a link delivers and waits for patterns in it, each wait with a deadline. Used by the
 * virtual Pico's tests and by anything that drives the serial protocol by hand.
 */
export class LinkReader {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    link: Duplex,
    private readonly clock: Clock = systemClock,
  ) {
    link.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (const listener of this.listeners) listener();
    });
    const end = () => {
      this.ended = true;
      for (const listener of this.listeners) listener();
    };
    link.on('end', end);
    link.on('close', end);
    link.on('error', end);
  }

  /** Everything received and not yet taken. */
  get pending(): Buffer {
    return this.buffer;
  }

  /** Take everything received so far. */
  take(): Buffer {
    const taken = this.buffer;
    this.buffer = Buffer.alloc(0);
    return taken;
  }

  /** Take bytes up to and including the first occurrence of `marker`. */
  until(marker: string | Buffer, limitMs: number, step = 'read'): Promise<Buffer> {
    const needle = typeof marker === 'string' ? Buffer.from(marker, 'latin1') : marker;
    return this.waitFor(
      (buffer) => {
        const at = buffer.indexOf(needle);
        return at < 0 ? -1 : at + needle.length;
      },
      limitMs,
      `${step} (waiting for "${escapeBytes(needle)}")`,
    );
  }

  /** Take exactly `count` bytes. */
  bytes(count: number, limitMs: number, step = 'read'): Promise<Buffer> {
    return this.waitFor(
      (buffer) => (buffer.length >= count ? count : -1),
      limitMs,
      `${step} (${count} bytes)`,
    );
  }

  /** Wait until nothing arrives for `quietMs`, then take everything. */
  async settle(quietMs: number, limitMs: number): Promise<Buffer> {
    const deadline = this.clock.now() + limitMs;
    let seen = -1;
    while (seen !== this.buffer.length && this.clock.now() < deadline) {
      seen = this.buffer.length;
      await sleep(quietMs, this.clock);
    }
    return this.take();
  }

  private waitFor(end: (buffer: Buffer) => number, limitMs: number, step: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const at = end(this.buffer);
        if (at >= 0) {
          finish();
          const taken = this.buffer.subarray(0, at);
          this.buffer = this.buffer.subarray(at);
          resolve(Buffer.from(taken));
        } else if (this.ended) {
          finish();
          reject(new TimeoutError(`${step}: link ended`, limitMs, escapeBytes(this.buffer)));
        }
      };
      const timer = this.clock.setTimeout(() => {
        finish();
        reject(new TimeoutError(step, limitMs, escapeBytes(this.buffer)));
      }, limitMs);
      const finish = () => {
        this.clock.clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }
}
