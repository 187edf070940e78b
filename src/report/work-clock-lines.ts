import { formatNumber, signedPercent } from '../format.ts';
import { worstFitted, type WorkClockBlock } from './work-clock-block.ts';

/** The work clock's calibration in three sentences, the same in every view (plain text, escaped by each view). */
export interface WorkClockLines {
  /** How counted work became Pico µs. */
  conversion: string;
  /** What it was fitted to, and its worst error there. */
  fit: string;
  /** The configurations kept out of the fit, and how the fit does at the build's sweep; undefined when none. */
  setAside: string | undefined;
}

export function workClockLines(block: WorkClockBlock): WorkClockLines {
  const c = block.coefficients;
  const worst = worstFitted(block);
  const mhz = formatNumber(c.picoHz / 1e6);
  const conversion =
    `pauses are the VM's counted work as Pico time, an estimate: ${formatNumber(c.cyclesPerCount)} cycles ` +
    `a counted wasm instruction, ${formatNumber(c.cyclesPerTable)} more a br_table, at ${mhz} MHz, ` +
    `+${formatNumber(c.collectionFixedUs)} µs a collection`;
  const fit =
    `fitted to ${block.fitted.length} configurations of ${block.calibration.firmware} ` +
    `(calibration of ${block.calibration.date}): worst error ±${(block.worstRelativeError * 100).toFixed(1)}%` +
    (worst ? ` (${worst.config}: ${signedPercent(worst.relativeError * 100)})` : '');
  const n = block.setAside.length;
  const atSweep = Math.max(...block.setAside.map((s) => Math.abs(s.relativeErrorAtBuildSweep)));
  const setAside =
    n === 0
      ? undefined
      : `${n} set aside, where the build swept far past the virtual Pico (an object kept alive above the ` +
        `live set by a false root of that build): at the build's sweep the fit is within ±${(atSweep * 100).toFixed(1)}%`;
  return { conversion, fit, setAside };
}
