/**
 * The vocabulary of MicroPython's raw REPL (shared/runtime/pyexec.c, ports/rp2/main.c;
 * micropython-facts.md §1): control bytes, banners and prompts, output frames, raw-paste codes,
 * soft-reboot texts. One module, so that the client (src/repl/), the virtual Pico's server and
 * fault injector (src/sim/), the recordings (src/device/) and the test peers speak the same bytes.
 *
 * Each fixed text is in `TEXT` (what a peer composes its answers from); a constant of the same name
 * outside it is that text's bytes (latin1), what a host writes or waits for. `BYTE` has single byte
 * values, for comparing bytes one at a time. (src/sim/vm-worker.mjs, plain JavaScript run without a
 * loader, cannot import this module and keeps its two markers as numbers.)
 */

const latin1 = (text: string) => Buffer.from(text, 'latin1');

export const BYTE = {
  /** Friendly REPL, on an empty line: enter raw mode. Raw mode: print the banner again. Raw-paste: one more window. */
  CTRL_A: 0x01,
  /** Raw mode: leave for the friendly REPL (it prints its banner). */
  CTRL_B: 0x02,
  /** Interrupt a running program; in raw mode, clear the line. */
  CTRL_C: 0x03,
  /** Raw mode: execute the line (soft-reboot on an empty one). Output: ends each part of a frame. */
  CTRL_D: 0x04,
  /** Raw mode, on an empty line, before a command byte and Ctrl-A: a raw-paste request. */
  CTRL_E: 0x05,
  /** The command byte of the raw-paste request. */
  RAW_PASTE_COMMAND: 0x41 /* A */,
  /** The raw prompt (`TEXT.RAW_PROMPT`). */
  PROMPT: 0x3e /* > */,
} as const;

export const CTRL_A = Buffer.from([BYTE.CTRL_A]);
export const CTRL_B = Buffer.from([BYTE.CTRL_B]);
export const CTRL_C = Buffer.from([BYTE.CTRL_C]);
export const CTRL_D = Buffer.from([BYTE.CTRL_D]);

/** `\r` first so Ctrl-A lands on an empty friendly line (readline only honours it there). */
export const INTERRUPT_LINE = latin1('\r\x03');
export const ENTER_RAW_LINE = latin1('\r\x01');

export const TEXT = {
  /** Printed on entering raw mode, on Ctrl-A in raw mode, and after a soft reboot in raw mode. */
  RAW_BANNER_PROMPT: 'raw REPL; CTRL-B to exit\r\n>',
  /** The raw prompt: after the banner, after each output frame. */
  RAW_PROMPT: '>',
  FRIENDLY_PROMPT: '>>> ',
  /** The end of the friendly banner a board prints after a hard reset (power-up, watchdog, RESET). */
  FRIENDLY_BANNER_END: 'Type "help()" for more information.',
  /** The answer to Ctrl-D in raw mode (`OK\r\n` when the line was empty and a soft reboot follows). */
  OK: 'OK',
  /** rp2's main loop prints this when the raw REPL returns for a soft reboot (`\n` cooked to `\r\n`). */
  MPY_SOFT_REBOOT: 'MPY: soft reboot\r\n',
  /** What pyboard.py and mpremote wait for after a soft reset: the end of every port's reboot line. */
  SOFT_REBOOT_LINE: 'soft reboot\r\n',
  /** The end of an output frame and the prompt that follows it. */
  FRAME_END_PROMPT: '\x04>',
  /**
   * A KeyboardInterrupt raised where no bytecode frame is active has no traceback lines: what a Pico
   * prints for a Ctrl-C during a raw-paste upload (the reader raises it).
   */
  KEYBOARD_INTERRUPT: 'KeyboardInterrupt: \r\n',
  /** Raw-paste refused: the device understood the request but does not support it (`>` follows). */
  RAW_PASTE_REFUSED: 'R\x00',
} as const;

export const RAW_BANNER_PROMPT = latin1(TEXT.RAW_BANNER_PROMPT);
export const FRIENDLY_PROMPT = latin1(TEXT.FRIENDLY_PROMPT);
export const OK = latin1(TEXT.OK);
export const MPY_SOFT_REBOOT = latin1(TEXT.MPY_SOFT_REBOOT);
export const SOFT_REBOOT_LINE = latin1(TEXT.SOFT_REBOOT_LINE);
export const FRAME_END_PROMPT = latin1(TEXT.FRAME_END_PROMPT);
export const RAW_PASTE_REFUSED = latin1(TEXT.RAW_PASTE_REFUSED);

/**
 * A raw-mode execution's output frame: stdout, Ctrl-D, the exception text (`''` when none),
 * Ctrl-D. The raw prompt follows, unless the code raised SystemExit (a soft reboot follows).
 */
export function rawFrame(stdout: string, exceptionText = ''): string {
  return `${stdout}\x04${exceptionText}\x04`;
}

/** The frame of an execution that raised `exceptionText` after its stdout, and the prompt. */
export function rawErrorFrame(exceptionText: string): Buffer {
  return latin1(`${rawFrame('', exceptionText)}${TEXT.RAW_PROMPT}`);
}

/** Ctrl-E `A` Ctrl-A: "start raw-paste with command A", sent at the raw prompt. */
export const RAW_PASTE_REQUEST = Buffer.from([BYTE.CTRL_E, BYTE.RAW_PASTE_COMMAND, BYTE.CTRL_A]);
/** Raw-paste accepted: the first two bytes of the device's answer; the window follows. */
export const RAW_PASTE_ACCEPTED = latin1('R\x01');
/** A Pico's raw-paste window: its 256-byte stdin buffer / 2. */
export const RAW_PASTE_WINDOW = 128;

/** The device accepts raw-paste: `R\x01`, the window (uint16 LE), and one more window (Ctrl-A). */
export function rawPasteAccept(windowSize: number): Buffer {
  return Buffer.from([...RAW_PASTE_ACCEPTED, windowSize & 0xff, windowSize >> 8, BYTE.CTRL_A]);
}

/** Raw-paste, from the device: the host may send one more window. */
export const RAW_PASTE_GRANT = CTRL_A;
/**
 * Raw-paste: from the host, the end of the code; from the device, the echo of that end, or (sent
 * first) "stopped reading", which the host answers with its end.
 */
export const RAW_PASTE_END = CTRL_D;
