// A faster instruction decoder for rp2040js's Cortex-M0+ core, built from rp2040js's own code.
// Its executeInstruction() finds an instruction's handler by trying 83 conditions in turn
// (alphabetical: ADCS, ADD, …, YIELD); MicroPython's commonest instructions (conditional branches,
// LSLS, MOVS, LDR, CMP) sit 12 to 45 tests deep, about 30 on average (measured), and the decoder was
// most of the emulator's time. Here the same handlers, in the same source text, are reached through a
// table from the 16-bit opcode to the handler rp2040js's chain would pick for it (found by running
// the chain's own conditions on every opcode), so a `switch` jumps straight there. What each handler
// does is untouched. Wide (32-bit) instructions, whose choice also depends on their second half,
// keep the chain, with only the conditions that can match one of them, in the original order.
// The same code also runs inside run-loop.mjs's batch loop (`runBatch`), saving a call per
// instruction.
//
// The method's source is read from the installed rp2040js (pinned: 1.4.1) and checked as it is
// taken apart: anything unexpected and the original method is kept (`installFastDecode` says so).
// fast-decode.test.ts runs both decoders over every opcode and compares the chips after, and runs a
// program batched and instruction by instruction.

import { CYCLE_NANOS } from './run-loop.mjs';

/** Free names the method uses from its module (cortex-m0-core.js), with their values there. */
const MODULE_SCOPE = {
  LOG_NAME: 'CortexM0Core',
  signExtend8: (value) => (value << 24) >> 24,
  signExtend16: (value) => (value << 16) >> 16,
  spRegister: 13,
  pcRegister: 15,
};

