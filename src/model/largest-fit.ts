import type { MemInfo } from '../meminfo/types.ts';
import { heapFromMemInfo } from './heap-map.ts';
import type { PortConfig } from './port-config.ts';
import { ModelMemoryError, ModelRuntime } from './runtime.ts';

/**
 * device-scripts/fragmentation.py's `largest_fit(hi)` on a model heap seeded from the map the device
 * printed just before it (right after a collection, so every block in the map is live). It bisects
 * as the script does: each `bytearray(mid)` that fits is garbage at once, and each that does not
 * fit first collects (freeing the earlier probes) and tries again, as gc_alloc does. The header
 * is allocated before the data, first fit from the lowest free block, so it may take a block of the
 * longest run: the answer is then that run less one block.
 */
export function predictLargestFit(config: PortConfig, map: MemInfo, hi: number): number {
  const heap = heapFromMemInfo(config, map);
  const runtime = new ModelRuntime(heap);
  let lo = 0;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    try {
      runtime.bytearray(mid);
      lo = mid;
    } catch (error) {
      if (!(error instanceof ModelMemoryError)) throw error;
      hi = mid - 1;
    }
  }
  return lo;
}
