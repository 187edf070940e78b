import { StringDecoder } from 'node:string_decoder';
import { DeviceException } from '../errors.ts';
import { BYTE } from '../protocol/raw-repl-vocabulary.ts';

/** Ctrl-D: the device ends the stdout part and then the stderr part of an output frame with it. */
const EOT = BYTE.CTRL_D;

export interface FrameSinks {
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

/**
 * Splits the raw REPL's output frame, `<stdout> \x04 <stderr> \x04`, into two texts as bytes
 * arrive, in chunks cut anywhere. Each part is decoded as UTF-8 on its own: 0x04 never occurs
 * inside a multi-byte sequence, so cutting on it is safe, and a sequence cut between two chunks is
 * held back until its last byte arrives. Text is passed on unchanged (the device's `\r\n` kept).
 * The prompt `>` that follows the frame is the session's business, not the frame's.
 */
export class FrameParser {
  private part: 'stdout' | 'stderr' | 'done' = 'stdout';
  private decoder = new StringDecoder('utf8');
  stdout = '';
  stderr = '';

  constructor(private readonly sinks: FrameSinks = {}) {}

  get done(): boolean {
    return this.part === 'done';
  }

  /** True once the stdout part has ended (the first 0x04 has been seen). */
  get inStderr(): boolean {
    return this.part === 'stderr';
  }

  /**
   * End the frame with these parts, when its closing bytes were lost on the way and the caller knows
   * from the output itself that it is complete (output-frame.ts).
   */
  close(stdout: string, stderr: string): void {
    this.part = 'done';
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Consume bytes. Returns how many bytes of `chunk` belong to the frame: all of them until the
   * closing 0x04, whose position + 1 is returned; bytes after it are the caller's.
   */
  push(chunk: Buffer): number {
    let offset = 0;
    while (offset < chunk.length && this.part !== 'done') {
      const eot = chunk.indexOf(EOT, offset);
      const end = eot < 0 ? chunk.length : eot;
      if (end > offset) this.emit(this.decoder.write(chunk.subarray(offset, end)));
      if (eot < 0) return chunk.length;
      // A part ends: flush a truncated sequence (as U+FFFD) rather than carry it into the next part.
      this.emit(this.decoder.end());
      this.decoder = new StringDecoder('utf8');
      this.part = this.part === 'stdout' ? 'stderr' : 'done';
      offset = eot + 1;
    }
    return offset;
  }

  private emit(text: string): void {
    if (text === '') return;
    if (this.part === 'stdout') {
      this.stdout += text;
      this.sinks.onStdout?.(text);
    } else {
      this.stderr += text;
      this.sinks.onStderr?.(text);
    }
  }
}

const TRACEBACK_HEADER = 'Traceback (most recent call last):';
/** `Type` or `Type: message`; the message may span lines. `KeyboardInterrupt: ` has an empty one. */
const EXCEPTION_LINE = /^([A-Za-z_][A-Za-z0-9_.]*)(?:: ([\s\S]*))?$/;

/** The type name used when the stderr part is not a MicroPython traceback at all. */
export const UNPARSED_ERROR_TYPE = 'UnparsedDeviceError';

/**
 * Turn the stderr part of a frame into a DeviceException. MicroPython prints an optional
 * `Traceback (most recent call last):` header, one indented `  File ...` line per frame (no source
 * lines), then `Type: message`. Text that does not have that shape is not guessed at: it becomes
 * an {@link UNPARSED_ERROR_TYPE} carrying the text as its detail.
 */
export function parseDeviceException(stderr: string, stdout = ''): DeviceException {
  const traceback = stderr.replace(/\r\n/g, '\n');
  const lines = traceback.replace(/\n$/, '').split('\n');
  let first = 0;
  if (lines[0] === TRACEBACK_HEADER) {
    first = 1;
    while (first < lines.length && lines[first]!.startsWith('  ')) first++;
  }
  const message = lines.slice(first).join('\n');
  const match = EXCEPTION_LINE.exec(message);
  if (!match) return new DeviceException(UNPARSED_ERROR_TYPE, traceback.trim(), traceback, stdout);
  return new DeviceException(match[1]!, match[2] ?? '', traceback, stdout);
}
