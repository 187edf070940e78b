import { InputError } from '../errors.ts';

/** What an exec of the raw REPL takes and gives (raw-repl.ts). */

export type PasteMode = 'raw-paste' | 'classic';

export interface ExecOptions {
  /** Deadline for the whole exec: handshake, upload, run and output (default 10 000 ms). */
  timeoutMs?: number;
  /** Called with stdout text as it arrives (UTF-8 decoded, the device's `\r\n` kept). */
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  /** Use classic raw mode for this exec, whatever the connection prefers. */
  forceClassic?: boolean;
  /**
   * How long the raw-paste request may wait for its reply (default 2000 ms). A device answers at
   * once; a request damaged on the way gets no answer at all, and the session is resynchronised.
   */
  handshakeMs?: number;
  /**
   * Text that ends the code's output (a checked exec's end marker): once it has arrived and the
   * bytes stop for `handshakeMs` with the frame still open, its lost `\x04` is taken as read (the
   * output is whole), rather than waiting out the exec's deadline for it.
   */
  outputEnd?: RegExp;
  /**
   * Bytes for the code's stdin: written once it has printed its first line (it says it is reading),
   * and answered within `handshakeMs`. Else some were lost and it still reads: `kick` is written to
   * end its read (a few times), then the session resynchronises. A checked exec sends its code this
   * way, so the REPL compiles only the short call that reads it.
   */
  stdin?: { data: Buffer; kick?: Buffer };
  /**
   * Aborting it interrupts the running code: one Ctrl-C, sent once the code has been uploaded (at
   * once if it already has). The exec then ends as the code does with a KeyboardInterrupt: a
   * traceback, or its own handling of it. Nothing is sent while it is not aborted.
   */
  signal?: AbortSignal;
  /**
   * Aborting its `signal` writes `bytes` into the running code's stdin (once the code has been
   * uploaded): a second way to ask code that swallowed its KeyboardInterrupt to stop.
   */
  stdinOnAbort?: { signal: AbortSignal; bytes: Buffer };
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  pasteMode: PasteMode;
  /** The code raised SystemExit (e.g. `sys.exit()`), so the device soft-rebooted after the frame. */
  softRebooted?: boolean;
}

/** Ctrl-A..Ctrl-D are commands to the raw REPL: inside the code they would cut it short. */
export function rejectControlBytes(code: string): void {
  const at = code.search(/[\x01-\x04]/);
  if (at >= 0) {
    const byte = code.charCodeAt(at).toString(16).padStart(2, '0');
    throw new InputError(
      `the code contains the control byte \\x${byte} at offset ${at}, which the raw REPL takes as a ` +
        'command; write it as an escape inside a string literal',
    );
  }
}
