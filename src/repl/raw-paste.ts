import { ProtocolError } from '../errors.ts';
import {
  BYTE,
  RAW_BANNER_PROMPT,
  RAW_PASTE_ACCEPTED,
  RAW_PASTE_END,
  RAW_PASTE_REFUSED,
  RAW_PASTE_REQUEST,
} from '../protocol/raw-repl-vocabulary.ts';
import type { ByteChannel } from './byte-channel.ts';
import type { Deadline } from './deadline.ts';

/**
 * Firmware without raw-paste takes `\x05A` as text and Ctrl-A as "reset raw REPL", printing the
 * banner again. Its first two bytes, `ra`, are read as the reply; this is the rest.
 */
const OLD_FIRMWARE_REPLY = RAW_BANNER_PROMPT.subarray(0, 2);
const OLD_FIRMWARE_REST = RAW_BANNER_PROMPT.subarray(2);

export type RawPasteReply =
  | { kind: 'accepted'; windowSize: number }
  /** `R\x00`: the device understood the request but does not support it. */
  | { kind: 'refused' }
  /** The device predates raw-paste and printed the raw banner again. */
  | { kind: 'unsupported' };

/**
 * Ask for raw-paste. On `accepted`, the device's window grant is read; the `\x01` that follows it
 * (a second window) is left for {@link sendRawPaste} to count like any later grant. On the other
 * two replies the device is back at an empty raw prompt, its `>` consumed.
 */
export async function requestRawPaste(channel: ByteChannel, deadline: Deadline): Promise<RawPasteReply> {
  await channel.write(RAW_PASTE_REQUEST, deadline);
  const reply = await channel.readExactly(2, deadline);
  if (reply.equals(RAW_PASTE_ACCEPTED)) {
    const windowSize = (await channel.readExactly(2, deadline)).readUInt16LE(0);
    if (windowSize === 0)
      throw new ProtocolError('the device offered a raw-paste window of 0 bytes', channel.tail());
    return { kind: 'accepted', windowSize };
  }
  if (reply.equals(RAW_PASTE_REFUSED)) {
    // After refusing, the device resets its line and prints a fresh prompt.
    const prompt = await channel.readExactly(1, deadline);
    if (prompt[0] !== BYTE.PROMPT) {
      throw new ProtocolError('expected ">" after the raw-paste refusal', channel.tail());
    }
    return { kind: 'refused' };
  }
  if (reply.equals(OLD_FIRMWARE_REPLY)) {
    const rest = await channel.readExactly(OLD_FIRMWARE_REST.length, deadline);
    if (!rest.equals(OLD_FIRMWARE_REST)) {
      throw new ProtocolError('unexpected reply to the raw-paste request', channel.tail());
    }
    return { kind: 'unsupported' };
  }
  throw new ProtocolError('unexpected reply to the raw-paste request', channel.tail());
}

/** `complete`: all code sent and its end acknowledged. `aborted`: the device ended the paste early. */
export type PasteOutcome = 'complete' | 'aborted';

/**
 * Send the code under the device's flow control, then Ctrl-D, and consume the device's `\x04`
 * acknowledgement. Never more than the granted window is in flight: every `\x01` from the device
 * grants one more window. A `\x04` from the device while code is still going out means it stopped
 * reading (a SyntaxError found mid-stream): answer with `\x04` so its reader stops discarding, and
 * stop. Either way the output frame follows.
 */
export async function sendRawPaste(
  channel: ByteChannel,
  source: Buffer,
  windowSize: number,
  deadline: Deadline,
  /** A device grants the next window as it reads: this long without a byte, and a grant was lost. */
  stallMs = Number.POSITIVE_INFINITY,
): Promise<PasteOutcome> {
  const waitForGrant = async (what: string) => {
    if (await channel.waitForData(deadline.within(stallMs))) return;
    if (deadline.expired) throw channel.timeoutError(deadline, what);
    throw new ProtocolError(
      `raw-paste: nothing from the device for ${stallMs} ms while ${what} (a flow-control byte lost on the way?)`,
      channel.tail(),
    );
  };
  let credit = windowSize;
  let offset = 0;
  while (offset < source.length) {
    // Settle every flow-control byte already received before deciding how much may go out.
    for (let byte = channel.takeByte(); byte !== undefined; byte = channel.takeByte()) {
      if (byte === BYTE.CTRL_A) credit += windowSize;
      else if (byte === BYTE.CTRL_D) {
        await channel.write(RAW_PASTE_END, deadline);
        return 'aborted';
      } else throw unexpectedByte(channel, byte);
    }
    if (credit === 0) {
      await waitForGrant('waiting for a window');
      continue;
    }
    const count = Math.min(credit, source.length - offset);
    await channel.write(source.subarray(offset, offset + count), deadline);
    credit -= count;
    offset += count;
  }
  await channel.write(RAW_PASTE_END, deadline);
  // Grants for the last windows may still arrive before the device's end-of-data echo.
  for (;;) {
    const byte = channel.takeByte();
    if (byte === undefined) {
      await waitForGrant('waiting for the \\x04 echo');
    } else if (byte === BYTE.CTRL_D) return 'complete';
    else if (byte !== BYTE.CTRL_A) {
      // The echo was lost or damaged on the way and the code's output has begun: it is the frame's.
      // Stopping here would interrupt code that is running (a KeyboardInterrupt changes its state).
      channel.unshift(Buffer.from([byte]));
      return 'complete';
    }
  }
}

function unexpectedByte(channel: ByteChannel, byte: number): ProtocolError {
  const hex = byte.toString(16).padStart(2, '0');
  return new ProtocolError(`unexpected byte 0x${hex} from the device during raw-paste`, channel.tail());
}
