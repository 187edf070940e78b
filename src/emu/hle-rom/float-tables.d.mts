// Types of float-tables.mjs (the JavaScript is not type-checked).
import type { FloatRoutine } from './float-routines.mjs';
import type { RomRoutine } from './hle-rom.mjs';

/** The table's entries as trap routines, in slot order. */
export declare function floatTableRoutines(
  table: 'SF' | 'SD',
  entries: readonly (FloatRoutine | null)[],
): RomRoutine[];
