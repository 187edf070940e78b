import { Duplex } from 'node:stream';
import { InputError } from '../errors.ts';
import type { Link } from './link.ts';
import { bytesOf, type Recording } from './recording.ts';

/**
 * The host sent other bytes than the recorded host did: the recording no longer describes what
 * this picogc would do (a device script or the host's code changed). It must be remade.
 */
export class RecordingMismatchError extends InputError {}

/** Where the host left the recording: the byte offset in the recorded host stream. */
export interface Divergence {
  offset: number;
  /** The recorded host bytes from `offset` (a few), empty when the host went past the end. */
  recorded: Buffer;
  /** What the host sent instead, from `offset`. */
  sent: Buffer;
  /** Every byte the recorded host sent. */
  recordedHost: Buffer;
}

export interface ReplayOptions {
  description: string;
  /** Says which step the divergence is in and why, for the error message. */
  explain: (divergence: Divergence) => string;
}

/**
 * The device side of a recording, played back to a real host stack. Each chunk the device sent is
 * given to the host as soon as the host has sent everything the recorded host had sent before
 * that chunk arrived, so the host sees the same bytes in the same causal order, only faster. The
 * host must send exactly the recorded bytes; the first difference fails the link with a
 * {@link RecordingMismatchError}.
 */
export function replayLink(recording: Recording, options: ReplayOptions): Link {
  const host = bytesOf(recording, 'h');
  const device: { after: number; bytes: Buffer }[] = [];
  let sentBefore = 0;
  for (const [, direction, data] of recording.events) {
    const bytes = Buffer.from(data, 'base64');
    if (direction === 'h') sentBefore += bytes.length;
    else device.push({ after: sentBefore, bytes });
  }
  let matched = 0;
  let next = 0;
  let scheduled = false;
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      const at = firstDifference(chunk, host, matched);
      if (at >= 0) {
        const offset = matched + at;
        callback(
          new RecordingMismatchError(
            options.explain({
              offset,
              recorded: host.subarray(offset, offset + 32),
              sent: chunk.subarray(at, at + 32),
              recordedHost: host,
            }),
          ),
        );
        return;
      }
      matched += chunk.length;
      release();
      callback();
    },
  });
  // The mismatch reaches the host through its write's callback; the stream's own 'error' event
  // must not end the process when nobody listens any more.
  stream.on('error', () => {});
  // Like any device, the replay answers after the host's write has returned.
  function release(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      while (next < device.length && device[next]!.after <= matched && !stream.destroyed) {
        stream.push(device[next++]!.bytes);
      }
    });
  }
  release();
  return {
    stream,
    description: options.description,
    close: () => {
      stream.destroy();
      return Promise.resolve();
    },
  };
}

/** Index in `chunk` of the first byte that is not `expected[from + i]`, or -1. */
function firstDifference(chunk: Buffer, expected: Buffer, from: number): number {
  for (let i = 0; i < chunk.length; i++) {
    if (from + i >= expected.length || chunk[i] !== expected[from + i]) return i;
  }
  return -1;
}
