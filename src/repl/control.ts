/** The control bytes and fixed texts of MicroPython's raw REPL (micropython-facts.md §1). */
export const CTRL_A = Buffer.from([0x01]);
export const CTRL_B = Buffer.from([0x02]);
export const CTRL_C = Buffer.from([0x03]);
export const CTRL_D = Buffer.from([0x04]);

/** Byte values, for comparing single bytes read from the device. */
export const BYTE = { CTRL_A: 0x01, CTRL_D: 0x04, PROMPT: 0x3e } as const;

/** `\r` first so Ctrl-A lands on an empty friendly line (readline only honours it there). */
export const INTERRUPT_LINE = Buffer.from('\r\x03', 'latin1');
export const ENTER_RAW_LINE = Buffer.from('\r\x01', 'latin1');

/** Printed on entering raw mode, on Ctrl-A in raw mode, and after a soft reboot in raw mode. */
export const RAW_BANNER_PROMPT = Buffer.from('raw REPL; CTRL-B to exit\r\n>', 'latin1');
export const SOFT_REBOOT_LINE = Buffer.from('soft reboot\r\n', 'latin1');
/** What rp2's main loop prints when the raw REPL returns for a soft reboot (cooked `\n`). */
export const MPY_SOFT_REBOOT = Buffer.from('MPY: soft reboot\r\n', 'latin1');
export const FRIENDLY_PROMPT = Buffer.from('>>> ', 'latin1');
/** The end of the friendly banner a board prints after a hard reset (power-up, watchdog, RESET). */
export const FRIENDLY_BANNER_END = 'Type "help()" for more information.';
export const OK = Buffer.from('OK', 'latin1');
/** The end of an output frame and the prompt that follows it. */
export const FRAME_END_PROMPT = Buffer.from('\x04>', 'latin1');
