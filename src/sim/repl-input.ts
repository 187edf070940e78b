import { BYTE, RAW_PASTE_REQUEST } from '../protocol/raw-repl-vocabulary.ts';
import type { ReplMode } from './vm-protocol.ts';

const { CTRL_A, CTRL_B, CTRL_C, CTRL_D } = BYTE;

/** What to do with the queued input next. */
export type Cut =
  /** Give these bytes to the VM; `last` is the byte that ended the cut. */
  | { kind: 'feed'; bytes: Buffer; last: number }
  /** `\x05A\x01` arrived on an empty raw line: the server answers raw-paste itself. */
  | { kind: 'raw-paste' }
  /** Nothing to feed until more input arrives. */
  | { kind: 'wait' };

/**
 * Input waiting for the VM, and a model of the raw REPL's line (shared/runtime/pyexec.c) exact
 * enough to find the one thing the VM must not see: a raw-paste request, which the wasm VM would
 * accept and then read NUL bytes forever (its stdin read is a stub). A `\x05` or `\x05A` at the
 * start of a raw line is therefore withheld until the next byte shows whether it is the request.
 *
 * Input is cut after every Ctrl-A, Ctrl-B and Ctrl-D (they change mode, print a banner, execute or
 * soft-reset), so the server learns the outcome of each before feeding more.
 */
export class ReplInput {
  mode: ReplMode = 'friendly';
  private queue: number[] = [];
  private head = 0;
  private shifted = 0;
  private rawLineLength = 0;
  private held: number[] = [];

  /** Queued bytes (withheld `\x05`/`\x05A` not counted: they wait for the next byte). */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Position of the next pushed byte, counted over the server's lifetime. */
  get pushedTotal(): number {
    return this.shifted + this.queue.length - this.head;
  }

  push(byte: number): void {
    this.queue.push(byte);
  }

  /** The next byte, for raw-paste reception (the server consumes those itself). */
  shift(): number | undefined {
    if (this.head >= this.queue.length) return undefined;
    const byte = this.queue[this.head++]!;
    this.shifted++;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return byte;
  }

  /** The next `count` bytes (at most what is queued), for a running script's stdin. */
  take(count: number): Buffer {
    const bytes = Buffer.allocUnsafe(Math.min(count, this.pending));
    for (let i = 0; i < bytes.length; i++) bytes[i] = this.shift()!;
    return bytes;
  }

  /** Put bytes back at the front, as if never shifted (stdin a script took and did not read). */
  unshift(bytes: Uint8Array): void {
    this.queue = [...bytes, ...this.queue.slice(this.head)];
    this.head = 0;
    this.shifted -= bytes.length;
  }

  /** Drop queued input up to and including position `position` (a Pico clears stdin on Ctrl-C). */
  dropThrough(position: number): void {
    while (this.shifted <= position && this.shift() !== undefined) {
      // dropped
    }
  }

  /** The VM's raw line is empty: after entering raw mode, a raw prompt, an execution, a boot. */
  lineCleared(): void {
    this.rawLineLength = 0;
    this.held = [];
  }

  next(): Cut {
    if (this.mode === 'friendly') return this.nextFriendly();
    return this.nextRaw();
  }

  private nextFriendly(): Cut {
    const bytes: number[] = [];
    for (let byte = this.shift(); byte !== undefined; byte = this.shift()) {
      bytes.push(byte);
      if (byte === CTRL_A || byte === CTRL_B || byte === CTRL_D) return feed(bytes, byte);
    }
    return bytes.length > 0 ? feed(bytes, -1) : { kind: 'wait' };
  }

  private nextRaw(): Cut {
    const bytes: number[] = [];
    while (this.head < this.queue.length) {
      const byte = this.queue[this.head]!;
      // Held bytes do not count in the line's length: the request can only continue an empty line.
      if (this.rawLineLength === 0 && byte === RAW_PASTE_REQUEST[this.held.length]) {
        if (this.held.length < RAW_PASTE_REQUEST.length - 1) {
          this.held.push(this.shift()!);
          continue;
        }
        if (bytes.length > 0) return feed(bytes, -1);
        this.shift();
        this.held = [];
        return { kind: 'raw-paste' };
      }
      if (this.held.length > 0) {
        // Not a raw-paste request after all: the withheld bytes are ordinary line content.
        bytes.push(...this.held);
        this.rawLineLength += this.held.length;
        this.held = [];
        continue;
      }
      this.shift();
      bytes.push(byte);
      if (byte === CTRL_C) {
        this.rawLineLength = 0;
      } else if (byte === CTRL_A || byte === CTRL_D) {
        this.rawLineLength = 0;
        return feed(bytes, byte);
      } else if (byte === CTRL_B) {
        this.rawLineLength = 0;
        this.mode = 'friendly';
        return feed(bytes, byte);
      } else {
        this.rawLineLength++;
      }
    }
    return bytes.length > 0 ? feed(bytes, -1) : { kind: 'wait' };
  }
}

function feed(bytes: number[], last: number): Cut {
  return { kind: 'feed', bytes: Buffer.from(bytes), last };
}
