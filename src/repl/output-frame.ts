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
 * matches: if the bytes then stop for `stallMs` with the frame still open, a frame byte was lost or
 * damaged on the way and the frame is closed here, as the device closed it (`frameEndDamaged`).
 * A stderr part that stops for `stallMs` short of a whole answer is a `ProtocolError`: the code has
 * ended, and the device prints its exception at once (waiting for the deadline waited for nothing).
 * Whatever came after the output (at most the frame's end, `\x04\x04>`, some of it damaged) is no
 * output; if it ended in the prompt, the prompt was taken with it (`promptTaken`).
 *
 * With `stdin`, the running code reads those bytes: they are written once it has printed its first
 * line (that it is reading), or gone quiet for `stallMs` part-way through it (its end lost). It must
 * answer them within `stallMs`; if it does not, some of them were lost or damaged and it still waits
 * for more: `stdin.kick` is written (a few times) to end its wait without a Ctrl-C, whose
 * KeyboardInterrupt would leave its traceback in the heap for good. Still no answer is a
 * `ProtocolError`: the session resynchronises (the raw REPL's wake bytes first).
 */
export async function readFrame(
  channel: ByteChannel,
  frame: FrameParser,
  deadline: Deadline,
  outputEnd?: RegExp,
  stallMs = Number.POSITIVE_INFINITY,
  stdin?: StdinFeed,
): Promise<{ promptTaken: boolean; frameEndDamaged: boolean }> {
  let feed = stdin?.data;
  let kicks = stdin?.kick ? STDIN_KICKS : 0;
  let awaitingAnswer = false;
  const write = async (bytes: Buffer) => {
    await channel.write(bytes, deadline);
    [feed, awaitingAnswer] = [undefined, true];
  };
  for (;;) {
    // A stdout callback may make more bytes arrive while push() runs: empty the buffer first.
    while (channel.available > 0) {
      const bytes = channel.takeAll();
      const used = frame.push(bytes);
      awaitingAnswer &&= used === 0;
      if (frame.done) {
        channel.unshift(bytes.subarray(used));
        return { promptTaken: false, frameEndDamaged: false };
      }
      checkForReboot(frame);
    }
    if (feed && frame.stdout.includes('\n') && !frame.inStderr) {
      await write(feed);
      continue;
    }
    const whole = outputEnd === undefined ? undefined : outputBeforeFrameEnd(frame, outputEnd);
    // Its stdin waits until the code says it reads, or has said nothing for a stall: the line
    // saying so may have been lost on the way (a board keeps stdin that comes early for the code).
    // Once the stdout part is closed the code has ended, and the device prints the rest at once.
    const stalls = whole || feed || awaitingAnswer || frame.inStderr;
    if (await channel.waitForData(stalls ? deadline.within(stallMs) : deadline)) continue;
    if (deadline.expired) throw channel.timeoutError(deadline);
    // The code ended (its stdout closed) and its frame's end was lost: the session resynchronises
    // at once, not after the exec's deadline; a whole answer is closed as it stands. Stdin it had not
    // read is no one's now: written, it would be junk in the REPL's line, whose buffer every
    // collection scans (a figure moved for good).
    if (frame.inStderr && !whole) {
      throw new ProtocolError(
        feed
          ? 'the code ended before reading its stdin, and its frame end was lost'
          : `the code ended, and nothing closed its frame for ${stallMs} ms: its end was lost or damaged`,
        channel.tail(),
      );
    }
    if (frame.inStderr) feed = undefined;
    if (feed) {
      await write(feed);
      continue;
    }
    if (awaitingAnswer && kicks-- > 0) {
      await write(stdin!.kick!);
      continue;
    }
    if (awaitingAnswer) {
      throw new ProtocolError(`no answer within ${stallMs} ms to what was written to stdin`, channel.tail());
    }
    if (!whole) throw channel.timeoutError(deadline);
    frame.close(whole.stdout, whole.stderr);
    return { promptTaken: whole.promptTaken, frameEndDamaged: true };
  }
}

/** Bytes for a running code's stdin (exec-options.ts). */
export interface StdinFeed {
  data: Buffer;
  kick?: Buffer;
}

/** Kicks written before a code that still waits for its stdin is interrupted. */
const STDIN_KICKS = 2;

/** The bytes that close a frame after a successful exec: two `\x04` and the prompt. */
const FRAME_END_BYTES = 3;
const TRACEBACK = 'Traceback (most recent call last):\r\n';
/** A traceback to its exception line, then what came after it. */
const EXCEPTION_END = /^(Traceback[\s\S]*\r\n[A-Za-z_][\w.]*(?:: [^\r\n]*)?\r\n)([\s\S]*)$/;

/**
 * The whole output of an open frame, if it holds it: the output ends in `outputEnd` and after it
 * came no more characters than the frame's end has bytes (each lost, or damaged into another
 * character; the `\x04` that opened the stderr part was one of them). A traceback is far longer,
 * so an exec that raised is never taken for one that succeeded.
 */
function outputBeforeFrameEnd(
  frame: FrameParser,
  outputEnd: RegExp,
): { stdout: string; stderr: string; promptTaken: boolean } | undefined {
  const prompt = String.fromCharCode(BYTE.PROMPT);
  // An exception's text, whole (the device prints it at once, its last line ended), followed by no
  // more than the frame's end, some of it lost or damaged: the first `\x04` lost puts it in stdout.
  const received = frame.inStderr ? `${frame.stdout}\u0004${frame.stderr}` : frame.stdout;
  const at = received.lastIndexOf(TRACEBACK);
  const raised = at < 0 ? null : EXCEPTION_END.exec(received.slice(at));
  if (raised && raised[2]!.length <= FRAME_END_BYTES - 1 && !raised[2]!.includes('\n')) {
    const stdout = received.slice(0, at).replace(/\u0004$/, '');
    return { stdout, stderr: raised[1]!, promptTaken: raised[2]!.endsWith(prompt) };
  }
  const after = frame.inStderr ? frame.stderr : '';
  const room = FRAME_END_BYTES - (frame.inStderr ? 1 : 0) - after.length;
  for (let junk = 0; junk <= room; junk++) {
    const stdout = frame.stdout.slice(0, frame.stdout.length - junk);
    if (!outputEnd.test(stdout)) continue;
    const rest = frame.stdout.slice(stdout.length) + after;
    return { stdout, stderr: '', promptTaken: rest.endsWith(prompt) };
  }
  return undefined;
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

/**
 * The prompt after an exec's frame, unless `readFrame` already took it. Output known to be whole
 * (the frame's end arrived damaged, or it ends in `outputEnd` with nothing raised) keeps its result
 * when only the prompt after it arrived damaged: the session is then out of step (`synced` false)
 * and resynchronises before the next exec, instead of running this one again.
 */
export async function readPromptAfterOutput(
  channel: ByteChannel,
  frame: FrameParser,
  closed: { promptTaken: boolean; frameEndDamaged: boolean },
  deadline: Deadline,
  options: { stallMs: number; outputEnd: RegExp | undefined; info: (text: string) => void },
): Promise<{ softRebooted: boolean; synced: boolean }> {
  if (closed.frameEndDamaged) options.info("the output frame's end arrived damaged; its output is whole");
  if (closed.promptTaken) return { softRebooted: false, synced: true };
  try {
    return { softRebooted: await readPromptAfterFrame(channel, deadline, options.stallMs), synced: true };
  } catch (error) {
    const { outputEnd } = options;
    const whole =
      closed.frameEndDamaged ||
      (outputEnd !== undefined && frame.stderr === '' && outputEnd.test(frame.stdout));
    if (!(error instanceof ProtocolError) || !whole) throw error;
    options.info(`${(error as Error).message}; the output is whole, the session resynchronises`);
    return { softRebooted: false, synced: false };
  }
}
