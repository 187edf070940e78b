// Types of float-routines.mjs (the JavaScript is not type-checked).

/** One routine of the ROM's soft-float or soft-double table. */
export interface FloatRoutine {
  name: string;
  /** r0..r3 as uint32 in; the result registers from r0 out (one word, or two: low word first). */
  run(r: readonly number[]): number[];
  /** The cycles the real ROM takes for this call (measured model, float-cycles.json). */
  cycles(r: readonly number[]): number;
}

export declare const SOFT_FLOAT_TABLE: readonly (FloatRoutine | null)[];
export declare const SOFT_DOUBLE_TABLE: readonly (FloatRoutine | null)[];
export declare const SOFT_FLOAT_NAMES: readonly (string | null)[];
export declare const SOFT_DOUBLE_NAMES: readonly (string | null)[];
export declare const CYCLES_PROVENANCE: Record<string, string>;
export declare const TRANSCENDENTAL_ULP: {
  measuredWith: string;
  routines: Record<string, { vectors: number; bitIdentical: number; maxUlp: number; maxAbsError: number }>;
};
