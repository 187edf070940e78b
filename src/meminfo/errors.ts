import { InputError, escapeBytes } from '../errors.ts';

/**
 * `micropython.mem_info()` text that does not follow the format of py/modmicropython.c and
 * py/gc.c (`gc_dump_info`, `gc_dump_alloc_table`). Names the 1-based line, what the format
 * requires there and what was found, so a truncated capture or a corrupted dump is obvious.
 */
export class MemInfoParseError extends InputError {
  constructor(
    readonly line: number,
    readonly expected: string,
    readonly found: string,
  ) {
    const shown = found.length > 80 ? `${escapeBytes(found.slice(0, 80), 200)}…` : escapeBytes(found, 200);
    super(`mem_info line ${line}: expected ${expected}, found "${shown}"`);
  }
}
