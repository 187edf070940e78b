import { CTRL_C } from '../protocol/raw-repl-vocabulary.ts';
import type { ByteChannel } from './byte-channel.ts';
import type { Deadline } from './deadline.ts';

/**
 * While the code runs, an abort of `signal` sends one Ctrl-C (the device raises KeyboardInterrupt
 * in it); the frame is then read as usual. Returns what removes the listener.
 */
export function interruptOnAbort(
  channel: ByteChannel,
  signal: AbortSignal | undefined,
  deadline: Deadline,
  info: (text: string) => void,
): () => void {
  if (!signal) return () => undefined;
  const interrupt = () => {
    info('aborted: sending Ctrl-C to the running code');
    channel.write(CTRL_C, deadline).catch(() => undefined);
  };
  if (signal.aborted) {
    interrupt();
    return () => undefined;
  }
  signal.addEventListener('abort', interrupt, { once: true });
  return () => signal.removeEventListener('abort', interrupt);
}

/**
 * While the code runs, an abort of `signal` writes `bytes` into its stdin: what code that
 * swallowed its KeyboardInterrupt can still be asked to stop by (picogc profile's probe reads it).
 * Returns what removes the listener.
 */
export function writeOnAbort(
  channel: ByteChannel,
  stdin: { signal: AbortSignal; bytes: Buffer } | undefined,
  deadline: Deadline,
  info: (text: string) => void,
): () => void {
  if (!stdin) return () => undefined;
  const write = () => {
    info(`aborted again: writing ${stdin.bytes.length} byte(s) to the running code's stdin`);
    channel.write(stdin.bytes, deadline).catch(() => undefined);
  };
  if (stdin.signal.aborted) {
    write();
    return () => undefined;
  }
  stdin.signal.addEventListener('abort', write, { once: true });
  return () => stdin.signal.removeEventListener('abort', write);
}

/** Both of an exec's abort actions while its frame is read: the Ctrl-C, and the bytes for stdin. */
export function onAbort(
  channel: ByteChannel,
  options: { signal?: AbortSignal; stdinOnAbort?: { signal: AbortSignal; bytes: Buffer } },
  deadline: Deadline,
  info: (text: string) => void,
): () => void {
  const stopInterrupting = interruptOnAbort(channel, options.signal, deadline, info);
  const stopWriting = writeOnAbort(channel, options.stdinOnAbort, deadline, info);
  return () => {
    stopInterrupting();
    stopWriting();
  };
}
