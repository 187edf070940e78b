import { Duplex } from 'node:stream';
import { systemClock, type Clock } from '../clock.ts';
import { TOOL_VERSION } from '../version.ts';
import type { Link } from './link.ts';
import { RECORDING_SCHEMA, writeRecording, type Direction, type Recording } from './recording.ts';

export interface RecordOptions {
  /** Where the recording is written when the link closes. */
  path: string;
  /** Read at close: what the recorder's user wants kept beside the bytes (device identity…). */
  meta: () => Record<string, unknown>;
  clock?: Clock;
}

/**
 * A link that keeps the whole conversation: every chunk either way, with its time, written as a
 * recording when the link closes. The host talks through a tap on the real link's stream, so what
 * is recorded is exactly what the host sent and what it was given to read, in that order.
 */
export function recordLink(link: Link, options: RecordOptions): Link {
  const clock = options.clock ?? systemClock;
  const opened = clock.now();
  const events: Recording['events'] = [];
  const note = (direction: Direction, chunk: Buffer) => {
    if (chunk.length > 0) events.push([round(clock.now() - opened), direction, chunk.toString('base64')]);
  };
  const stream = tap(link.stream, note);
  let closing: Promise<void> | undefined;
  return {
    stream,
    description: link.description,
    ...(link.serialNumber ? { serialNumber: link.serialNumber } : {}),
    close() {
      closing ??= link.close().finally(() => {
        stream.destroy();
        writeRecording(options.path, {
          schema: RECORDING_SCHEMA,
          tool: { name: 'picogc', version: TOOL_VERSION },
          recordedAt: new Date().toISOString(),
          link: link.description,
          durationMs: round(clock.now() - opened),
          meta: options.meta(),
          events,
        });
      });
      return closing;
    },
  };
}

/** Microsecond resolution is plenty for a serial conversation and keeps the file small. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A Duplex in front of `inner` that reports each chunk before passing it on. */
function tap(inner: Duplex, note: (direction: Direction, chunk: Buffer) => void): Duplex {
  const outer = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      note('h', chunk);
      inner.write(chunk, callback);
    },
    final(callback) {
      inner.end(callback);
    },
  });
  const onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    note('d', bytes);
    outer.push(bytes);
  };
  // Once the REPL client has detached, a late failure of the real link must not go unheard.
  outer.on('error', () => {});
  inner.on('data', onData);
  inner.once('end', () => outer.push(null));
  inner.once('error', (error) => outer.destroy(error));
  inner.once('close', () => outer.destroy());
  outer.once('close', () => inner.off('data', onData));
  return outer;
}
