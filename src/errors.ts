/**
 * Every failure picogc reports is one of these. The class names the kind of failure; `exitCode`
 * carries the design's exit-code contract (0 pass, 1 check/regression/device exception,
 * 2 usage or input, 3 device or link) so the CLI never has to guess.
 */
export abstract class PicogcError extends Error {
  abstract readonly exitCode: 1 | 2 | 3;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command line: unknown command or flag, malformed value. */
export class UsageError extends PicogcError {
  readonly exitCode = 2;
}

/** A file or value the user gave cannot be used: missing file, malformed JSON, bad UF2, bad heap map. */
export class InputError extends PicogcError {
  readonly exitCode = 2;
}

/** The byte link failed: port missing or busy, permission denied, disconnect, silence. */
export class LinkError extends PicogcError {
  readonly exitCode = 3;
  /** The link is gone (port closed, cable pulled, TCP dropped), as node-serialport flags it. */
  readonly disconnected: boolean;
  constructor(message: string, options?: { cause?: unknown; disconnected?: boolean }) {
    super(message, options);
    this.disconnected = options?.disconnected ?? false;
  }
}

/**
 * A file picogc downloads (an official MicroPython release) could not be fetched, or what arrived is
 * not what was asked for: the server, the network or the transfer failed, not the user's input.
 */
export class DownloadError extends PicogcError {
  readonly exitCode = 3;
  constructor(
    message: string,
    /** The address that failed, named in the message too. */
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The device rebooted in the middle of an exec (a soft reboot, a watchdog reset, a board that
 * reset and came back): everything it held is gone, so the step it was running cannot be finished,
 * only started again from a fresh interpreter. The session is back at a prompt.
 */
export class DeviceResetError extends LinkError {}

/** Every try of one exec arrived damaged on the link: the link works, but too badly to get through. */
export class DamagedLinkError extends LinkError {}

/** The device broke the raw-REPL protocol (an unexpected byte, a missing prompt). */
export class ProtocolError extends PicogcError {
  readonly exitCode = 3;
  constructor(
    message: string,
    /** The last bytes received, escaped, so the user sees what the device actually said. */
    readonly received = '',
  ) {
    super(received ? `${message}; last bytes received: ${received}` : message);
  }
}

/** A step did not finish within its deadline. Names the step, the limit and what arrived. */
export class TimeoutError extends PicogcError {
  readonly exitCode = 3;
  constructor(
    readonly step: string,
    readonly limitMs: number,
    readonly received = '',
  ) {
    super(`${step} timed out after ${limitMs} ms` + (received ? `; last bytes received: ${received}` : ''));
  }
}

/** MicroPython raised an exception while executing code on the device. */
export class DeviceException extends PicogcError {
  readonly exitCode = 1;
  constructor(
    /** e.g. `ZeroDivisionError`, `MemoryError`, `KeyboardInterrupt`. */
    readonly type: string,
    /** The exception's message, possibly empty. */
    readonly detail: string,
    /** The whole traceback text as the device printed it (CRLF normalised to LF). */
    readonly traceback: string,
    /** Whatever the code printed to stdout before it raised. */
    readonly stdout = '',
  ) {
    super(detail ? `${type}: ${detail}` : type);
  }
  get isMemoryError(): boolean {
    return this.type === 'MemoryError';
  }
  get isKeyboardInterrupt(): boolean {
    return this.type === 'KeyboardInterrupt';
  }
}

/** A measurement check or a baseline comparison failed. */
export class CheckFailedError extends PicogcError {
  readonly exitCode = 1;
}

/** Show control bytes and non-ASCII as escapes so a message stays one readable line. */
export function escapeBytes(data: string | Uint8Array, max = 200): string {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const tail = text.length > max ? text.slice(-max) : text;
  // JSON escapes the C0 controls; DEL and the rest (a damaged 0x04 may arrive as 0x84) are escaped
  // here, or a byte that explains a failure would print as nothing at all.
  const escaped = JSON.stringify(tail)
    .slice(1, -1)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > max ? `…${escaped}` : escaped;
}
