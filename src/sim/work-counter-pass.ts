import binaryen from 'binaryen';
import { id, ir, operands, setBody } from './wasm-ir.ts';

/**
 * Adds the work counter to every function of a module: an i64 global that grows by the number of
 * wasm instructions of each straight-line segment as the segment is entered.
 *
 * A segment is what binaryen's structured IR runs without a branch: it starts at a function entry,
 * a loop's body (every iteration), an `if` arm, and right after any statement that holds a branch
 * or a nested block (the point a `br` to that block lands on); it ends after the statement holding
 * the branch. One increment at its start adds its instruction count (every expression node is one
 * instruction, except `block`, `loop` and `nop`, which a wasm engine does not execute). A `br_if`
 * taken out of the middle of an expression, or a trap, still counts the rest of its segment: the
 * count is a deterministic measure of work done, not an exact instruction trace.
 */
export interface CounterPassResult {
  /** Increments inserted. */
  segments: number;
  /** Instructions covered by them (static: each counted once, however often it runs). */
  instructions: number;
}

export function addWorkCounter(module: binaryen.Module, counterGlobal: string): CounterPassResult {
  const pass = new CounterPass(module, counterGlobal);
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const func = module.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(func);
    if (info.module) continue; // an import has no body
    setBody(func, pass.region(info.body));
  }
  return { segments: pass.segments, instructions: pass.instructions };
}

interface Inline {
  /** Instructions that run in the enclosing segment. */
  count: number;
  /** Control may leave or re-enter here, so the next statement starts a new segment. */
  ends: boolean;
}

class CounterPass {
  segments = 0;
  instructions = 0;

  constructor(
    private readonly m: binaryen.Module,
    private readonly counter: string,
  ) {}

  /** Instrument code that starts a segment (function body, loop body, if arm); returns its new form. */
  region(e: number): number {
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
  private list(block: number): void {
    const n = ir._BinaryenBlockGetNumChildren(block);
    const starts: Array<{ at: number; count: number }> = [];
    let at = 0;
    let pending = 0;
    for (let i = 0; i < n; i++) {
      const { count, ends } = this.inline(ir._BinaryenBlockGetChildAt(block, i));
      pending += count;
      if (ends) {
        if (pending > 0) starts.push({ at, count: pending });
        pending = 0;
        at = i + 1;
      }
    }
    if (pending > 0) starts.push({ at, count: pending });
    // From the last, so earlier positions stay valid.
    for (const { at: index, count } of starts.reverse()) {
      ir._BinaryenBlockInsertChildAt(block, index, this.increment(count));
    }
  }

  /** Count what `e` runs in the current segment; instrument the segments nested in it. */
  private inline(e: number): Inline {
    if (e === 0) return { count: 0, ends: false };
    const kind = id(e);
    if (kind === binaryen.BlockId) {
      this.list(e);
      return { count: 0, ends: true };
    }
    if (kind === binaryen.LoopId) {
      ir._BinaryenLoopSetBody(e, this.region(ir._BinaryenLoopGetBody(e)));
      return { count: 0, ends: true };
    }
    if (kind === binaryen.IfId) {
      const condition = this.inline(ir._BinaryenIfGetCondition(e));
      ir._BinaryenIfSetIfTrue(e, this.region(ir._BinaryenIfGetIfTrue(e)));
      const ifFalse = ir._BinaryenIfGetIfFalse(e);
      if (ifFalse !== 0) ir._BinaryenIfSetIfFalse(e, this.region(ifFalse));
      return { count: condition.count + 1, ends: true };
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

  private increment(count: number): number {
    this.segments++;
    this.instructions += count;
    const m = this.m;
    return m.global.set(
      this.counter,
      m.i64.add(m.global.get(this.counter, binaryen.i64), m.i64.const(BigInt(count))),
    );
  }
}
