import type { Duplex } from 'node:stream';
import { escapeBytes, InputError, LinkError, TimeoutError } from '../errors.ts';
import type { Deadline } from './deadline.ts';
import { nearMatch } from './near-match.ts';
import { SOFT_REBOOT_LINE } from '../protocol/raw-repl-vocabulary.ts';

/** Protocol log sink: what went out, what came in (escaped), and notes from the client. */
export type ProtocolLog = (dir: 'tx' | 'rx' | 'info', text: string) => void;

/** How many of the most recent bytes an error message shows. */
const TAIL_BYTES = 200;
const EMPTY = Buffer.alloc(0);

/**
 * The byte primitive under the raw-REPL client: a receive buffer fed by a Duplex, with
 * `readUntil`-style waits that all take a {@link Deadline}, and writes that honour it too.
 * A stream that ends, closes or errors fails every wait at once with a {@link LinkError}; bytes
 * that arrived before the failure stay readable.
 */
export class ByteChannel {
  private pending: Buffer = EMPTY;
  private recent: Buffer = EMPTY;
  private received = 0;
  private rebootLines = 0;
  private failure: LinkError | undefined;
  /** Called on new data (no argument) or on failure; at most one wait is active at a time. */
  private wake: ((failure?: LinkError) => void) | undefined;
  private readonly failureWatchers = new Set<(failure: LinkError) => void>();
  private readonly detachers: Array<() => void> = [];

  constructor(
    private readonly stream: Duplex,
    private readonly log?: ProtocolLog,
  ) {
    this.listen('data', (chunk: Buffer | string) => this.onData(chunk));
    this.listen('end', () => this.fail('the link was closed by the other end'));
    this.listen('close', () => this.fail('the link closed'));
    this.listen('error', (error: Error) => this.fail(streamFailure(error), error));
    if (stream.destroyed || stream.readableEnded) this.fail('the link is already closed');
  }

  /** How many `soft reboot` lines have arrived: one nobody asked for shows as a count that grew. */
  get reboots(): number {
    return this.rebootLines;
  }

  /** Total bytes received since the channel was created. */
  get bytesReceived(): number {
    return this.received;
  }

  /** Bytes received and not yet consumed. */
  get available(): number {
    return this.pending.length;
  }

  get failed(): LinkError | undefined {
    return this.failure;
  }

  /** The last bytes received, escaped for an error message. */
  tail(): string {
    return escapeBytes(this.recent, TAIL_BYTES);
  }

  takeAll(): Buffer {
    const taken = this.pending;
    this.pending = EMPTY;
    return taken;
  }

  takeByte(): number | undefined {
    if (this.pending.length === 0) return undefined;
    const byte = this.pending[0];
    this.pending = this.pending.subarray(1);
    return byte;
  }

  /** Put bytes back at the front (they were read past the end of what the caller wanted). */
  unshift(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([bytes, this.pending]);
  }

