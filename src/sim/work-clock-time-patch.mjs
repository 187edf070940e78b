// Makes the VM's `ports/webassembly/mphalport.c` clock read the work clock. Plain JavaScript for
// the reason instrument-vm.mjs gives.
//
// In the package's wasm (no name section) these functions are found by what they do, and every
// finding is checked, so a different build fails here instead of keeping a host clock somewhere:
// - `mp_hal_ticks_ms`: returns the import `env.mp_js_ticks_ms` (host `Date.now()`);
// - `mp_hal_ticks_us`: returns that import × 1000 (why `ticks_us` had millisecond resolution);
// - `mp_hal_delay_ms` / `mp_hal_delay_us`: busy-wait on that import (the µs one multiplies by 1000);
// - `mp_hal_ticks_cpu`: returns 0; it is the one clock left that `time.ticks_cpu()` wraps as a small
//   int, the same wrapper as `time.ticks_ms()` and `time.ticks_us()` (`(t << 1 & 0x7ffffffe) | 1`).
//
// After the patch the ticks read Pico microseconds:
// `floor(work × usPerCount + tables × usPerTable) + extraUs`, where `work` and `tables` are the
// counters, `usPerCount` and `usPerTable` are set by the host from the calibration, and `extraUs` is
// Pico time that runs no counted code (sleeps, and the part of a collection a Pico has and the VM
// lacks). A delay adds its length to `extraUs` and returns: a sleep reads as exactly the time
// slept, never spins and never hangs. `mp_js_ticks_ms` is then called nowhere; `mp_js_time_ms`
// (`time.time()`) is kept. None of it allocates: the results are small ints, as on a Pico.
import binaryen from 'binaryen';
import {
  binaryLeft,
  binaryOp,
  binaryRight,
  callOperandCount,
  callTarget,
  callersOf,
  id,
  importNamed,
  isConstI32,
  setBody,
  walk,
} from './wasm-ir.mjs';

const TICKS_IMPORT = 'mp_js_ticks_ms';
const SMALL_INT_MASK = 0x7ffffffe; // (2^30 - 1) << 1: MICROPY_PY_TIME_TICKS_PERIOD as a small int

/**
 * Patch `module`'s clock onto the globals named in `globals` ({ work, tables, extraUs, usPerCount,
 * usPerTable }, which must exist). Returns the internal names of the functions replaced, for the record.
 */
export function patchClock(module, globals) {
  const functions = bodies(module);
  const ticksImport = importNamed(module, 'env', TICKS_IMPORT);
  const callers = callersOf(module, ticksImport).map((name) => [name, functions.get(name)]);
  if (callers.length !== 4) {
    throw new Error(
      `${TICKS_IMPORT} has ${callers.length} callers in this VM build, expected the 4 of mphalport.c`,
    );
  }
  const ticksMs = single(callers, (f) => noParams(f) && isCall(f.body, ticksImport), 'mp_hal_ticks_ms');
  const ticksUs = single(
    callers,
    (f) => noParams(f) && isMul1000(f.body) && isCall(binaryLeft(f.body), ticksImport),
    'mp_hal_ticks_us',
  );
  const delays = callers.filter(([name]) => name !== ticksMs && name !== ticksUs);
  const delayUs = single(delays, (f) => oneParamNoResult(f) && hasMul1000(f.body), 'mp_hal_delay_us');
  const delayMs = single(delays, (f) => oneParamNoResult(f) && !hasMul1000(f.body), 'mp_hal_delay_ms');
  const ticksCpu = findTicksCpu(functions, ticksMs, ticksUs);

  const m = module;
  const nowUs = '__picogc_now_us';
  m.addFunction(
    nowUs,
    binaryen.none,
    binaryen.i64,
    [],
    m.i64.add(
      m.i64.trunc_u_sat.f64(
        m.f64.add(
          m.f64.mul(
            m.f64.convert_u.i64(m.global.get(globals.work, binaryen.i64)),
            m.global.get(globals.usPerCount, binaryen.f64),
          ),
          m.f64.mul(
            m.f64.convert_u.i64(m.global.get(globals.tables, binaryen.i64)),
            m.global.get(globals.usPerTable, binaryen.f64),
          ),
        ),
      ),
      m.global.get(globals.extraUs, binaryen.i64),
    ),
  );
  const now = () => m.call(nowUs, [], binaryen.i64);
  const addUs = (us) =>
    m.global.set(globals.extraUs, m.i64.add(m.global.get(globals.extraUs, binaryen.i64), us));
  const replace = (name, body) => setBody(m.getFunction(name), body);
  const arg = () => m.i64.extend_u(m.local.get(0, binaryen.i32));

  replace(ticksMs, m.i32.wrap(m.i64.div_u(now(), m.i64.const(1000n))));
  replace(ticksUs, m.i32.wrap(now()));
  replace(ticksCpu, m.i32.wrap(now())); // on a Pico, ticks_cpu is the same 1 MHz timer
  replace(delayMs, addUs(m.i64.mul(arg(), m.i64.const(1000n))));
  replace(delayUs, addUs(arg()));
  return { ticksMs, ticksUs, ticksCpu, delayMs, delayUs };
}

