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
//
// A second counter, when asked for, grows by the `br_table`s (C `switch`es) a segment holds. One wasm
// instruction each, but a Cortex-M0+ runs a switch through a Thumb-1 case-table helper (a call, a
// table load, a computed branch), so a Pico pays them far more than the VM's count says; the sweep
// of py/gc.c runs one per heap block. The calibration prices them on their own.
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
 * `module`, and the `br_table` counter (`tablesGlobal`, likewise) if named. Returns the increments
 * inserted and the instructions and tables they cover (static: each counted once, however often it
 * runs).
 */
export function addWorkCounter(module, counterGlobal, tablesGlobal) {
  const pass = new CounterPass(module, counterGlobal, tablesGlobal);
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const func = module.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(func);
    if (info.module) continue; // an import has no body
    setBody(func, pass.region(info.body));
  }
  return { segments: pass.segments, instructions: pass.instructions, tables: pass.tables };
}

class CounterPass {
  segments = 0;
  instructions = 0;
  tables = 0;

  constructor(m, counter, tablesCounter) {
    this.m = m;
    this.counter = counter;
    this.tablesCounter = tablesCounter;
  }

  /** Instrument code that starts a segment (function body, loop body, if arm); returns its new form. */
  region(e) {
    if (e === 0) return e;
    if (id(e) === binaryen.BlockId) {
      this.list(e);
      return e;
    }
    const { count, tables } = this.inline(e);
    if (count === 0) return e;
    return this.m.block(null, [...this.increment(count, tables), e], binaryen.auto);
  }

  /** A block's statements: one increment at the start of each segment among them. */
  list(block) {
    const n = blockChildren(block);
    const starts = [];
    let at = 0;
    let pending = 0;
    let pendingTables = 0;
    for (let i = 0; i < n; i++) {
      const { count, tables, ends } = this.inline(blockChild(block, i));
      pending += count;
      pendingTables += tables;
      if (ends) {
        if (pending > 0) starts.push({ at, count: pending, tables: pendingTables });
        pending = 0;
        pendingTables = 0;
        at = i + 1;
      }
    }
    if (pending > 0) starts.push({ at, count: pending, tables: pendingTables });
    // From the last, so earlier positions stay valid.
    for (const { at: index, count, tables } of starts.reverse())
      for (const increment of this.increment(count, tables).reverse())
        insertBlockChild(block, index, increment);
  }

  /**
   * Count what `e` runs in the current segment and instrument the segments nested in it. `ends`:
   * control may leave or re-enter after `e`, so the next statement starts a new segment.
   */
  inline(e) {
    if (e === 0) return { count: 0, tables: 0, ends: false };
    const kind = id(e);
    if (kind === binaryen.BlockId) {
      this.list(e);
      return { count: 0, tables: 0, ends: true };
    }
    if (kind === binaryen.LoopId) {
      setLoopBody(e, this.region(loopBody(e)));
      return { count: 0, tables: 0, ends: true };
    }
    if (kind === binaryen.IfId) {
      const { condition, ifTrue, ifFalse } = ifParts(e);
      const inCondition = this.inline(condition);
      setIfTrue(e, this.region(ifTrue));
      if (ifFalse !== 0) setIfFalse(e, this.region(ifFalse));
      return { count: inCondition.count + 1, tables: inCondition.tables, ends: true };
    }
    let count = kind === binaryen.NopId ? 0 : 1;
    let tables = kind === binaryen.SwitchId ? 1 : 0;
    let ends =
      kind === binaryen.BreakId ||
      kind === binaryen.SwitchId ||
      kind === binaryen.ReturnId ||
      kind === binaryen.UnreachableId;
    for (const operand of operands(e)) {
      const inner = this.inline(operand);
      count += inner.count;
      tables += inner.tables;
      ends ||= inner.ends;
    }
    return { count, tables, ends };
  }

  /** The statements that count a segment: its instructions, and its tables if any are counted. */
  increment(count, tables) {
    this.segments++;
    this.instructions += count;
    const add = (global, n) =>
      this.m.global.set(
        global,
        this.m.i64.add(this.m.global.get(global, binaryen.i64), this.m.i64.const(BigInt(n))),
      );
    if (!this.tablesCounter || tables === 0) return [add(this.counter, count)];
    this.tables += tables;
    return [add(this.counter, count), add(this.tablesCounter, tables)];
  }
}
