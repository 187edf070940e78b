// The work counter: an i64 global that grows by the number of wasm instructions of each
// straight-line segment as the segment is entered. Plain JavaScript for the reason
// instrument-vm.mjs gives.
//
// A segment is what binaryen's structured IR runs without a branch: it starts at a function entry,
// a loop's body (every iteration), an `if` arm, and right after any statement that holds a branch
// or a nested block (the point a `br` to that block lands on); it ends after the statement holding
// the branch. One increment at its start adds its instruction count (every expression node is one
// instruction, except `block`, `loop` and `nop`, which a wasm engine does not execute). A `br_if`
// taken out of the middle of a segment, or a trap, still counts the rest of the segment: the count
// is a deterministic measure of the work done, not an exact instruction trace.
import binaryen from 'binaryen';
import {
  blockChild,
  blockChildren,
  id,
  ifParts,
  insertBlockChild,
  loopBody,
  operands,
  setBody,
  setIfFalse,
  setIfTrue,
  setLoopBody,
} from './wasm-ir.mjs';

/**
 * Add the counter (the mutable i64 global `counterGlobal`, which must exist) to every function of
 * `module`. Returns the increments inserted and the instructions they cover (static: each counted
 * once, however often it runs).
 */
export function addWorkCounter(module, counterGlobal) {
  const pass = new CounterPass(module, counterGlobal);
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const func = module.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(func);
    if (info.module) continue; // an import has no body
    setBody(func, pass.region(info.body));
  }
  return { segments: pass.segments, instructions: pass.instructions };
}

class CounterPass {
  segments = 0;
  instructions = 0;

  constructor(m, counter) {
    this.m = m;
    this.counter = counter;
  }

  /** Instrument code that starts a segment (function body, loop body, if arm); returns its new form. */
  region(e) {
    if (e === 0) return e;
    if (id(e) === binaryen.BlockId) {
      this.list(e);
      return e;
    }
    const { count } = this.inline(e);
    if (count === 0) return e;
    return this.m.block(null, [this.increment(count), e], binaryen.auto);
  }

  /** A block's statements: one increment at the start of each segment among them. */
  list(block) {
    const n = blockChildren(block);
    const starts = [];
    let at = 0;
    let pending = 0;
    for (let i = 0; i < n; i++) {
      const { count, ends } = this.inline(blockChild(block, i));
      pending += count;
      if (ends) {
        if (pending > 0) starts.push({ at, count: pending });
        pending = 0;
        at = i + 1;
      }
    }
    if (pending > 0) starts.push({ at, count: pending });
    // From the last, so earlier positions stay valid.
    for (const { at: index, count } of starts.reverse())
      insertBlockChild(block, index, this.increment(count));
  }

  /**
   * Count what `e` runs in the current segment and instrument the segments nested in it. `ends`:
   * control may leave or re-enter after `e`, so the next statement starts a new segment.
   */
  inline(e) {
    if (e === 0) return { count: 0, ends: false };
    const kind = id(e);
    if (kind === binaryen.BlockId) {
      this.list(e);
      return { count: 0, ends: true };
    }
    if (kind === binaryen.LoopId) {
      setLoopBody(e, this.region(loopBody(e)));
      return { count: 0, ends: true };
    }
    if (kind === binaryen.IfId) {
      const { condition, ifTrue, ifFalse } = ifParts(e);
      const inCondition = this.inline(condition);
      setIfTrue(e, this.region(ifTrue));
      if (ifFalse !== 0) setIfFalse(e, this.region(ifFalse));
      return { count: inCondition.count + 1, ends: true };
    }
    let count = kind === binaryen.NopId ? 0 : 1;
    let ends =
      kind === binaryen.BreakId ||
      kind === binaryen.SwitchId ||
      kind === binaryen.ReturnId ||
      kind === binaryen.UnreachableId;
    for (const operand of operands(e)) {
      const inner = this.inline(operand);
      count += inner.count;
      ends ||= inner.ends;
    }
    return { count, ends };
  }

  increment(count) {
    this.segments++;
    this.instructions += count;
    const m = this.m;
    return m.global.set(
      this.counter,
      m.i64.add(m.global.get(this.counter, binaryen.i64), m.i64.const(BigInt(count))),
    );
  }
}
