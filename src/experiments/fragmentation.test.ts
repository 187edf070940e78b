import { describe, expect, it } from 'vitest';
import { GcHeap, ModelRuntime, renderMemInfo, rp2Config } from '../model/index.ts';
import { FRAGMENTED_SHARE } from './fragmentation.analysis.ts';
import { fillCount } from './fragmentation.ts';
import { heapGeometry } from './heap-geometry.ts';

const params = { size: 200, marginBlocks: 48 };

/** A Pico heap whose low part has holes between live objects (what earlier steps leave), the rest free. */
function heapWithLowHoles(): { heap: GcHeap; runtime: ModelRuntime } {
  const heap = new GcHeap(rp2Config('1.28.0'));
  const runtime = new ModelRuntime(heap);
  for (let i = 0; i < 80; i++) {
    heap.roots.push(runtime.bytearray(100).header);
    runtime.bytearray(400 + 16 * (i % 7));
  }
  heap.collectNow('explicit');
  return { heap, runtime };
}

/** device-scripts/fragmentation.py's fill(n) and punch() on the model heap, then a collection. */
function fillAndPunch(n: number): { longest: number; free: number } {
  const { heap, runtime } = heapWithLowHoles();
  const blocks = runtime.repeatList([null], n);
  heap.roots.push(blocks.header);
  for (let i = 0; i < n; i++) {
    const item = runtime.bytearray(params.size);
    blocks.elements[i] = item;
    blocks.items.refs = blocks.elements.flatMap((element) => (element ? [element.header] : []));
  }
  blocks.items.refs = blocks.elements.filter((_, i) => i % 2 === 1).flatMap((e) => (e ? [e.header] : []));
  heap.collectNow('explicit');
  const after = heapGeometry(renderMemInfo(heap));
  return { longest: after.longestFreeRun.length, free: after.freeBlocks };
}

describe('fragmentation: how many bytearrays fill() allocates', () => {
  it('fills every free run, the low holes too, so no run is left unfilled at the top of the heap', () => {
    const { heap } = heapWithLowHoles();
    const geometry = heapGeometry(renderMemInfo(heap));
    const n = fillCount(geometry, params);
    const { longest, free } = fillAndPunch(n);
    expect(longest).toBeLessThan(FRAGMENTED_SHARE * free);
    // Sized from the longest run alone (as before), the same heap keeps a long run at the top.
    const perObject = 1 + Math.ceil(params.size / 16) + 0.25;
    const fromLongest = Math.floor((geometry.longestFreeRun.length - params.marginBlocks - 1) / perObject);
    const short = fillAndPunch(fromLongest);
    expect(short.longest).toBeGreaterThan(FRAGMENTED_SHARE * short.free);
  });
});
