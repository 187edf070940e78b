import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { syntheticDevice } from '../../test/support/synthetic-report.ts';
import type { DeviceInfo } from '../device/device-info.ts';
import { workClockBlock, type CalibrationLike } from '../report/work-clock-block.ts';
import { workClockBlockFor } from './work-clock-residuals.ts';

const shipped = JSON.parse(
  readFileSync(new URL('../sim/work-clock.calibration.json', import.meta.url), 'utf8'),
) as CalibrationLike;

/** A device's info with its capabilities changed. */
function device(
  kind: 'board' | 'virtual-pico',
  change: Partial<DeviceInfo['capabilities']>,
  backend?: DeviceInfo['backend'],
) {
  const info = syntheticDevice(kind);
  return { ...info, ...(backend ? { backend } : {}), capabilities: { ...info.capabilities, ...change } };
}

describe('which reports carry the work clock calibration', () => {
  it('a run on the virtual Pico timed by its work clock: the calibration it was converted with', () => {
    const block = workClockBlockFor(device('virtual-pico', { collectTiming: 'work-clock' }));
    expect(block).toEqual(workClockBlock(shipped, 'shipped: src/sim/work-clock.calibration.json'));
  });

  it('none where pauses are measured: a board, the emulated RP2040, a replay, the host clock', () => {
    expect(workClockBlockFor(device('board', {}))).toBeUndefined();
    expect(workClockBlockFor(device('board', { kind: 'emulated-rp2040' }, 'emu'))).toBeUndefined();
    // A replay of a virtual Pico's run says what the virtual Pico declared, but plays recorded pauses.
    expect(
      workClockBlockFor(device('virtual-pico', { collectTiming: 'work-clock' }, 'replay')),
    ).toBeUndefined();
    expect(workClockBlockFor(device('virtual-pico', { collectTiming: 'host-timed' }))).toBeUndefined();
  });
});
