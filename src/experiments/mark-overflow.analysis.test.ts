import { describe, expect, it } from 'vitest';
import { syntheticDevice } from '../../test/support/synthetic-report.ts';
import { analyseMarkOverflow } from './mark-overflow.analysis.ts';
import type { MarkOverflowParams, MarkOverflowSample } from './mark-overflow.schema.ts';

const WIDE = [32, 48, 60, 63, 64, 65, 66, 96];

/** Deterministic-looking pauses (emulated time) with a ×5 step where the stack overflows. */
function samples(wide: number[], overflowsAt: number): MarkOverflowSample[] {
  const out: MarkOverflowSample[] = [];
  for (const size of wide) {
    for (let rep = 0; rep < 12; rep++) {
      const us = (size >= overflowsAt ? 5 : 1) * (600 + size * 4) + (rep % 3);
      out.push({ type: 'pause', shape: 'wide', size, rep, us, method: 'ticks_us' });
    }
  }
  for (const size of [64, 1024]) {
    for (let rep = 0; rep < 12; rep++) {
      out.push({
        type: 'pause',
        shape: 'chain',
        size,
        rep,
        us: 700 + size * 3 + (rep % 3),
        method: 'ticks_us',
      });
    }
  }
  return out;
}

function cliff(wide: number[], overflowsAt: number) {
  const params: MarkOverflowParams = { wide, chain: [64, 1024], reps: 12, rounds: 3, warmup: 2 };
  const analysis = analyseMarkOverflow({
    samples: samples(wide, overflowsAt),
    info: syntheticDevice('board'),
    params,
  });
  return { check: analysis.checks.find((c) => c.id === 'mark-overflow/cliff')!, summary: analysis.summary };
}

describe('mark-overflow: the cliff', () => {
  it("passes a step at the model's count (65 children in sys.argv) and shows both", () => {
    const { check, summary } = cliff(WIDE, 65);
    expect(check.status).toBe('pass');
    expect(check.observed).toMatch(/64 → 65 children/);
    expect(check.expected).toMatch(/64 → 65 children/);
    expect(summary.predictedCliff).toBe(65);
  });

  it('allows one child either way, and no more', () => {
    expect(cliff(WIDE, 64).check.status).toBe('pass');
    expect(cliff(WIDE, 66).check.status).toBe('pass');
    expect(cliff(WIDE, 63).check.status).toBe('fail');
    expect(cliff(WIDE, 96).check.status).toBe('fail');
  });

  it('is skipped, with the reason, when the sizes cannot place the step to one child', () => {
    const { check } = cliff([32, 48, 60, 64, 96], 65);
    expect(check.status).toBe('skipped');
    expect(check.reason).toMatch(/do not include 63…66/);
  });
});
