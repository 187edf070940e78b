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
