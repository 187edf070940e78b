// Walking binaryen's expression tree, for the work-clock instrumenter (instrument-vm.mjs). Plain
// JavaScript for the reason instrument-vm.mjs gives.
import binaryen from 'binaryen';

// binaryen's C API is exported on the JS module as `_Binaryen…`; the package's typings only cover
// the builder, so these calls are what walking and editing a tree uses, and nothing else is.
const ir = binaryen;

/** The kind of an expression (binaryen.BlockId, binaryen.CallId, …). */
export const id = (e) => ir._BinaryenExpressionGetId(e);

/** A call's target function name. */
export const callTarget = (e) => ir.Call.getTarget(e);

/** Replace a function's body (the package's typings place this on Module, where it is not). */
export const setBody = (func, body) => ir._BinaryenFunctionSetBody(func, body);

export const blockChildren = (e) => ir._BinaryenBlockGetNumChildren(e);
export const blockChild = (e, i) => ir._BinaryenBlockGetChildAt(e, i);
export const insertBlockChild = (e, i, child) => ir._BinaryenBlockInsertChildAt(e, i, child);
export const ifParts = (e) => ({
  condition: ir._BinaryenIfGetCondition(e),
  ifTrue: ir._BinaryenIfGetIfTrue(e),
  ifFalse: ir._BinaryenIfGetIfFalse(e),
});
export const setIfTrue = (e, child) => ir._BinaryenIfSetIfTrue(e, child);
export const setIfFalse = (e, child) => ir._BinaryenIfSetIfFalse(e, child);
export const loopBody = (e) => ir._BinaryenLoopGetBody(e);
export const setLoopBody = (e, child) => ir._BinaryenLoopSetBody(e, child);
export const callOperandCount = (e) => ir._BinaryenCallGetNumOperands(e);
export const binaryOp = (e) => ir._BinaryenBinaryGetOp(e);
export const binaryLeft = (e) => ir._BinaryenBinaryGetLeft(e);
export const binaryRight = (e) => ir._BinaryenBinaryGetRight(e);

/** Is `e` the i32 constant `value`? */
export function isConstI32(e, value) {
  return (
    id(e) === binaryen.ConstId &&
    ir._BinaryenExpressionGetType(e) === binaryen.i32 &&
    ir._BinaryenConstGetValueI32(e) === value
  );
}

/**
 * The direct operands of an expression, in evaluation order (0 = absent). Block, If and Loop are
 * control structures and handled by the caller; an expression kind not listed here throws, so a VM
 * build using wasm features this walker does not know fails loudly instead of being miscounted.
 */
export function operands(e) {
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

function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}

/** Every expression under `e` (itself included), control structures entered. */
export function* walk(e) {
  if (e === 0) return;
  yield e;
  const kind = id(e);
  if (kind === binaryen.BlockId) {
    const n = blockChildren(e);
    for (let i = 0; i < n; i++) yield* walk(blockChild(e, i));
  } else if (kind === binaryen.IfId) {
    const { condition, ifTrue, ifFalse } = ifParts(e);
    yield* walk(condition);
    yield* walk(ifTrue);
    yield* walk(ifFalse);
  } else if (kind === binaryen.LoopId) {
    yield* walk(loopBody(e));
  } else {
    for (const child of operands(e)) yield* walk(child);
  }
}

/** Names of the functions with a body that call the function `target`. */
export function callersOf(module, target) {
  const found = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module) continue;
    for (const e of walk(info.body)) {
      if (id(e) === binaryen.CallId && callTarget(e) === target) {
        found.push(info.name);
        break;
      }
    }
  }
  return found;
}

/** The internal name of the function imported as `from.base`. */
export function importNamed(module, from, base) {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module === from && info.base === base) return info.name;
  }
  throw new Error(`the VM's wasm does not import ${from}.${base}`);
}
