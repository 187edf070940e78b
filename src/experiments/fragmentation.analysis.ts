import type { DeviceInfo } from '../device/device-info.ts';
import { parseMemInfo } from '../meminfo/index.ts';
import { predictLargestFit } from '../model/index.ts';
import { modelFor } from './device-model.ts';
import type { Analysis, Check } from './experiment.ts';
import type { FragmentationParams, FragmentationSample } from './fragmentation.schema.ts';
import { freeRunLengths, heapGeometry } from './heap-geometry.ts';

/** Free RAM counts as fragmented when its longest run is under this share of it. */
export const FRAGMENTED_SHARE = 0.1;

export interface FragmentationSummary {
  filled: number;
  size: number;
  freeBytes: number;
  /** Runs of free blocks (holes) in area 0. */
  holes: number;
  longestRunBytes: number;
  /**
   * The largest bytearray the heap map says still fits: the model runs the device's bisection on
   * the map (its data needs one run of free blocks; its header, allocated first, may take a block
   * of that run). Without a model preset: the longest run.
   */
  predictedLargestFit: number;
  /** How the prediction was made. */
  predictedBy: string;
  /** What the board could allocate; null on a device whose heap grows instead of failing. */
  measuredLargestFit: number | null;
}

/**
 * With every other block freed, half the heap is free but in holes of one block each: the largest
 * allocation that fits is one hole, whatever the free total says.
 */
export function analyseFragmentation(input: {
  samples: FragmentationSample[];
  info: DeviceInfo;
  params: FragmentationParams;
}): Analysis {
  const filled = input.samples.find((s) => s.type === 'filled');
  const heap = input.samples.find((s) => s.type === 'heap');
  const probe = input.samples.find((s) => s.type === 'largest-fit');
  if (!filled || !heap) throw new Error('fragmentation samples are incomplete');
  const geometry = heapGeometry(heap.memInfo);
  const model = modelFor(input.info);
  const predicted =
    'config' in model && probe
      ? {
          bytes: predictLargestFit(model.config, parseMemInfo(heap.memInfo), input.info.heapTotal),
          by: `the ${model.config.description} model's run of the probe on the heap map`,
        }
      : { bytes: geometry.longestFreeRun.length * 16, by: 'the longest free run of the heap map' };
  const summary: FragmentationSummary = {
    filled: filled.n,
    size: filled.size,
    freeBytes: geometry.freeBlocks * 16,
    holes: freeRunLengths(geometry).length,
    longestRunBytes: geometry.longestFreeRun.length * 16,
    predictedLargestFit: predicted.bytes,
    predictedBy: predicted.by,
    measuredLargestFit: probe ? probe.bytes : null,
  };
  const checks: Check[] = [
    {
      id: 'fragmentation/scattered',
      title: 'an allocation fails long before free RAM runs out',
      status: summary.longestRunBytes < FRAGMENTED_SHARE * summary.freeBytes ? 'pass' : 'fail',
      observed: `${summary.freeBytes} B free in ${summary.holes} holes; the longest is ${summary.longestRunBytes} B`,
      expected: `the longest free run under ${FRAGMENTED_SHARE * 100}% of free RAM`,
    },
  ];
  const id = 'fragmentation/largest-fit';
  const title = 'the largest allocation that fits is the longest free run of the heap map';
  if (summary.measuredLargestFit === null) {
    checks.push({
      id,
      title,
      status: 'skipped',
      reason:
        'the virtual Pico grows its heap instead of raising MemoryError, so the largest allocation cannot be probed by trying',
    });
  } else {
    // The map was printed right after a collection, in the probe's own exec: it holds no garbage
    // the probe could free, so the map decides the answer to the byte.
    const fit = summary.measuredLargestFit;
    checks.push({
      id,
      title,
      status: fit === summary.predictedLargestFit ? 'pass' : 'fail',
      observed: `${fit} B`,
      expected: `${summary.predictedLargestFit} B (${summary.predictedBy}; the longest free run is ${summary.longestRunBytes} B)`,
      tolerance: 'exact',
    });
  }
  return {
    summary: { ...summary },
    metrics:
      summary.measuredLargestFit === null
        ? []
        : [
            {
              id: 'fragmentation/largest-fit',
              title: 'largest allocation that fits',
              unit: 'B',
              values: [summary.measuredLargestFit],
              better: 'higher' as const,
            },
          ],
    checks,
  };
}
