import { describe, expect, it } from 'vitest';
import { GcHeap } from './heap.ts';
import type { ModelObject } from './heap-area.ts';
import { renderMemInfo } from './heap-map.ts';
import { initialAreaLayout, newAreaBytes, setupArea } from './layout.ts';
import { heapRegionOfSize, rp2Config, wasmPyscriptConfig, type PortConfig } from './port-config.ts';

/** A small heap whose map is easy to read: 2048 bytes give 124 blocks on rp2. */
function smallHeap(config: PortConfig = rp2Config(), bytes = 2048): GcHeap {
  return new GcHeap(config, initialAreaLayout(config, heapRegionOfSize(config, bytes)));
}

/** The first `n` blocks of area 0 as heap-map characters. */
function blocks(heap: GcHeap, n = 16, area = 0): string {
  return heap.areas[area]!.blockChars().slice(0, n);
}

function alloc(heap: GcHeap, bytes: number): ModelObject {
  const object = heap.alloc(bytes, 'h');
  if (object === null) throw new Error(`no room for ${bytes} bytes`);
  return object;
}

describe('gc_setup_area layout', () => {
  it('gives the v1.28.0 RPI_PICO heap: 245888 bytes, 15368 blocks, pool from 0x20003f80', () => {
    const layout = initialAreaLayout(rp2Config('1.28.0'), rp2Config('1.28.0').heapRegion);
    expect(layout).toMatchObject({
      blocks: 15368,
      totalBytes: 245888,
      poolStart: 0x20003f80,
      end: 0x20040000,
    });
    expect(layout.atbBytes).toBe(3842);
    expect(layout.ftbBytes).toBe(1921);
    expect(layout.slackBytes).toBeGreaterThanOrEqual(0);
  });

  it('follows floor((T-1)·8 / (8 + 4 FTB + 4 WTB + 512)) ATB bytes and rounds the end down to a block', () => {
    const rp2 = rp2Config();
    expect(setupArea(rp2, 0, 196608).totalBytes).toBe(192064);
    expect(setupArea(rp2, 0, 251652).totalBytes).toBe(245888);
    expect(setupArea(rp2, 0, 251651).totalBytes).toBe(245824);
    // With a WTB as well (pyscript from v1.28.0) every ATB byte costs 4 more bits.
    expect(setupArea(wasmPyscriptConfig('1.28.0'), 0, 251652).atbBytes).toBe(Math.floor((251651 * 8) / 528));
    expect(initialAreaLayout(rp2, { start: 8, end: 1000 }).end).toBe(992);
  });

  it('gives the pyscript VM the first area a Pico has with the virtual Pico default heapsize', () => {
    expect(initialAreaLayout(wasmPyscriptConfig(), wasmPyscriptConfig().heapRegion).totalBytes).toBe(245888);
  });
});

describe('gc_alloc first fit and its hint', () => {
  it('takes the lowest run that fits, across ATB bytes', () => {
    const heap = smallHeap();
    const a = alloc(heap, 16);
    const b = alloc(heap, 40);
    alloc(heap, 16);
    expect(blocks(heap, 6)).toBe('hh==h.');
    heap.free(b);
    expect(blocks(heap, 6)).toBe('h...h.');
    expect(alloc(heap, 16).head).toBe(1);
    expect(alloc(heap, 48).head).toBe(5);
    expect(a.head).toBe(0);
  });

  it('moves the hint past a 1-block allocation only, and lowers it on free', () => {
    const heap = smallHeap();
    const area = heap.areas[0]!;
    for (let i = 0; i < 5; i++) alloc(heap, 16);
    expect(area.lastFreeAtbIndex).toBe(1);
    alloc(heap, 64);
    expect(area.lastFreeAtbIndex).toBe(1);
    const one = alloc(heap, 16);
    expect(one.head).toBe(9);
    expect(area.lastFreeAtbIndex).toBe(2);
    heap.free(heap.areas[0]!.objectAt[1]!);
    expect(area.lastFreeAtbIndex).toBe(0);
  });

  it('resets every hint to 0 at each collection, and keeps gc_last_used_block at the last survivor', () => {
    const heap = smallHeap();
    const kept = alloc(heap, 16);
    heap.roots.push(kept);
    for (let i = 0; i < 10; i++) alloc(heap, 16);
    expect(heap.areas[0]!.lastFreeAtbIndex).toBe(2);
    expect(heap.areas[0]!.lastUsedBlock).toBe(10);
    const { work } = heap.collectNow('explicit');
    expect(heap.areas[0]!.lastFreeAtbIndex).toBe(0);
    expect(heap.areas[0]!.lastUsedBlock).toBe(0);
    expect(work).toMatchObject({
      roots: 1,
      objectsMarked: 1,
      blocksSwept: 11,
      blocksFreed: 10,
      objectsFreed: 10,
    });
    expect(blocks(heap, 4)).toBe('h...');
  });

  it('returns null for zero bytes, as gc_alloc does', () => {
    expect(smallHeap().alloc(0, 'h')).toBeNull();
  });
});

