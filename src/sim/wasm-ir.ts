import binaryen from 'binaryen';

/**
 * The few parts of binaryen's C API (exported on the JS module as `_Binaryen…`) that walking and
 * editing an expression tree needs. The package's typings only cover the builder, so the calls used
 * are declared here, and nothing else is reached for.
 */
interface LowLevel {
  _BinaryenExpressionGetId(e: number): binaryen.ExpressionIds;
  _BinaryenExpressionGetType(e: number): number;
  _BinaryenBlockGetNumChildren(e: number): number;
  _BinaryenBlockGetChildAt(e: number, i: number): number;
  _BinaryenBlockInsertChildAt(e: number, i: number, child: number): void;
  _BinaryenIfGetCondition(e: number): number;
  _BinaryenIfGetIfTrue(e: number): number;
  _BinaryenIfGetIfFalse(e: number): number;
  _BinaryenIfSetIfTrue(e: number, child: number): void;
  _BinaryenIfSetIfFalse(e: number, child: number): void;
  _BinaryenLoopGetBody(e: number): number;
  _BinaryenLoopSetBody(e: number, child: number): void;
  _BinaryenBreakGetCondition(e: number): number;
  _BinaryenBreakGetValue(e: number): number;
  _BinaryenSwitchGetCondition(e: number): number;
  _BinaryenSwitchGetValue(e: number): number;
  _BinaryenCallGetNumOperands(e: number): number;
  _BinaryenCallGetOperandAt(e: number, i: number): number;
  _BinaryenCallIndirectGetTarget(e: number): number;
  _BinaryenCallIndirectGetNumOperands(e: number): number;
  _BinaryenCallIndirectGetOperandAt(e: number, i: number): number;
  _BinaryenLocalSetGetValue(e: number): number;
  _BinaryenGlobalSetGetValue(e: number): number;
  _BinaryenLoadGetPtr(e: number): number;
  _BinaryenStoreGetPtr(e: number): number;
  _BinaryenStoreGetValue(e: number): number;
  _BinaryenUnaryGetValue(e: number): number;
  _BinaryenBinaryGetOp(e: number): binaryen.Operations;
  _BinaryenBinaryGetLeft(e: number): number;
  _BinaryenBinaryGetRight(e: number): number;
  _BinaryenSelectGetIfTrue(e: number): number;
  _BinaryenSelectGetIfFalse(e: number): number;
  _BinaryenSelectGetCondition(e: number): number;
  _BinaryenDropGetValue(e: number): number;
  _BinaryenReturnGetValue(e: number): number;
  _BinaryenMemoryGrowGetDelta(e: number): number;
  _BinaryenMemoryCopyGetDest(e: number): number;
  _BinaryenMemoryCopyGetSource(e: number): number;
  _BinaryenMemoryCopyGetSize(e: number): number;
  _BinaryenMemoryFillGetDest(e: number): number;
  _BinaryenMemoryFillGetValue(e: number): number;
  _BinaryenMemoryFillGetSize(e: number): number;
  _BinaryenConstGetValueI32(e: number): number;
  _BinaryenFunctionSetBody(func: number, body: number): void;
  Call: { getTarget(e: number): string };
}

export const ir = binaryen as unknown as LowLevel & typeof binaryen;

/** Replace a function's body (the package's typings place this on Module, where it is not). */
export const setBody = (func: number, body: number): void => ir._BinaryenFunctionSetBody(func, body);

export const id = (e: number): binaryen.ExpressionIds => ir._BinaryenExpressionGetId(e);

/** A call's target function name. */
export const callTarget = (e: number): string => ir.Call.getTarget(e);

/**
 * The direct operands of an expression, in evaluation order (0 = absent). Block, If and Loop are
 * control structures and handled by the caller; an expression kind not listed here throws, so a VM
 * build using wasm features this walker does not know fails loudly instead of being miscounted.
 */
export function operands(e: number): number[] {
  const kind = id(e);
  switch (kind) {
    case binaryen.NopId:
    case binaryen.ConstId:
    case binaryen.LocalGetId:
    case binaryen.GlobalGetId:
    case binaryen.MemorySizeId:
    case binaryen.UnreachableId:
      return [];
    case binaryen.BreakId:
      return [ir._BinaryenBreakGetValue(e), ir._BinaryenBreakGetCondition(e)];
    case binaryen.SwitchId:
      return [ir._BinaryenSwitchGetValue(e), ir._BinaryenSwitchGetCondition(e)];
    case binaryen.CallId:
      return range(ir._BinaryenCallGetNumOperands(e)).map((i) => ir._BinaryenCallGetOperandAt(e, i));
    case binaryen.CallIndirectId:
      return [
        ...range(ir._BinaryenCallIndirectGetNumOperands(e)).map((i) =>
          ir._BinaryenCallIndirectGetOperandAt(e, i),
        ),
        ir._BinaryenCallIndirectGetTarget(e),
      ];
    case binaryen.LocalSetId:
      return [ir._BinaryenLocalSetGetValue(e)];
    case binaryen.GlobalSetId:
      return [ir._BinaryenGlobalSetGetValue(e)];
    case binaryen.LoadId:
      return [ir._BinaryenLoadGetPtr(e)];
    case binaryen.StoreId:
      return [ir._BinaryenStoreGetPtr(e), ir._BinaryenStoreGetValue(e)];
    case binaryen.UnaryId:
      return [ir._BinaryenUnaryGetValue(e)];
    case binaryen.BinaryId:
      return [ir._BinaryenBinaryGetLeft(e), ir._BinaryenBinaryGetRight(e)];
    case binaryen.SelectId:
      return [
        ir._BinaryenSelectGetIfTrue(e),
        ir._BinaryenSelectGetIfFalse(e),
        ir._BinaryenSelectGetCondition(e),
      ];
    case binaryen.DropId:
      return [ir._BinaryenDropGetValue(e)];
    case binaryen.ReturnId:
      return [ir._BinaryenReturnGetValue(e)];
    case binaryen.MemoryGrowId:
      return [ir._BinaryenMemoryGrowGetDelta(e)];
    case binaryen.MemoryCopyId:
      return [
        ir._BinaryenMemoryCopyGetDest(e),
        ir._BinaryenMemoryCopyGetSource(e),
        ir._BinaryenMemoryCopyGetSize(e),
      ];
    case binaryen.MemoryFillId:
      return [
        ir._BinaryenMemoryFillGetDest(e),
        ir._BinaryenMemoryFillGetValue(e),
        ir._BinaryenMemoryFillGetSize(e),
      ];
    default:
      throw new Error(`wasm expression kind ${kind} is not handled by the work-clock instrumenter`);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Every expression under `e` (itself included), control structures entered. */
export function* walk(e: number): Generator<number> {
  if (e === 0) return;
  yield e;
  const kind = id(e);
  if (kind === binaryen.BlockId) {
    const n = ir._BinaryenBlockGetNumChildren(e);
    for (let i = 0; i < n; i++) yield* walk(ir._BinaryenBlockGetChildAt(e, i));
  } else if (kind === binaryen.IfId) {
    yield* walk(ir._BinaryenIfGetCondition(e));
    yield* walk(ir._BinaryenIfGetIfTrue(e));
    yield* walk(ir._BinaryenIfGetIfFalse(e));
  } else if (kind === binaryen.LoopId) {
    yield* walk(ir._BinaryenLoopGetBody(e));
  } else {
    for (const child of operands(e)) yield* walk(child);
  }
}
