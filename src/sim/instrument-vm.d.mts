// Types of instrument-vm.mjs and the helpers its tests use (the JavaScript is not type-checked).
import type binaryen from 'binaryen';

export declare const WORK_CLOCK_EXPORTS: Readonly<{
  work: 'picogc_work';
  tables: 'picogc_tables';
  extraUs: 'picogc_extra_us';
  usPerCount: 'picogc_us_per_count';
  usPerTable: 'picogc_us_per_table';
}>;

export interface CounterPassResult {
  /** Increments inserted. */
  segments: number;
  /** Instructions they cover (static: each counted once, however often it runs). */
  instructions: number;
  /** `br_table`s among them (0 unless a tables counter was named). */
  tables: number;
}

/** Internal names of the VM's clock functions the patch replaced. */
export interface TimePatchResult {
  ticksMs: string;
  ticksUs: string;
  ticksCpu: string;
  delayMs: string;
  delayUs: string;
}

export interface InstrumentResult {
  wasm: Uint8Array;
  counter: CounterPassResult;
  clock: TimePatchResult;
  functions: number;
}

export declare function instrumentVm(original: Uint8Array): InstrumentResult;
export declare function addWorkCounter(
  module: binaryen.Module,
  counterGlobal: string,
  tablesGlobal?: string,
): CounterPassResult;
export declare function callersOf(module: binaryen.Module, target: string): string[];
export declare function importNamed(module: binaryen.Module, from: string, base: string): string;