describe('gc_realloc', () => {
  it('shrinks in place, freeing the tail blocks', () => {
    const heap = smallHeap();
    const a = alloc(heap, 64);
    expect(heap.realloc(a, 20)).toBe(true);
    expect(blocks(heap, 5)).toBe('h=...');
  });

  it('grows in place when free blocks follow, without counting toward the threshold', () => {
    const heap = smallHeap();
    const a = alloc(heap, 16);
    const before = heap.allocAmount;
    expect(heap.realloc(a, 64)).toBe(true);
    expect(a.head).toBe(0);
    expect(blocks(heap, 5)).toBe('h===.');
    expect(heap.allocAmount).toBe(before);
  });

  it('otherwise allocates, copies and frees: the object moves and the new blocks count', () => {
    const heap = smallHeap();
    const a = alloc(heap, 16);
    alloc(heap, 16);
    const amount = heap.allocAmount;
    expect(heap.realloc(a, 32)).toBe(true);
    expect(a.head).toBe(2);
    expect(blocks(heap, 5)).toBe('.hh=.');
    expect(heap.allocAmount).toBe(amount + 2);
    expect(heap.areas[0]!.objectAt[0]).toBeNull();
    expect(heap.areas[0]!.objectAt[2]).toBe(a);
  });
});

describe('the allocation threshold', () => {
  it('stores bytes as blocks and reads them back rounded down; negative turns it off', () => {
    const heap = smallHeap();
    expect(heap.thresholdBytes()).toBe(-1);
    heap.setThresholdBytes(1000);
    expect(heap.thresholdBlocks).toBe(62);
    expect(heap.thresholdBytes()).toBe(992);
    heap.setThresholdBytes(-5);
    expect(heap.thresholdBlocks).toBeNull();
  });

  it('collects before the allocation that finds the counter at the threshold (rp2: at once)', () => {
    const heap = smallHeap();
    heap.setThresholdBytes(10 * 16);
    for (let i = 0; i < 35; i++) alloc(heap, 16);
    expect(heap.collections.map((c) => [c.cause, c.afterAllocations])).toEqual([
      ['threshold', 10],
      ['threshold', 20],
      ['threshold', 30],
    ]);
    // Each collection freed the 10 garbage blocks before the 11th was placed, at block 0 again.
    expect(heap.collections.map((c) => c.work.blocksFreed)).toEqual([10, 10, 10]);
    expect(blocks(heap, 6)).toBe('hhhhh.');
  });

  it('counts blocks, not allocations: a 4-block object adds 4', () => {
    const heap = smallHeap(rp2Config(), 4096);
    heap.setThresholdBytes(10 * 16);
    for (let i = 0; i < 3; i++) alloc(heap, 64);
    expect(heap.collections).toHaveLength(0);
    alloc(heap, 16);
    expect(heap.collections.map((c) => c.afterAllocations)).toEqual([3]);
  });

  it('never triggers while gc.disable() is in effect', () => {
    const heap = smallHeap();
    heap.setThresholdBytes(16);
    heap.autoCollect = false;
    for (let i = 0; i < 20; i++) alloc(heap, 16);
    expect(heap.collections).toHaveLength(0);
  });
});

