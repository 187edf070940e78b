// Types of float-routines.mjs (the JavaScript is not type-checked).

/** One routine of the soft-float or soft-double table, done in JavaScript. */
export interface FloatRoutine {
  name: string;
  /** r0..r3 as uint32 in, result registers from r0 out. */
  run(r: number[]): number[];
  /** The cycles the routine charges for these arguments. */
  cycles(r: number[]): number;
}

/** In the B1 ROM's table order; null for a deprecated slot. */
export declare const SOFT_FLOAT_TABLE: readonly (FloatRoutine | null)[];
export declare const SOFT_DOUBLE_TABLE: readonly (FloatRoutine | null)[];
