import { DeviceResetError, escapeBytes, ProtocolError, TimeoutError } from '../errors.ts';
import type { ByteChannel } from './byte-channel.ts';
import type { Deadline } from './deadline.ts';
import type { FrameParser } from './frame.ts';
import { BYTE, MPY_SOFT_REBOOT, RAW_BANNER_PROMPT, TEXT } from '../protocol/raw-repl-vocabulary.ts';

/**
 * An exec's answer after the code was sent: the output frame (`stdout \x04 stderr \x04`) and the
 * prompt after it. A board that resets instead of answering is recognised as it happens.
 */

/**
 * Read the frame into `frame`. With `outputEnd`, the code's output is known to be complete once it
 * matches: the frame must then close within `stallMs`, or a frame byte was lost on the way.
 */
export async function readFrame(
  channel: ByteChannel,
  frame: FrameParser,
  deadline: Deadline,
  outputEnd?: RegExp,
  stallMs = Number.POSITIVE_INFINITY,
): Promise<void> {
  for (;;) {
    // A stdout callback may make more bytes arrive while push() runs: empty the buffer first.
    while (channel.available > 0) {
      const bytes = channel.takeAll();
      const used = frame.push(bytes);
      if (frame.done) {
        channel.unshift(bytes.subarray(used));
        return;
      }
      checkForReboot(frame);
    }
    const ended = outputEnd !== undefined && !frame.inStderr && outputEnd.test(frame.stdout);
    if (await channel.waitForData(ended ? deadline.within(stallMs) : deadline)) continue;
    if (!ended || deadline.expired) throw channel.timeoutError(deadline);
    throw new ProtocolError(
      `the output ended but its frame did not close within ${stallMs} ms (a frame byte lost on the way?)`,
      channel.tail(),
    );
  }
}

/**
 * A board that reboots in the middle of an exec sends its boot text where the frame should be: a
 * soft reboot ends at the raw prompt (the mode survives), a hard reset at the friendly one. Either
 * way the exec is over, its state gone; waiting for the frame would only run into the deadline.
 */
function checkForReboot(frame: FrameParser): void {
  if (frame.inStderr) return;
  const text = frame.stdout;
  if (text.endsWith(TEXT.RAW_BANNER_PROMPT) && text.includes(TEXT.MPY_SOFT_REBOOT)) {
    throw new DeviceResetError(`the device soft-rebooted during the exec: ${escapeBytes(text.slice(-80))}`);
  }
  if (text.includes(TEXT.FRIENDLY_BANNER_END) && text.endsWith(TEXT.FRIENDLY_PROMPT)) {
    throw new DeviceResetError(`the device reset during the exec: ${escapeBytes(text.slice(-80))}`);
  }
}

/**
 * After the frame comes `>`. After SystemExit the raw REPL returns instead and the port's main
 * loop soft-reboots: `MPY: soft reboot`, boot.py's output, the raw banner (then true is returned).
 * Anything else is rejected at once rather than waited on.
 */
export async function readPromptAfterFrame(
  channel: ByteChannel,
  deadline: Deadline,
  stallMs = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  // The prompt follows the frame at once; without it, the frame's end was not what it seemed.
  const next = await channel.readExactly(1, deadline.within(stallMs)).catch((error: unknown) => {
    if (!(error instanceof TimeoutError) || deadline.expired) throw error;
    throw new ProtocolError(`no prompt within ${stallMs} ms of the output frame`, channel.tail());
  });
  if (next[0] === BYTE.PROMPT) return false;
  channel.unshift(next);
  if (!(await channel.readIfNext(MPY_SOFT_REBOOT, deadline))) {
    throw new ProtocolError('expected the ">" prompt after the output frame', channel.tail());
  }
  await channel.readUntil(RAW_BANNER_PROMPT, deadline);
  return true;
}
