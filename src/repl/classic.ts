import { sleep } from '../clock.ts';
import { ProtocolError } from '../errors.ts';
import type { ByteChannel } from './byte-channel.ts';
import { CTRL_D, OK } from '../protocol/raw-repl-vocabulary.ts';
import type { Deadline } from './deadline.ts';

/** Classic raw mode has no flow control; pyboard.py and mpremote send 256-byte chunks. */
export const CLASSIC_CHUNK_BYTES = 256;

/**
 * Send code in classic raw mode: chunks with a pause between them (the device buffers everything
 * on its heap and has no way to say "wait"), then Ctrl-D. Ctrl-D is sent only after the last chunk,
 * so a deadline that passes before it leaves the device at its raw prompt with a part-filled line.
 */
export async function sendClassic(
  channel: ByteChannel,
  source: Buffer,
  pauseMs: number,
  deadline: Deadline,
): Promise<void> {
  for (let offset = 0; offset < source.length; offset += CLASSIC_CHUNK_BYTES) {
    if (offset > 0 && pauseMs > 0) await sleep(Math.min(pauseMs, deadline.remaining()), deadline.clock);
    await channel.write(source.subarray(offset, offset + CLASSIC_CHUNK_BYTES), deadline);
  }
  await channel.write(CTRL_D, deadline);
}

/** The device answers Ctrl-D with exactly `OK` (no newline) before it compiles the code. */
export async function expectOk(channel: ByteChannel, deadline: Deadline): Promise<void> {
  const reply = await channel.readExactly(OK.length, deadline);
  if (!reply.equals(OK)) throw new ProtocolError('expected "OK" after the code was sent', channel.tail());
}
