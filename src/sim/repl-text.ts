/**
 * The two rewrites the REPL server applies to the VM's output, and the one answer it composes for
 * a VM it had to replace. Other bytes it writes itself are the raw REPL's vocabulary
 * (src/protocol/raw-repl-vocabulary.ts); all other output is the VM's own.
 */

import { TEXT, rawErrorFrame } from '../protocol/raw-repl-vocabulary.ts';
import type { ReplMode } from './vm-protocol.ts';

const VM_BANNER = /^(MicroPython \S+ on \S+); JS with Emscripten\r$/m;
export const MACHINE_NAME = 'picogc virtual Pico with webassembly-pyscript VM';

/**
 * The friendly banner names the board after the `;`; the VM names "JS with Emscripten". Keep the
 * VM's version and date, name the virtual Pico. Text that is not a banner passes unchanged.
 */
export function rewriteBanner(text: string): string {
  return text.replace(VM_BANNER, `$1; ${MACHINE_NAME}\r`);
}

/** What a Pico prints for a KeyboardInterrupt whose line is unknown: no traceback lines. */
export function unknownLineInterrupted(mode: ReplMode): Buffer {
  return mode === 'raw'
    ? rawErrorFrame(TEXT.KEYBOARD_INTERRUPT)
    : Buffer.from(`${TEXT.KEYBOARD_INTERRUPT}${TEXT.FRIENDLY_PROMPT}`, 'latin1');
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
