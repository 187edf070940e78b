import { describe, expect, it } from 'vitest';
import { loadMemInfo } from '../../test/support/fixtures.ts';
import { syntheticDevice } from '../../test/support/synthetic-report.ts';
import { analyseHeapPosition } from './heap-position.analysis.ts';
import type { HeapPositionSample } from './heap-position.schema.ts';

/** Pauses as an emulated chip times them: whole cycles, a microsecond or two apart run to run. */
function samples(packedUs: number, pinnedUs: number): HeapPositionSample[] {
  const out: HeapPositionSample[] = [];
  const map = loadMemInfo('mem_info1-boot');
  for (const [position, us] of [
    ['packed', packedUs],
    ['pinned', pinnedUs],
  ] as const) {
    out.push({ type: 'heap', nLive: 0, position, memInfo: map });
    for (let rep = 0; rep < 12; rep++)
      out.push({ type: 'pause', nLive: 0, position, rep, us: us + (rep % 2), method: 'ticks_us' });
  }
  return out;
}

function claim(version: string, packedUs: number, pinnedUs: number) {
  const info = syntheticDevice('board', {
    firmware: { name: 'micropython', version, machine: 'Raspberry Pi Pico with RP2040', build: 'RPI_PICO' },
  });
  return analyseHeapPosition({
    samples: samples(packedUs, pinnedUs),
    info,
    params: { nLive: [0], size: 48, reps: 12, rounds: 3, warmup: 1, marginBlocks: 24 },
  }).checks.find((c) => c.id === 'heap-position/claim')!;
}

describe('heap-position: the claim, by sweep mode', () => {
  it('since v1.21 (sweep to the last used block) the pin must slow the pause down', () => {
    expect(claim('1.28.0', 1200, 1900).status).toBe('pass');
    expect(claim('1.28.0', 1200, 1202).status).toBe('fail');
  });

  it('before v1.21 (whole-heap sweep) the pin changes no more than its own mark work', () => {
    // v1.20.0 on the emulated RP2040: 5111 µs packed, 5113 µs pinned.
    const unmoved = claim('1.20.0', 5111, 5113);
    expect(unmoved.status).toBe('pass');
    expect(unmoved.title).toMatch(/whole-heap sweep/);
    expect(claim('1.20.0', 5111, 7000).status).toBe('fail');
  });
});
