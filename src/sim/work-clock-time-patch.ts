import binaryen from 'binaryen';
import { callTarget, id, ir, setBody as setFunctionBody, walk } from './wasm-ir.ts';

/**
 * Makes the VM's `ports/webassembly/mphalport.c` clock read the work clock. In the package's wasm
 * (no name section) these functions are found by what they do, and every finding is checked, so a
 * different build fails here instead of keeping a host clock somewhere:
 *
 * - `mp_hal_ticks_ms`: returns the import `env.mp_js_ticks_ms` (host `Date.now()`);
 * - `mp_hal_ticks_us`: returns that import × 1000 (why `ticks_us` had millisecond resolution);
 * - `mp_hal_delay_ms` / `mp_hal_delay_us`: busy-wait on that import (the µs one multiplies by 1000);
 * - `mp_hal_ticks_cpu`: returns 0; it is the one clock left that `time.ticks_cpu()` wraps as a small
 *   int, the same wrapper as `time.ticks_ms()` and `time.ticks_us()` (`(t << 1 & 0x7ffffffe) | 1`).
 *
 * After the patch the ticks read Pico microseconds: `floor(work × usPerCount) + extraUs`, where
 * `work` is the counter, `usPerCount` is set by the host from the calibration, and `extraUs` is Pico
 * time that runs no counted code (sleeps, and the part of a collection a Pico has and the VM lacks).
 * A delay adds its length to `extraUs` and returns: a sleep reads as exactly the time slept, never
 * spins and never hangs. `mp_js_ticks_ms` is no longer called; `mp_js_time_ms` (`time.time()`) is
 * kept. None of it allocates: the results are small ints, as on a Pico.
 */
export interface ClockGlobals {
  work: string;
  extraUs: string;
  usPerCount: string;
}

export interface TimePatchResult {
  /** Internal names of the functions found and replaced, for the record. */
  ticksMs: string;
  ticksUs: string;
  ticksCpu: string;
  delayMs: string;
  delayUs: string;
}

const TICKS_IMPORT = 'mp_js_ticks_ms';
const SMALL_INT_MASK = 0x7ffffffe; // (2^30 - 1) << 1: MICROPY_PY_TIME_TICKS_PERIOD as a small int

export function patchClock(module: binaryen.Module, globals: ClockGlobals): TimePatchResult {
  const functions = bodies(module);
  const ticksImport = importNamed(module, 'env', TICKS_IMPORT);
  const callers = [...functions].filter(([, info]) => calls(info.body, ticksImport).length > 0);

  const ticksMs = single(
    callers,
    (info) => noParams(info) && isCall(info.body, ticksImport),
    'mp_hal_ticks_ms',
  );
  const ticksUs = single(
    callers,
    (info) => noParams(info) && isMul1000(info.body) && isCall(left(info.body), ticksImport),
    'mp_hal_ticks_us',
  );
  const delays = callers.filter(([name]) => name !== ticksMs && name !== ticksUs);
  const delayUs = single(
    delays,
    (info) => oneParamNoResult(info) && hasMul1000(info.body),
    'mp_hal_delay_us',
  );
  const delayMs = single(
    delays,
    (info) => oneParamNoResult(info) && !hasMul1000(info.body),
    'mp_hal_delay_ms',
  );
  if (callers.length !== 4) {
    throw new Error(
      `${TICKS_IMPORT} has ${callers.length} callers in this VM build, expected the 4 of mphalport.c`,
    );
  }
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
        m.f64.mul(
          m.f64.convert_u.i64(m.global.get(globals.work, binaryen.i64)),
          m.global.get(globals.usPerCount, binaryen.f64),
        ),
      ),
      m.global.get(globals.extraUs, binaryen.i64),
    ),
  );
  const now = () => m.call(nowUs, [], binaryen.i64);
  const addUs = (us: number) =>
    m.global.set(globals.extraUs, m.i64.add(m.global.get(globals.extraUs, binaryen.i64), us));
  const setBody = (name: string, body: number) => setFunctionBody(m.getFunction(name), body);

  setBody(ticksMs, m.i32.wrap(m.i64.div_u(now(), m.i64.const(1000n))));
  setBody(ticksUs, m.i32.wrap(now()));
  setBody(ticksCpu, m.i32.wrap(now())); // on a Pico, ticks_cpu is the same 1 MHz timer
  setBody(delayMs, addUs(m.i64.mul(m.i64.extend_u(m.local.get(0, binaryen.i32)), m.i64.const(1000n))));
  setBody(delayUs, addUs(m.i64.extend_u(m.local.get(0, binaryen.i32))));
  return { ticksMs, ticksUs, ticksCpu, delayMs, delayUs };
}