describe('an allocation that does not fit', () => {
  it('collects once and retries on rp2', () => {
    const heap = smallHeap();
    let last: ModelObject | null = null;
    for (let i = 0; i < 12 && heap.collections.length === 0; i++) last = heap.alloc(160, 'h');
    // 124 blocks hold 12 allocations of 10 blocks; the 13th found no room, collected the
    // garbage and was placed at block 0 on the retry.
    expect(heap.collections.map((c) => [c.cause, c.afterAllocations])).toEqual([]);
    last = heap.alloc(160, 'h');
    expect(heap.collections.map((c) => [c.cause, c.afterAllocations, c.work.blocksFreed])).toEqual([
      ['allocation-failure', 12, 120],
    ]);
    expect(last?.head).toBe(0);
  });

  it('gives null after one collection when everything is live, or at once under gc.disable()', () => {
    const heap = smallHeap();
    for (let o = heap.alloc(160, 'h'); o !== null; o = heap.alloc(160, 'h')) heap.roots.push(o);
    expect(heap.collections).toHaveLength(1);
    heap.autoCollect = false;
    expect(heap.alloc(160, 'h')).toBeNull();
    expect(heap.collections).toHaveLength(1);
  });
});

describe('the pyscript VM: deferred collection, split heap auto', () => {
  it('only flags gc.collect() and the threshold; the collection runs at the end of the top-level call', () => {
    const heap = smallHeap(wasmPyscriptConfig());
    expect(heap.thresholdBlocks).toBe(1024);
    heap.setThresholdBytes(5 * 16);
    for (let i = 0; i < 8; i++) alloc(heap, 16);
    expect(heap.collectPending).toBe('threshold');
    expect(heap.collections).toHaveLength(0);
    expect(heap.allocAmount).toBe(8);
    const record = heap.endTopLevelCall();
    expect(record?.work.blocksFreed).toBe(8);
    expect(heap.allocAmount).toBe(0);
    expect(heap.endTopLevelCall()).toBeNull();
  });

  it('grows the heap by a new area instead of collecting, and gives an emptied area back', () => {
    const heap = smallHeap(wasmPyscriptConfig(), 2048);
    const first = heap.totalBlocks;
    const big = alloc(heap, 3000);
    expect(heap.areas).toHaveLength(2);
    expect(big.area).toBe(heap.areas[1]);
    // gc_try_add_heap asks for max(double the heap, the request + 13/512) bytes; gc_add puts the
    // 32-byte area struct first and rounds the end down to a block.
    const asked = newAreaBytes(wasmPyscriptConfig(), first, 3000)!;
    expect(asked).toBe(5048);
    const layout = heap.areas[1]!.layout;
    expect(layout.end - (layout.start - 32)).toBe(asked - (asked % 16));
    expect(heap.collectPending).toBe('allocation-failure');
    expect(renderMemInfo(heap).match(/GC memory layout/g)).toHaveLength(2);
    heap.endTopLevelCall();
    expect(heap.areas).toHaveLength(1);
    expect(big.alive).toBe(false);
  });
});

describe('sweep modes by firmware version', () => {
  it('walks every block before v1.21 and only up to gc_last_used_block since', () => {
    for (const [firmware, swept] of [
      ['1.20.0', 15368],
      ['1.21.0', 3],
      ['1.28.0', 3],
    ] as const) {
      const heap = new GcHeap(rp2Config(firmware));
      for (let i = 0; i < 3; i++) alloc(heap, 16);
      expect(heap.collectNow('explicit').work.blocksSwept).toBe(swept);
    }
  });
});
