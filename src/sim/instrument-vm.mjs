// The work-clock VM: the package's `micropython.wasm` with a work counter in every function and its
// clock on that counter (work-counter-pass.mjs, work-clock-time-patch.mjs). The VM's code is
// otherwise unchanged: same functions, same memory, same imports the package's JS glue provides.
//
// Plain JavaScript, run in a thread without loaders (instrument-thread.mjs), like vm-worker.mjs:
// binaryen is a 14 MB JavaScript module that loads in ~0.4 s under plain node, but takes ~9 s under
// tsx, whose loader transforms it. Types for TypeScript callers: instrument-vm.d.mts.
import binaryen from 'binaryen';
import { addWorkCounter } from './work-counter-pass.mjs';
import { patchClock } from './work-clock-time-patch.mjs';

/**
 * The exports the instrumented VM adds (wasm globals, read and set by the VM's thread):
 * `picogc_work` counts wasm instructions run (i64), `picogc_tables` the `br_table`s among them
 * (i64), `picogc_extra_us` is Pico time that runs no counted code (i64 µs), `picogc_us_per_count`
 * and `picogc_us_per_table` convert counts to Pico µs (f64, set at boot).
 */
export const WORK_CLOCK_EXPORTS = Object.freeze({
  work: 'picogc_work',
  tables: 'picogc_tables',
  extraUs: 'picogc_extra_us',
  usPerCount: 'picogc_us_per_count',
  usPerTable: 'picogc_us_per_table',
});

/** Instrument the VM's wasm bytes. Throws if the build is not the one the clock patch knows. */
export function instrumentVm(original) {
  const module = binaryen.readBinary(original);
  try {
    module.setFeatures(module.getFeatures() | binaryen.Features.MutableGlobals);
    const m = module;
    m.addGlobal(WORK_CLOCK_EXPORTS.work, binaryen.i64, true, m.i64.const(0n));
    m.addGlobal(WORK_CLOCK_EXPORTS.tables, binaryen.i64, true, m.i64.const(0n));
    m.addGlobal(WORK_CLOCK_EXPORTS.extraUs, binaryen.i64, true, m.i64.const(0n));
    m.addGlobal(WORK_CLOCK_EXPORTS.usPerCount, binaryen.f64, true, m.f64.const(0));
    m.addGlobal(WORK_CLOCK_EXPORTS.usPerTable, binaryen.f64, true, m.f64.const(0));
    for (const name of Object.values(WORK_CLOCK_EXPORTS)) m.addGlobalExport(name, name);
    // The clock first, so its new bodies are counted like any other code.
    const clock = patchClock(module, WORK_CLOCK_EXPORTS);
    const counter = addWorkCounter(module, WORK_CLOCK_EXPORTS.work, WORK_CLOCK_EXPORTS.tables);
    if (!module.validate()) throw new Error('the instrumented VM does not validate');
    return { wasm: module.emitBinary(), counter, clock, functions: module.getNumFunctions() };
  } finally {
    module.dispose();
  }
}

// For tests and tools that check what the pass does (instrument-vm.d.mts types them).
export { addWorkCounter } from './work-counter-pass.mjs';
export { callersOf, importNamed } from './wasm-ir.mjs';
