import type { DeviceInfo } from '../device/device-info.ts';
import { workClockBlock, type WorkClockBlock } from '../report/work-clock-block.ts';
import { CALIBRATION_ENV, workClockCalibration } from '../sim/work-clock.ts';

/**
 * The report's `workClock` block for a device whose pauses are the virtual Pico's work clock: the
 * calibration this process loaded (the one its virtual Pico converts counted work with) and its
 * residuals. Undefined for every device that measures its pauses: a board, the emulated RP2040, a
 * replay of a recording (its pauses are the recorded ones), and the virtual Pico on `--clock host`.
 */
export function workClockBlockFor(info: DeviceInfo): WorkClockBlock | undefined {
  const caps = info.capabilities;
  if (info.backend === 'replay' || caps.kind !== 'virtual-pico' || caps.collectTiming !== 'work-clock')
    return undefined;
  const override = process.env[CALIBRATION_ENV];
  return workClockBlock(
    workClockCalibration(),
    override ? `$${CALIBRATION_ENV}: ${override}` : 'shipped: src/sim/work-clock.calibration.json',
  );
}