const BODY_INDENT = '        ';
const HEADER = /^ {8}(?:else )?if \((.*)\) \{$/;
const COMMENT = /^ {8}\/\//;
// The table's marks beyond the handlers' indices: an opcode no condition matches (rp2040js's final
// `else`: not implemented), and a wide opcode (the chain decides). Non-negative, so the switch's
// cases are dense small integers, which V8 compiles to a jump table.
const unmatched = (handlers) => handlers.length;
const wideMark = (handlers) => handlers.length + 1;

/** A 16-bit opcode that starts a 32-bit instruction (as the method itself decides it). */
export function isWide(opcode) {
  return opcode >> 12 === 0b1111 || opcode >> 11 === 0b11101;
}

/**
 * Take rp2040js's executeInstruction source apart: the lines before the handler chain, each
 * handler (its condition and body lines), the final `else` body and the lines after.
 */
export function parseExecuteInstruction(source) {
  const lines = source.split('\n');
  if (!/^executeInstruction\(\) \{$/.test(lines[0]) || lines.at(-1).trim() !== '}') {
    throw new Error('executeInstruction() does not have the expected shape');
  }
  const body = lines.slice(1, -1);
  const first = body.findIndex((line) => HEADER.test(line) && line.includes('opcode'));
  if (first < 0) throw new Error('no handler chain in executeInstruction()');
  const prologue = body.slice(0, first);
  const handlers = [];
  let elseBody;
  let i = first;
  while (i < body.length && elseBody === undefined) {
    const line = body[i];
    if (COMMENT.test(line)) {
      i++;
      continue;
    }
    const header = HEADER.exec(line);
    const isElse = line === `${BODY_INDENT}else {`;
    if (!header && !isElse) throw new Error(`unexpected line in the handler chain: ${line}`);
    if (header && !line.trimStart().startsWith(handlers.length === 0 ? 'if' : 'else if')) {
      throw new Error(`the handler chain is not one if … else if … else: ${line}`);
    }
    const close = body.findIndex((l, j) => j > i && l === `${BODY_INDENT}}`);
    if (close < 0) throw new Error(`unclosed handler: ${line}`);
    const inner = body.slice(i + 1, close);
    if (inner.some((l) => l.length > 0 && !l.startsWith(`${BODY_INDENT}    `))) {
      throw new Error(`a handler's body is not indented inside it: ${line}`);
    }
    if (isElse) elseBody = inner;
    else handlers.push({ condition: header[1], body: inner });
    i = close + 1;
  }
  if (elseBody === undefined) throw new Error('the handler chain has no final else');
  const epilogue = body.slice(i);
  return { prologue, handlers, elseBody, epilogue };
}

/**
 * For each 16-bit opcode, the handler rp2040js's chain picks for it: the first whose condition
 * holds, with the second half 0 as the method reads it for a 16-bit instruction; none: the number
 * of handlers; a wide opcode (whose choice needs the second half): one more.
 */
export function decodeTable(handlers) {
  const tests = handlers.map(({ condition }) => {
    if (/\bthis\b/.test(condition)) throw new Error(`a handler condition reads the core: ${condition}`);
    return new Function('opcode', 'opcode2', `return (${condition});`);
  });
  const table = new Uint8Array(0x10000);
  for (let opcode = 0; opcode < 0x10000; opcode++) {
    if (isWide(opcode)) {
      table[opcode] = wideMark(handlers);
      continue;
    }
    const index = tests.findIndex((test) => test(opcode, 0));
    table[opcode] = index < 0 ? unmatched(handlers) : index;
  }
  return table;
}

/** The handlers a wide opcode can reach: those reading its second half, or matching some wide opcode. */
function wideHandlers(handlers) {
  return handlers.filter(({ condition }) => {
    if (/\bopcode2\b/.test(condition)) return true;
    const test = new Function('opcode', 'opcode2', `return (${condition});`);
    for (let opcode = 0xe800; opcode < 0x10000; opcode++) if (test(opcode, 0)) return true;
    return false;
  });
}

/** The decoding part of the method: the same prologue, handlers and final else, in a switch. */
function decodedDispatch({ prologue, handlers, elseBody }) {
  const wide = wideHandlers(handlers);
  const chain = [
    ...wide.map(
      ({ condition, body }, i) => `${i === 0 ? 'if' : 'else if'} (${condition}) {\n${body.join('\n')}\n}`,
    ),
    `else {\n${elseBody.join('\n')}\n}`,
  ].join('\n');
  const cases = handlers.map(({ body }, i) => `case ${i}: {\n${body.join('\n')}\nbreak;\n}`).join('\n');
  return [
    ...prologue,
    'switch (DECODE[opcode]) {',
    cases,
    `case ${unmatched(handlers)}: {\n${elseBody.join('\n')}\nbreak;\n}`,
    `default: {\n${chain}\n}`,
    '}',
  ].join('\n');
}

/** The source of the decoded method: the decoding part, then the same epilogue. */
export function decodedSource(parsed) {
  return [decodedDispatch(parsed), ...parsed.epilogue].join('\n');
}

/**
 * The source of `runBatch(clock, limit, batch)`: up to `batch` instructions or `limit` cycles while
 * the core is awake, each exactly the decoded method's work followed by run-loop.mjs's clock step
 * (tick only when an alarm falls due), without a call per instruction. Returns the cycles run.
 */
export function batchSource(parsed) {
  const epilogue = parsed.epilogue.map((line) => line.trim());
  if (epilogue.join(' ') !== 'this.cycles += deltaCycles; return deltaCycles;') {
    throw new Error(`unexpected end of executeInstruction(): ${epilogue.join(' ')}`);
  }
  const bodies = [...parsed.handlers.flatMap((h) => h.body), ...parsed.elseBody, ...parsed.prologue];
  if (bodies.some((line) => /\b(return|continue)\b/.test(line))) {
    throw new Error('a handler leaves executeInstruction() early: it cannot run in a loop');
  }
  return [
    'let cycles = 0;',
    'for (let n = 0; n < batch && cycles < limit && !this.waiting; n++) {',
    decodedDispatch(parsed),
    'this.cycles += deltaCycles;',
    'const nanos = deltaCycles * CYCLE_NANOS;',
    'const alarm = clock.nextAlarm;',
    'if (alarm !== null && alarm.nanos <= clock.nanosCounter + nanos) clock.tick(nanos);',
    'else clock.nanosCounter += nanos;',
    'cycles += deltaCycles;',
    '}',
    'return cycles;',
  ].join('\n');
}

/** Build the decoded executeInstruction and runBatch for rp2040js's core class (its prototype's method). */
export function buildDecoded(original) {
  const parsed = parseExecuteInstruction(original.toString());
  const names = [...Object.keys(MODULE_SCOPE), 'DECODE', 'CYCLE_NANOS'];
  const values = [...Object.values(MODULE_SCOPE), decodeTable(parsed.handlers), CYCLE_NANOS];
  const make = (header, source) =>
    new Function(...names, `return function ${header} {\n${source}\n};`)(...values);
  return {
    executeInstruction: make('executeInstruction()', decodedSource(parsed)),
    runBatch: make('runBatch(clock, limit, batch)', batchSource(parsed)),
  };
}

const built = new WeakMap();

/**
 * Give one core (a `CortexM0Core` of rp2040js) the decoded executeInstruction and runBatch, as own
 * properties (run-loop.mjs uses runBatch where a core has one).
 * Returns null if it did, or why the original was kept.
 */
export function installFastDecode(core) {
  const original = Object.getPrototypeOf(core).executeInstruction;
  try {
    let decoded = built.get(original);
    if (!decoded) {
      decoded = buildDecoded(original);
      built.set(original, decoded);
    }
    core.executeInstruction = decoded.executeInstruction;
    core.runBatch = decoded.runBatch;
    return null;
  } catch (error) {
    return `rp2040js's decoder kept: ${error instanceof Error ? error.message : String(error)}`;
  }
}