function bodies(module) {
  const map = new Map();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (!info.module) map.set(info.name, info);
  }
  return map;
}

function single(candidates, test, what) {
  const found = candidates.filter(([, info]) => test(info));
  if (found.length !== 1)
    throw new Error(`found ${found.length} candidates for ${what} in the VM's wasm, expected 1`);
  return found[0][0];
}

const isCall = (e, target) =>
  id(e) === binaryen.CallId && callTarget(e) === target && callOperandCount(e) === 0;
const noParams = (f) => f.params === binaryen.none && f.results === binaryen.i32;
const oneParamNoResult = (f) => f.params === binaryen.i32 && f.results === binaryen.none;
const isBinary = (e, op) => id(e) === binaryen.BinaryId && binaryOp(e) === op;
const isMul1000 = (e) => isBinary(e, binaryen.MulInt32) && isConstI32(binaryRight(e), 1000);
const hasMul1000 = (body) => [...walk(body)].some(isMul1000);

/**
 * `time.ticks_cpu()`'s clock: of the three functions shaped `(clock() << 1 & mask) | 1`, the one
 * that does not wrap ticks_ms or ticks_us; its clock must be the constant 0 of mphalport.c.
 */
function findTicksCpu(functions, ticksMs, ticksUs) {
  const wrapped = [];
  for (const info of functions.values()) {
    const clock = smallIntWrapped(info);
    if (clock !== undefined) wrapped.push(clock);
  }
  const others = wrapped.filter((name) => name !== ticksMs && name !== ticksUs);
  if (!wrapped.includes(ticksMs) || !wrapped.includes(ticksUs) || others.length !== 1) {
    throw new Error(
      `could not tell time.ticks_cpu() apart in the VM's wasm (clocks wrapped: ${wrapped.join(', ')})`,
    );
  }
  const ticksCpu = others[0];
  if (!isConstI32(functions.get(ticksCpu)?.body ?? 0, 0)) {
    throw new Error(`the VM's ticks_cpu clock (${ticksCpu}) is not the constant 0 expected`);
  }
  return ticksCpu;
}

/** The clock function `f` of a function whose whole body is `(f() << 1 & 0x7ffffffe) | 1`. */
function smallIntWrapped(info) {
  if (!noParams(info)) return undefined;
  const or = info.body;
  if (!isBinary(or, binaryen.OrInt32) || !isConstI32(binaryRight(or), 1)) return undefined;
  const and = binaryLeft(or);
  if (!isBinary(and, binaryen.AndInt32) || !isConstI32(binaryRight(and), SMALL_INT_MASK)) return undefined;
  const shl = binaryLeft(and);
  if (!isBinary(shl, binaryen.ShlInt32) || !isConstI32(binaryRight(shl), 1)) return undefined;
  const call = binaryLeft(shl);
  if (id(call) !== binaryen.CallId || callOperandCount(call) !== 0) return undefined;
  return callTarget(call);
}
