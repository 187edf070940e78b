import { median } from '../analysis/stats.ts';
import type { DeviceInfo } from '../device/device-info.ts';
import { GcHeap, objectBlocks } from '../model/index.ts';
import { modelFor } from './device-model.ts';
import type { Analysis, Check } from './experiment.ts';
import type { FloatChurnParams, FloatChurnSample } from './float-churn.schema.ts';

export interface FloatChurnSummary {
  ops: number;
  /** Median heap growth per float operation between readings without a collection. */
  bytesPerOp: number;
  /** Collections seen in the readings (a drop of gc.mem_alloc()). */
  collections: number;
  collectionsPer1000Ops: number;
  /** The model's count for the same run; null without a model. */
  predictedCollections: number | null;
  readings: number[];
  every: number;
}

/**
 * Each float result is a fresh 1-block object, so transient floats fill the heap 16 bytes an
 * operation and a board collects every time the free blocks run out (or the threshold is met).
 */
export function analyseFloatChurn(input: {
  samples: FloatChurnSample[];
  info: DeviceInfo;
  params: FloatChurnParams;
}): Analysis {
  const model = modelFor(input.info);
  const churn = input.samples[0];
  if (!churn) throw new Error('float-churn recorded no sample');
  const deltas = churn.readings.slice(1).map((v, i) => v - churn.readings[i]!);
  const growing = deltas.filter((d) => d >= 0);
  const collections = deltas.filter((d) => d < 0).length;
  const { heapTotal, capabilities, thresholdDefault } = input.info;
  const predictedCollections =
    'config' in model && !capabilities.deferredCollect
      ? predictCollections(model.config, heapTotal, churn.readings[0]!, churn.ops, thresholdDefault)
      : null;
  const summary: FloatChurnSummary = {
    ops: churn.ops,
    bytesPerOp: growing.length > 0 ? median(growing) / churn.every : NaN,
    collections,
    collectionsPer1000Ops: (1000 * collections) / churn.ops,
    predictedCollections,
    readings: churn.readings,
    every: churn.every,
  };

  const checks: Check[] = [];
  if ('reason' in model) {
    checks.push({
      id: 'float-churn/bytes-per-op',
      title: 'a float operation allocates one block',
      status: 'skipped',
      reason: model.reason,
    });
  } else {
    const expected = objectBlocks(model.config, { kind: 'float' }) * model.config.bytesPerBlock;
    checks.push({
      id: 'float-churn/bytes-per-op',
      title: 'a float operation allocates one 16-byte block',
      status: summary.bytesPerOp === expected ? 'pass' : 'fail',
      observed: `${summary.bytesPerOp} B per operation`,
      expected: `${expected} B`,
      tolerance: 'exact (median over readings without a collection)',
    });
  }
  const id = 'float-churn/collections';
  const title = 'collections per 1000 float operations match the model';
  if (capabilities.deferredCollect) {
    checks.push({
      id,
      title,
      status: 'skipped',
      reason: `the virtual Pico never collects inside a script (its heap grew by ${churn.readings.at(-1)! - churn.readings[0]!} B over ${churn.ops} operations instead)`,
    });
  } else if (predictedCollections === null) {
    checks.push({ id, title, status: 'skipped', reason: 'reason' in model ? model.reason : 'no model' });
  } else {
    checks.push({
      id,
      title,
      status: Math.abs(collections - predictedCollections) <= 1 ? 'pass' : 'fail',
      observed: `${collections} collections (${summary.collectionsPer1000Ops.toFixed(2)} per 1000 ops)`,
      expected: `${predictedCollections}`,
      tolerance: '±1 collection',
    });
  }
  return {
    summary: { ...summary },
    metrics: [
      {
        id: 'float-churn/bytes-per-op',
        title: 'bytes per float operation',
        unit: 'B',
        values: [summary.bytesPerOp],
        better: 'lower' as const,
      },
    ],
    checks,
  };
}

/**
 * The model's count: a heap of the device's size holding what was live at the start (as one
 * rooted block run), then `ops` 1-block floats nobody keeps, with the device's threshold.
 */
function predictCollections(
  config: Parameters<typeof objectBlocks>[0],
  heapTotal: number,
  liveBytes: number,
  ops: number,
  threshold: number,
): number {
  const heap = new GcHeap(config);
  if (heap.totalBlocks * config.bytesPerBlock !== heapTotal) {
    // The preset's heap differs from the device's: size the model to the device.
    return predictCollectionsOnBlocks(
      heapTotal / config.bytesPerBlock,
      liveBytes / config.bytesPerBlock,
      ops,
      threshold / 16,
    );
  }
  const live = heap.alloc(liveBytes, 'h');
  if (live) heap.roots.push(live);
  if (threshold > 0) heap.setThresholdBytes(threshold);
  const floatBytes = objectBlocks(config, { kind: 'float' }) * config.bytesPerBlock;
  const before = heap.collections.length;
  for (let i = 0; i < ops; i++) heap.alloc(floatBytes, 'F');
  return heap.collections.length - before;
}

/** The same count by arithmetic, for a heap size the preset does not have. */
function predictCollectionsOnBlocks(
  total: number,
  live: number,
  ops: number,
  thresholdBlocks: number,
): number {
  const perCycle = thresholdBlocks > 0 ? Math.min(thresholdBlocks, total - live) : total - live;
  return perCycle > 0 ? Math.floor(ops / perCycle) : 0;
}
