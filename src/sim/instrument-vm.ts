import binaryen from 'binaryen';
import { addWorkCounter, type CounterPassResult } from './work-counter-pass.ts';
import { patchClock, type ClockGlobals, type TimePatchResult } from './work-clock-time-patch.ts';

/**
 * The exports the instrumented VM adds (wasm globals, read and set by the VM's thread):
 * `picogc_work` counts wasm instructions run (i64), `picogc_extra_us` is Pico time that runs no
 * counted code (i64 µs), `picogc_us_per_count` converts counts to Pico µs (f64, set at boot).
 */
export const WORK_CLOCK_EXPORTS = {
  work: 'picogc_work',
  extraUs: 'picogc_extra_us',
  usPerCount: 'picogc_us_per_count',
} as const satisfies ClockGlobals;

export interface InstrumentResult {
  wasm: Uint8Array;
  counter: CounterPassResult;
  clock: TimePatchResult;
  functions: number;
}

/**
 * The package's `micropython.wasm` with a work counter in every function and its clock on that
 * counter (work-counter-pass.ts, work-clock-time-patch.ts). The VM's code is otherwise unchanged:
 * same functions, same memory, same imports the package's JS glue provides.
 */
export function instrumentVm(original: Uint8Array): InstrumentResult {
  const module = binaryen.readBinary(original);
  try {
    module.setFeatures(module.getFeatures() | binaryen.Features.MutableGlobals);
    const m = module;
    m.addGlobal(WORK_CLOCK_EXPORTS.work, binaryen.i64, true, m.i64.const(0n));
    m.addGlobal(WORK_CLOCK_EXPORTS.extraUs, binaryen.i64, true, m.i64.const(0n));
    m.addGlobal(WORK_CLOCK_EXPORTS.usPerCount, binaryen.f64, true, m.f64.const(0));
    for (const name of Object.values(WORK_CLOCK_EXPORTS)) m.addGlobalExport(name, name);
    // The clock first, so its new bodies are counted like any other code.
    const clock = patchClock(module, WORK_CLOCK_EXPORTS);
    const counter = addWorkCounter(module, WORK_CLOCK_EXPORTS.work);
    if (!module.validate()) throw new Error('the instrumented VM does not validate');
    return { wasm: module.emitBinary(), counter, clock, functions: module.getNumFunctions() };
  } finally {
    module.dispose();
  }
}