  /** Resolve true when new bytes arrive, false when the deadline passes; reject if the link fails. */
  waitForData(deadline: Deadline): Promise<boolean> {
    if (this.failure) return Promise.reject(this.linkError(deadline));
    const ms = deadline.remaining();
    if (ms <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      const cancel = onExpiry(deadline, () => {
        this.wake = undefined;
        resolve(false);
      });
      this.wake = (failure) => {
        cancel();
        this.wake = undefined;
        if (failure) reject(this.linkError(deadline));
        else resolve(true);
      };
    });
  }

  /** Read through the first occurrence of `needle`; null if the deadline passes first. */
  async readUntilOrNull(needle: Buffer, deadline: Deadline): Promise<Buffer | null> {
    let searchFrom = 0;
    for (;;) {
      const at = this.pending.indexOf(needle, searchFrom);
      if (at >= 0) {
        const end = at + needle.length;
        const taken = this.pending.subarray(0, end);
        this.pending = this.pending.subarray(end);
        return taken;
      }
      searchFrom = Math.max(0, this.pending.length - needle.length + 1);
      if (!(await this.waitForData(deadline))) return null;
    }
  }

  /**
   * Read through the first place `needle` arrived with at most `maxEdits` bytes damaged, lost or
   * added (near-match.ts): a banner on a noisy link. Null if the deadline passes first.
   */
  async readUntilNearOrNull(needle: Buffer, maxEdits: number, deadline: Deadline): Promise<Buffer | null> {
    let searchFrom = 0;
    for (;;) {
      const match = nearMatch(this.pending, needle, maxEdits, searchFrom);
      if (match) {
        const taken = this.pending.subarray(0, match.end);
        this.pending = this.pending.subarray(match.end);
        return taken;
      }
      // A match that ends in what arrives next starts at most the needle and its edits before it;
      // what lies before that was searched (searched whole at each chunk, 40 KB arriving in 64-byte
      // pieces cost 2 s of CPU).
      searchFrom = Math.max(0, this.pending.length - needle.length - maxEdits);
      if (!(await this.waitForData(deadline))) return null;
    }
  }

  /** Read through the first occurrence of `needle`, or throw a TimeoutError naming the step. */
  async readUntil(needle: Buffer, deadline: Deadline): Promise<Buffer> {
    const data = await this.readUntilOrNull(needle, deadline);
    if (data === null) throw this.timeoutError(deadline);
    return data;
  }

  async readExactly(count: number, deadline: Deadline): Promise<Buffer> {
    while (this.pending.length < count) {
      if (!(await this.waitForData(deadline))) throw this.timeoutError(deadline);
    }
    const taken = this.pending.subarray(0, count);
    this.pending = this.pending.subarray(count);
    return taken;
  }

  /**
   * Read `expected` if that is what comes next. Stops at the first byte that differs (without
   * waiting for the rest), puts everything read back, and returns false.
   */
  async readIfNext(expected: Buffer, deadline: Deadline): Promise<boolean> {
    for (let matched = 0; matched < expected.length;) {
      while (this.pending.length <= matched) {
        if (!(await this.waitForData(deadline))) throw this.timeoutError(deadline);
      }
      const upto = Math.min(this.pending.length, expected.length);
      for (; matched < upto; matched++) {
        if (this.pending[matched] !== expected[matched]) return false;
      }
    }
    this.pending = this.pending.subarray(expected.length);
    return true;
  }

  /**
   * Discard what is buffered, then keep discarding until the line has been quiet for `quietMs`
   * (or the deadline passes). Returns what was thrown away, for the log.
   */
  async discardUntilQuiet(quietMs: number, deadline: Deadline): Promise<Buffer> {
    const discarded: Buffer[] = [this.takeAll()];
    while (!deadline.expired) {
      if (!(await this.waitForData(deadline.within(quietMs)))) break;
      discarded.push(this.takeAll());
    }
    return Buffer.concat(discarded);
  }

  write(data: Buffer, deadline: Deadline): Promise<void> {
    if (this.failure) return Promise.reject(this.linkError(deadline));
    this.log?.('tx', escapeBytes(data, Infinity));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        cancel();
        this.failureWatchers.delete(onFailure);
        if (error) reject(error);
        else resolve();
      };
      const onFailure = () => settle(this.linkError(deadline));
      const cancel = onExpiry(deadline, () => settle(this.timeoutError(deadline, 'writing')));
      this.failureWatchers.add(onFailure);
      this.stream.write(data, (error) => {
        if (error) {
          this.fail(streamFailure(error), error);
          settle(this.linkError(deadline));
        } else settle();
      });
    });
  }

  timeoutError(deadline: Deadline, detail?: string): TimeoutError {
    const elapsed = Math.round(deadline.elapsed());
    const step = detail ? `${deadline.step} (${detail})` : deadline.step;
    return new TimeoutError(`${step} (${elapsed} ms elapsed)`, deadline.limitMs, this.tail());
  }

  /**
   * The error a wait or write on a failed link ends with. A link that failed because of the user's
   * input (a replayed recording the host no longer matches) says that, not "the link failed".
   */
  linkError(deadline: Deadline): LinkError | InputError {
    if (this.failure?.cause instanceof InputError) return this.failure.cause;
    const cause = this.failure ?? new LinkError('the link failed');
    const tail = this.tail();
    return new LinkError(
      `${deadline.step}: ${cause.message}` + (tail ? `; last bytes received: ${tail}` : ''),
      {
        cause: cause.cause ?? cause,
        disconnected: cause.disconnected,
      },
    );
  }

  /** Stop listening to the stream; later waits fail with a LinkError. The stream is not destroyed. */
  detach(): void {
    for (const detach of this.detachers.splice(0)) detach();
    this.fail('the REPL client was closed', undefined, false);
  }

  private listen<A extends unknown[]>(event: string, handler: (...args: A) => void): void {
    const listener = handler as (...args: unknown[]) => void;
    this.stream.on(event, listener);
    this.detachers.push(() => this.stream.off(event, listener));
  }

  private onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    if (bytes.length === 0) return;
    this.log?.('rx', escapeBytes(bytes, Infinity));
    this.received += bytes.length;
    const seam = Buffer.concat([this.recent.subarray(-(SOFT_REBOOT_LINE.length - 1)), bytes]);
    for (let at = seam.indexOf(SOFT_REBOOT_LINE); at >= 0; at = seam.indexOf(SOFT_REBOOT_LINE, at + 1))
      this.rebootLines++;
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    this.recent =
      bytes.length >= TAIL_BYTES
        ? bytes.subarray(bytes.length - TAIL_BYTES)
        : Buffer.concat([this.recent, bytes]).subarray(-TAIL_BYTES);
    this.wake?.();
  }

  private fail(message: string, cause?: unknown, disconnected = true): void {
    if (this.failure) return;
    this.failure = new LinkError(message, { cause, disconnected });
    this.wake?.(this.failure);
    for (const watcher of [...this.failureWatchers]) watcher(this.failure);
  }
}

/** The errno codes by which a socket or tty says the other end has gone. */
const PEER_GONE = new Set(['EPIPE', 'ECONNRESET', 'ENXIO', 'EIO', 'ENODEV']);

function streamFailure(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code && PEER_GONE.has(code)
    ? `the link closed: the other end disconnected (${error.message})`
    : `the link failed: ${error.message}`;
}

/**
 * Call `expired` once the deadline has passed by its own clock. Timers may fire a fraction of a
 * millisecond early; re-arming keeps "the wait ended" and `deadline.expired` in agreement.
 * Returns a canceller.
 */
function onExpiry(deadline: Deadline, expired: () => void): () => void {
  let timer = deadline.clock.setTimeout(check, deadline.remaining());
  function check(): void {
    const left = deadline.remaining();
    if (left > 0) timer = deadline.clock.setTimeout(check, left);
    else expired();
  }
  return () => deadline.clock.clearTimeout(timer);
}
