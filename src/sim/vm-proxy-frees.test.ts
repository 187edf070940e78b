import { describe, expect, it } from 'vitest';
import { loadVm } from '../model/testing/vm.ts';
import { keepProxyFreesOut } from './vm-proxy-frees.mjs';

/**
 * What the glue's FinalizationRegistry does once V8 has collected a proxy of a Python object:
 * `globalThis.Module.ccall("proxy_c_free_obj", …)` with that proxy's reference. Here the references
 * of a VM loaded before (a soft reset's old VM) reach the VM loaded last, as in the worker.
 */
function finaliseOldProxies(): void {
  const module = (globalThis as unknown as { Module: { ccall: (...args: unknown[]) => unknown } }).Module;
  for (const ref of [1, 2, 3, 4, 5, 6, 7, 8]) module.ccall('proxy_c_free_obj', 'null', ['number'], [ref]);
}

/** A small VM and its heap map after a collection (a second call reads the same map). */
async function vmWithHeapMap(): Promise<() => string> {
  const vm = await loadVm(64 * 1024);
  const heapMap = () => vm.exec('import gc, micropython\ngc.collect()\nmicropython.mem_info(1)');
  heapMap();
  return heapMap;
}

describe('the glue’s proxy frees', () => {
  it('unguarded, write over the heap of the VM loaded last (the hazard is real)', async () => {
    const heapMap = await vmWithHeapMap();
    const before = heapMap();
    expect(heapMap()).toBe(before);
    finaliseOldProxies();
    // A dict's type overwritten: `D` becomes `h` in the map.
    expect(heapMap()).not.toBe(before);
  });

  it('kept out, leave that heap as it was', async () => {
    const heapMap = await vmWithHeapMap();
    keepProxyFreesOut();
    const before = heapMap();
    finaliseOldProxies();
    expect(heapMap()).toBe(before);
    // Everything else still reaches the VM through the wrapped Module.
    const module = (globalThis as unknown as { Module: { ccall: (...args: unknown[]) => unknown } }).Module;
    expect(module.ccall('mp_hal_get_interrupt_char', 'number', [], [])).toBe(-1);
  });
});
