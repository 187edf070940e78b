import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import {
  WORK_CLOCK_EXPORTS,
  addWorkCounter,
  callersOf,
  importNamed,
  instrumentVm,
} from './instrument-vm.mjs';
import { locate, originalVmPath } from './instrumented-vm-cache.ts';

/** The part of the WebAssembly API used here (this project's TypeScript has no DOM library). */
interface Wasm {
  instantiate(bytes: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** Instrument a small module and run it: what the counter reads after each call. */
async function counted(
  wat: string,
): Promise<{ exports: Record<string, unknown>; counter: () => bigint; tables: () => bigint }> {
  const module = binaryen.parseText(wat);
  module.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals);
  for (const name of ['count', 'tables']) {
    module.addGlobal(name, binaryen.i64, true, module.i64.const(0n));
    module.addGlobalExport(name, name);
  }
  addWorkCounter(module, 'count', 'tables');
  expect(module.validate()).toBeTruthy();
  const bytes = module.emitBinary();
  module.dispose();
  const { instance } = await wasm.instantiate(bytes);
  const read = (name: string) => () => (instance.exports[name] as { value: bigint }).value;
  return { exports: instance.exports, counter: read('count'), tables: read('tables') };
}

describe('the work counter pass', () => {
  it('counts a loop body per iteration and the code after the loop once', async () => {
    const { exports, counter } = await counted(`(module
      (func (export "f") (param $n i32) (result i32) (local $i i32)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $i)))`);
    const f = exports['f'] as (n: number) => number;
    expect(f(5)).toBe(5);
    // Each iteration: local.set, i32.add, local.get, i32.const (4) + br_if, i32.lt_u, 2 local.get (4).
    // After the loop: one local.get.
    expect(counter()).toBe(5n * 8n + 1n);
    f(1);
    expect(counter()).toBe(41n + 8n + 1n);
  });

  it('counts only the arm of an if that runs', async () => {
    const { exports, counter } = await counted(`(module
      (func (export "g") (param $x i32) (result i32)
        (if (result i32) (local.get $x)
          (then (i32.const 7))
          (else (i32.add (i32.const 1) (i32.const 2))))))`);
    const g = exports['g'] as (x: number) => number;
    expect(g(1)).toBe(7);
    expect(counter()).toBe(2n + 1n); // if + condition, then the then-arm's const
    expect(g(0)).toBe(3);
    expect(counter()).toBe(3n + 2n + 3n); // if + condition, then add and its two consts
  });

  it('counts each br_table run (a C switch) on the second counter, and as one instruction on the first', async () => {
    const { exports, counter, tables } = await counted(`(module
      (func (export "s") (param $n i32) (result i32) (local $i i32) (local $sum i32)
        (loop $l
          (block $two (block $one (block $zero
            (br_table $zero $one $two (i32.and (local.get $i) (i32.const 3))))
            (local.set $sum (i32.add (local.get $sum) (i32.const 1))))
            (local.set $sum (i32.add (local.get $sum) (i32.const 10))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $sum)))`);
    const s = exports['s'] as (n: number) => number;
    // i & 3 picks the block left: 0 runs both adds (11), 1 the second (10), 2 and 3 (the default) none.
    expect(s(6)).toBe(11 + 10 + 0 + 0 + 11 + 10);
    expect(tables()).toBe(6n);
    const afterSix = counter();
    s(1);
    expect(tables()).toBe(7n);
    // One more iteration through the zero arm: the switch and its 3 operands, both adds (2 × 4),
    // the loop's increment (4) and its br_if (4), then the final local.get.
    expect(counter() - afterSix).toBe(4n + 8n + 4n + 4n + 1n);
  });
});

describe('the instrumented VM', () => {
  it("puts the package's clock functions on the counter and calls the host clock import nowhere", async () => {
    const original = await readFile(originalVmPath());
    const shipped = binaryen.readBinary(original);
    // The package's VM reads the host clock in the four functions of mphalport.c.
    expect(callersOf(shipped, importNamed(shipped, 'env', 'mp_js_ticks_ms'))).toHaveLength(4);
    shipped.dispose();
    const result = instrumentVm(original);
    expect(new Set(Object.values(result.clock)).size).toBe(5);
    expect(result.counter.segments).toBeGreaterThan(10_000);
    const module = binaryen.readBinary(result.wasm);
    try {
      const exported = new Set(
        Array.from(
          { length: module.getNumExports() },
          (_, i) => binaryen.getExportInfo(module.getExportByIndex(i)).name,
        ),
      );
      for (const name of Object.values(WORK_CLOCK_EXPORTS)) expect(exported).toContain(name);
      expect(callersOf(module, importNamed(module, 'env', 'mp_js_ticks_ms'))).toEqual([]);
    } finally {
      module.dispose();
    }
  });

  it('is built once into the cache, then found there', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'picogc-cache-test-'));
    try {
      const first = await locate({ cacheDir });
      const second = await locate({ cacheDir });
      expect(first.built).toBe(true);
      expect(second).toMatchObject({ built: false, path: first.path });
      expect((await readFile(first.path)).subarray(0, 4)).toEqual(Buffer.from('\0asm', 'latin1'));
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
