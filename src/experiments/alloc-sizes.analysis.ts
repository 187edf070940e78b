import type { DeviceInfo } from '../device/device-info.ts';
import { objectBlocks, parseObjectSpec, type PortConfig } from '../model/index.ts';
import type { AllocSample, AllocSizesParams } from './alloc-sizes.schema.ts';
import { modelFor } from './device-model.ts';
import type { Analysis, Check } from './experiment.ts';
import { groupBy } from './timing.ts';

export interface AllocRow {
  object: string;
  model: string;
  /** Measured bytes, one per repetition. */
  measured: number[];
  /** What the model says the object keeps allocated; null without a model preset. */
  modelBytes: number | null;
}

/** Sizes are exact: every repetition must equal the model, byte for byte. */
export function analyseAllocSizes(input: {
  samples: AllocSample[];
  info: DeviceInfo;
  params: AllocSizesParams;
}): Analysis {
  const model = modelFor(input.info);
  const rows: AllocRow[] = [...groupBy(input.samples, (s) => s.object)].map(([object, samples]) => ({
    object,
    model: samples[0]!.model,
    measured: samples.map((s) => s.bytes),
    modelBytes: 'config' in model ? modelBytesOf(model.config, samples[0]!.model) : null,
  }));
  const checks: Check[] = rows.map((row) => {
    const id = `alloc-sizes/${row.object}`;
    const title = `${row.object} costs what the model says`;
    if (row.modelBytes === null) {
      return { id, title, status: 'skipped', reason: 'reason' in model ? model.reason : 'no model' };
    }
    const distinct = [...new Set(row.measured)];
    return {
      id,
      title,
      status: distinct.length === 1 && distinct[0] === row.modelBytes ? 'pass' : 'fail',
      observed: `${distinct.join(' / ')} B`,
      expected: `${row.modelBytes} B (${row.model})`,
      tolerance: 'exact',
    };
  });
  return {
    summary: { rows, callOverhead: input.samples[0]?.callOverhead ?? 0 },
    metrics: rows.map((row) => ({
      id: `alloc-sizes/${row.object}`,
      title: `bytes for ${row.object}`,
      unit: 'B',
      values: row.measured,
      better: 'lower' as const,
    })),
    checks,
  };
}

function modelBytesOf(config: PortConfig, specs: string): number {
  return specs
    .split('+')
    .reduce((sum, spec) => sum + objectBlocks(config, parseObjectSpec(spec)) * config.bytesPerBlock, 0);
}