type Bodies = Map<string, binaryen.FunctionInfo>;

function bodies(module: binaryen.Module): Bodies {
  const map: Bodies = new Map();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (!info.module) map.set(info.name, info);
  }
  return map;
}

function importNamed(module: binaryen.Module, from: string, base: string): string {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module === from && info.base === base) return info.name;
  }
  throw new Error(`the VM's wasm does not import ${from}.${base}`);
}

function single(
  candidates: Array<[string, binaryen.FunctionInfo]>,
  test: (info: binaryen.FunctionInfo) => boolean,
  what: string,
): string {
  const found = candidates.filter(([, info]) => test(info));
  if (found.length !== 1)
    throw new Error(`found ${found.length} candidates for ${what} in the VM's wasm, expected 1`);
  return found[0]![0];
}

function calls(body: number, target: string): number[] {
  return [...walk(body)].filter((e) => id(e) === binaryen.CallId && callTarget(e) === target);
}

const isCall = (e: number, target: string) =>
  id(e) === binaryen.CallId && callTarget(e) === target && ir._BinaryenCallGetNumOperands(e) === 0;

const noParams = (info: binaryen.FunctionInfo) =>
  info.params === binaryen.none && info.results === binaryen.i32;

const oneParamNoResult = (info: binaryen.FunctionInfo) =>
  info.params === binaryen.i32 && info.results === binaryen.none;

const left = (e: number) => ir._BinaryenBinaryGetLeft(e);

function isConstI32(e: number, value: number): boolean {
  return (
    id(e) === binaryen.ConstId &&
    ir._BinaryenExpressionGetType(e) === binaryen.i32 &&
    ir._BinaryenConstGetValueI32(e) === value
  );
}

function isMul1000(e: number): boolean {
  return (
    id(e) === binaryen.BinaryId &&
    ir._BinaryenBinaryGetOp(e) === binaryen.MulInt32 &&
    isConstI32(ir._BinaryenBinaryGetRight(e), 1000)
  );
}

const hasMul1000 = (body: number) => [...walk(body)].some(isMul1000);

/**
 * `time.ticks_cpu()`'s clock: of the three functions shaped `(clock() << 1 & mask) | 1`, the one
 * that does not wrap ticks_ms or ticks_us; its clock must be the constant 0 of mphalport.c.
 */
function findTicksCpu(functions: Bodies, ticksMs: string, ticksUs: string): string {
  const wrapped: string[] = [];
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
  const ticksCpu = others[0]!;
  const body = functions.get(ticksCpu)?.body ?? 0;
  if (!isConstI32(body, 0))
    throw new Error(`the VM's ticks_cpu clock (${ticksCpu}) is not the constant 0 expected`);
  return ticksCpu;
}

/** The clock function `f` of a function whose whole body is `(f() << 1 & 0x7ffffffe) | 1`. */
function smallIntWrapped(info: binaryen.FunctionInfo): string | undefined {
  if (!noParams(info)) return undefined;
  const or = info.body;
  if (!isBinary(or, binaryen.OrInt32) || !isConstI32(ir._BinaryenBinaryGetRight(or), 1)) return undefined;
  const and = left(or);
  if (!isBinary(and, binaryen.AndInt32) || !isConstI32(ir._BinaryenBinaryGetRight(and), SMALL_INT_MASK))
    return undefined;
  const shl = left(and);
  if (!isBinary(shl, binaryen.ShlInt32) || !isConstI32(ir._BinaryenBinaryGetRight(shl), 1)) return undefined;
  const call = left(shl);
  if (id(call) !== binaryen.CallId || ir._BinaryenCallGetNumOperands(call) !== 0) return undefined;
  return callTarget(call);
}

const isBinary = (e: number, op: binaryen.Operations) =>
  id(e) === binaryen.BinaryId && ir._BinaryenBinaryGetOp(e) === op;
