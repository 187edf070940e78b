import type { DeviceInfo } from '../device/device-info.ts';
import type { Analysis, Check } from './experiment.ts';
import type { FragmentationParams, FragmentationSample } from './fragmentation.ts';
import { heapGeometry } from './heap-geometry.ts';

/** Free RAM counts as fragmented when its longest run is under this share of it. */
export const FRAGMENTED_SHARE = 0.1;

export interface FragmentationSummary {
  filled: number;
  size: number;
  freeBytes: number;
  /** Runs of free blocks (holes) in area 0. */
  holes: number;
  longestRunBytes: number;
  /** The largest bytearray the heap map says still fits: its data needs one run of free blocks. */
  predictedLargestFit: number;
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
  const summary: FragmentationSummary = {
    filled: filled.n,
    size: filled.size,
    freeBytes: geometry.freeBlocks * 16,
    holes: countRuns(geometry.blocks),
    longestRunBytes: geometry.longestFreeRun.length * 16,
    predictedLargestFit: geometry.longestFreeRun.length * 16,
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
    // The probe's own failure triggers a collection, which frees the REPL's garbage lying in some
    // holes: the measured fit may exceed the map's by one hole, never fall short of it.
    const hole = (1 + Math.ceil(summary.size / 16)) * 16;
    const fit = summary.measuredLargestFit;
    checks.push({
      id,
      title,
      status:
        fit >= summary.predictedLargestFit - 16 && fit <= summary.predictedLargestFit + hole
          ? 'pass'
          : 'fail',
      observed: `${fit} B`,
      expected: `${summary.predictedLargestFit} B`,
      tolerance: `−16 B … +${hole} B (one hole)`,
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

function countRuns(blocks: string): number {
  let runs = 0;
  for (let i = 0; i < blocks.length; i++) if (blocks[i] === '.' && blocks[i - 1] !== '.') runs++;
  return runs;
}
