import { describe, expect, it } from 'vitest';
import { loadMemInfo } from '../../test/support/fixtures.ts';
import { syntheticDevice } from '../../test/support/synthetic-report.ts';
import { analyseFragmentation } from './fragmentation.analysis.ts';
import type { FragmentationSample } from './fragmentation.schema.ts';

/** The map and probe answer of a stock v1.28.0 RPI_PICO (test/fixtures/README.md). */
const MAP = loadMemInfo('mem_info1-map-and-probe');
const OBSERVED = 2272;

function analyse(fit: number | null) {
  const samples: FragmentationSample[] = [
    { type: 'filled', n: 1027, size: 200, memAlloc: 243584 },
    { type: 'heap', memInfo: MAP },
    ...(fit === null ? [] : [{ type: 'largest-fit' as const, bytes: fit }]),
  ];
  return analyseFragmentation({
    samples,
    info: syntheticDevice('board'),
    params: { size: 200, marginBlocks: 48 },
  });
}

const largestFit = (fit: number | null) =>
  analyse(fit).checks.find((c) => c.id === 'fragmentation/largest-fit')!;

describe('fragmentation: the largest allocation that fits', () => {
  it("is predicted to the byte on real firmware: the model runs the device's probe on its map", () => {
    const check = largestFit(OBSERVED);
    expect(check.status).toBe('pass');
    expect(check.expected).toMatch(/^2272 B \(the rp2 .* model's run of the probe on the heap map/);
  });

  it('fails when the allocator leaves a larger hole than the map shows (one block more)', () => {
    expect(largestFit(OBSERVED + 16).status).toBe('fail');
  });

  it('fails when less fits than the map shows', () => {
    expect(largestFit(OBSERVED - 16).status).toBe('fail');
  });

  it('is skipped, with the reason, where the heap grows instead of failing', () => {
    const check = analyseFragmentation({
      samples: [
        { type: 'filled', n: 1027, size: 200, memAlloc: 243584 },
        { type: 'heap', memInfo: MAP },
      ],
      info: syntheticDevice('virtual-pico'),
      params: { size: 200, marginBlocks: 48 },
    }).checks.find((c) => c.id === 'fragmentation/largest-fit')!;
    expect(check.status).toBe('skipped');
    expect(check.reason).toMatch(/grows its heap/);
  });
});
