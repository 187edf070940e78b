import type { CollectionWork } from './collector.ts';
import { heapToMemInfo } from './heap-map.ts';
import { formatMemInfo } from '../meminfo/format.ts';
import { formatObjectSpec, objectBlocks, type ObjectSpec } from './object-sizes.ts';
import { predictPause, type PauseCoefficients } from './pause-cost.ts';
import { heapRegionOfSize, type PortConfig } from './port-config.ts';
import { buildLiveSet, type LiveShape } from './scenario.ts';
import { formatFirmwareVersion } from './version.ts';

export interface ModelReport {
  port: string;
  firmware: string;
  /** Bytes of the region gc_init was given. */
  heapBytes: number;
  gcTotal: number;
  blocks: number;
  poolStart: number;
  live: number;
  object: string;
  shape: LiveShape;
  /** Blocks one object keeps allocated. */
  blocksPerObject: number;
  /** Blocks in use after the collection (live set plus the globals table). */
  blocksUsed: number;
  work: CollectionWork;
  /** `micropython.mem_info(1)` as a device with this heap would print it after the collection. */
  memInfo: string;
  coefficients: PauseCoefficients | null;
  predictedPauseUs: number | null;
}

/** What to simulate: a preset, a heap, a live set; and coefficients to turn the work into a pause. */
export interface SimulationInput {
  config: PortConfig;
  /** Bytes given to gc_init; the preset's region when absent. */
  heapBytes?: number;
  live: number;
  object: ObjectSpec;
  shape: LiveShape;
  coefficients: PauseCoefficients | null;
}

/**
 * A live set built on the model heap and one collection of it: blocks used, the heap map, the
 * work counters and, given fitted coefficients, the predicted pause.
 */
export function simulateCollection(input: SimulationInput): ModelReport {
  const { config, live, object, shape, coefficients } = input;
  const heapBytes = input.heapBytes ?? config.heapRegion.end - config.heapRegion.start;
  heapRegionOfSize(config, heapBytes);

  const { heap } = buildLiveSet({ config, heapBytes, live, object, shape });
  const { work } = heap.collectNow('explicit');
  const info = heapToMemInfo(heap);
  const first = heap.areas[0]!.layout;
  return {
    port: config.name,
    firmware: formatFirmwareVersion(config.firmware),
    heapBytes,
    gcTotal: info.gc.total,
    blocks: heap.totalBlocks,
    poolStart: first.poolStart,
    live,
    object: formatObjectSpec(object),
    shape,
    blocksPerObject: objectBlocks(config, object),
    blocksUsed: info.gc.used / config.bytesPerBlock,
    work,
    memInfo: formatMemInfo(info, config.bytesPerBlock).replaceAll('\r\n', '\n'),
    coefficients,
    predictedPauseUs: coefficients === null ? null : predictPause(coefficients, work),
  };
}

export function formatModelReport(r: ModelReport): string {
  const w = r.work;
  const lines = [
    `model: ${r.port} preset, MicroPython ${r.firmware}`,
    `heap: ${r.heapBytes} bytes given to gc_init -> GC total ${r.gcTotal} bytes (${r.blocks} blocks), pool from 0x${r.poolStart.toString(16)}`,
    `live set: ${r.live} x ${r.object} held as a ${r.shape}, ${r.blocksPerObject} blocks each; ` +
      `${r.blocksUsed} blocks used after the collection (${r.blocksUsed * 16} bytes)`,
    '',
    r.memInfo.trimEnd(),
    '',
    `one collection: ${w.roots} roots, ${w.objectsMarked} objects marked, ${w.wordsScanned} words scanned, ` +
      `${w.rescans} overflow rescans (${w.blocksRescanned} blocks walked, ${w.overflowedPushes} pushes refused), ` +
      `${w.blocksSwept} blocks swept, ${w.blocksFreed} blocks freed`,
  ];
  if (r.coefficients !== null && r.predictedPauseUs !== null) {
    const c = r.coefficients;
    lines.push(
      `predicted pause: ${r.predictedPauseUs.toFixed(1)} us ` +
        `(c0 ${c.c0} + c_mark ${c.c_mark} x words + c_sweep ${c.c_sweep} x swept + c_rescan ${c.c_rescan} x rescanned)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
