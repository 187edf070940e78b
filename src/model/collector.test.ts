import { describe, expect, it } from 'vitest';
import { GcHeap } from './heap.ts';
import { parseObjectSpec } from './object-sizes.ts';
import { rp2Config } from './port-config.ts';
import { ModelRuntime, type PyValue } from './runtime.ts';
import { buildLiveSet, type LiveShape } from './scenario.ts';

const small = parseObjectSpec('bytearray(8)');

function collectLiveSet(shape: LiveShape, live: number) {
  const set = buildLiveSet({ config: rp2Config(), live, object: small, shape });
  const record = set.heap.collectNow('explicit');
  return { ...set, work: record.work };
}

describe('mark stack overflow (64 entries on rp2)', () => {
  it('overflows on fan-out: a list of 64 children fits the stack, 65 do not', () => {
    // Held by the only global, the list's items array is scanned with an empty stack.
    expect(collectLiveSet('list', 64).work).toMatchObject({
      rescans: 0,
      overflowedPushes: 0,
      maxStackDepth: 64,
    });
    expect(collectLiveSet('list', 65).work).toMatchObject({
      rescans: 1,
      overflowedPushes: 1,
      maxStackDepth: 64,
    });
    expect(collectLiveSet('list', 200).work).toMatchObject({ rescans: 1, overflowedPushes: 136 });
  });

  it('moves the limit down by the siblings waiting on the stack (one more global: 64 overflows)', () => {
    const counts = [63, 64].map((children) => {
      const heap = new GcHeap(rp2Config());
      const runtime = new ModelRuntime(heap);
      const globals = runtime.malloc(32, 'h');
      heap.roots.push(globals);
      const other = runtime.bytearray(8);
      const list = runtime.list([]);
      globals.refs = [other.header, list.header];
      for (let i = 0; i < children; i++) runtime.append(list, runtime.bytearray(8));
      return heap.collectNow('explicit').work.rescans;
    });
    expect(counts).toEqual([0, 1]);
  });

  it('overflows on depth only when each level leaves something behind', () => {
    // (obj, next) tuples: tracing `next` leaves `obj` on the stack, one entry per level.
    expect(collectLiveSet('chain', 64).work.rescans).toBe(0);
    expect(collectLiveSet('chain', 65).work.rescans).toBe(1);
    // A bare chain (each node holds only the next) never holds more than one entry.
    const heap = new GcHeap(rp2Config());
    const runtime = new ModelRuntime(heap);
    let next: PyValue = null;
    for (let i = 0; i < 5000; i++) next = runtime.tuple([next]);
    heap.roots.push(next!.header);
    expect(heap.collectNow('explicit').work).toMatchObject({
      rescans: 0,
      maxStackDepth: 1,
      objectsMarked: 5000,
    });
  });

  it('rescans the whole heap, every marked head again, until a pass ends clean', () => {
    const { heap, work } = collectLiveSet('chain', 200);
    expect(work.rescans).toBeGreaterThan(1);
    expect(work.blocksRescanned).toBe(work.rescans * heap.totalBlocks);
    expect(work.wordsRescanned).toBeGreaterThan(0);
    expect(work.wordsScanned).toBeGreaterThan(work.wordsRescanned);
    // Nothing live was lost to the overflow.
    expect(work.objectsFreed).toBe(0);
    expect(heap.info().used / 16).toBe(1 + 200 * 3 + 1);
  });

  it('keeps sublists under the limit until the outer list holds too many of them (wide)', () => {
    expect(collectLiveSet('wide', 1000).work.rescans).toBe(0);
    expect(collectLiveSet('wide', 1100).work.rescans).toBe(1);
  });
});

describe('work counters without overflow', () => {
  it('scan each live object once: words = 4 × live blocks, marks = live objects', () => {
    const { heap, work } = collectLiveSet('list', 40);
    const liveBlocks = heap.info().used / 16;
    expect(work.rescans).toBe(0);
    expect(work.wordsScanned).toBe(4 * liveBlocks);
    // The globals table, the list header, its items and 40 × (header + data).
    expect(work.objectsMarked).toBe(3 + 80);
    expect(work.roots).toBe(1);
  });

  it('sweep the garbage a build left (outgrown list slots are freed at once by realloc)', () => {
    const heap = new GcHeap(rp2Config());
    const runtime = new ModelRuntime(heap);
    for (let i = 0; i < 10; i++) runtime.bytearray(48);
    const { work } = heap.collectNow('explicit');
    expect(work).toMatchObject({ objectsMarked: 0, objectsFreed: 20, blocksFreed: 40, blocksSwept: 40 });
    expect(heap.info().used).toBe(0);
  });
});
