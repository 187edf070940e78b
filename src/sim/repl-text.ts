/**
 * The bytes the REPL server writes itself, and the two rewrites it applies to the VM's output. All
 * other output is the VM's own.
 */

/** rp2's main.c prints this between the REPL's `OK\r\n` and the next prompt (shared/runtime/pyexec.c). */
export const SOFT_REBOOT = 'MPY: soft reboot\r\n';

/** Raw-paste acceptance: `R\x01`, the window (uint16 LE, 128 = a Pico's 256-byte stdin buffer / 2), one more window. */
export const RAW_PASTE_WINDOW = 128;
export const RAW_PASTE_ACCEPT = Buffer.from([
  0x52,
  0x01,
  RAW_PASTE_WINDOW & 0xff,
  RAW_PASTE_WINDOW >> 8,
  0x01,
]);

/** The raw REPL's answer to Ctrl-A: what the server looks for to know the VM switched to raw mode. */
export const RAW_BANNER = 'raw REPL; CTRL-B to exit\r\n>';

/**
 * A KeyboardInterrupt raised where no bytecode frame is active has no traceback lines; this is what
 * a Pico prints for a Ctrl-C during a raw-paste upload (the reader raises it) and what the server
 * prints when it had to replace a VM that could not be interrupted (the line is unknown).
 */
export const KEYBOARD_INTERRUPT = 'KeyboardInterrupt: \r\n';

/** The end of a raw-mode execution that raised `exceptionText` after its stdout. */
export function rawErrorFrame(exceptionText: string): Buffer {
  return Buffer.from(`\x04${exceptionText}\x04>`, 'latin1');
}

const VM_BANNER = /^(MicroPython \S+ on \S+); JS with Emscripten\r$/m;
export const MACHINE_NAME = 'picogc virtual Pico with webassembly-pyscript VM';

/**
 * The friendly banner names the board after the `;`; the VM names "JS with Emscripten". Keep the
 * VM's version and date, name the virtual Pico. Text that is not a banner passes unchanged.
 */
export function rewriteBanner(text: string): string {
  return text.replace(VM_BANNER, `$1; ${MACHINE_NAME}\r`);
}

/**
 * rp2 cooks its output (`mp_hal_stdout_tx_strn_cooked`): every `\n` goes out as `\r\n`. The wasm VM
 * prints REPL text already cooked but `print()` output raw, so only a `\n` not preceded by `\r` is
 * expanded. State carries across chunks.
 */
export class CrlfCooker {
  private previous = -1;

  cook(chunk: Buffer): Buffer {
    let lone = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x0a && (i === 0 ? this.previous : chunk[i - 1]) !== 0x0d) lone++;
    }
    const previous = this.previous;
    if (chunk.length > 0) this.previous = chunk[chunk.length - 1]!;
    if (lone === 0) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + lone);
    let j = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === 0x0a && (i === 0 ? previous : chunk[i - 1]) !== 0x0d) out[j++] = 0x0d;
      out[j++] = byte;
    }
    return out;
  }
}
