import { DEVICE_KIND_NAMES } from '../device/device-info.ts';
import type { Report } from '../report/schema.ts';
import type { MetricComparison, RunSide } from './comparison.ts';

/** One side of a comparison, as its heading names it. */
export function side(report: Report): RunSide {
  const d = report.device;
  return {
    runId: report.runId,
    device: d.description,
    kind: d.capabilities.kind,
    firmware: `MicroPython ${d.firmware.version} on ${d.firmware.machine}`,
    ...(report.options.firmwareLabel ? { firmwareLabel: report.options.firmwareLabel } : {}),
    profile: report.options.profile,
  };
}

/** What a reader must know to trust the numbers: device kinds, clocks, heaps, profiles, parameters. */
export function notes(baseline: Report, current: Report, metrics: MetricComparison[]): string[] {
  const out: string[] = [];
  const kb = baseline.device.capabilities.kind;
  const kc = current.device.capabilities.kind;
  if (kb !== kc) {
    out.push(
      `the baseline ran on a ${DEVICE_KIND_NAMES[kb]} and the current run on a ${DEVICE_KIND_NAMES[kc]}: timings are not comparable in kind`,
    );
  }
  const tb = baseline.device.capabilities.collectTiming;
  const tc = current.device.capabilities.collectTiming;
  if (kb === kc && tb !== tc) {
    out.push(
      `pauses were timed by ${tb} in the baseline and by ${tc} in the current run: not comparable in kind`,
    );
  }
  if ([tb, tc].includes('work-clock')) {
    out.push(
      "pauses are the virtual Pico's work clock: counted VM work as an estimate of Pico time, the same on " +
        'any host, so a change is a change in the work done; its scale in µs is a fit to real firmware, not a board',
    );
  }
  if ([baseline, current].some((r) => r.device.capabilities.collectTiming === 'host-timed')) {
    out.push(
      'pauses were timed on the host (virtual Pico): a busy host slows a whole run, so a shift ' +
        'common to every timing of an experiment may be the host, not the code; compare runs made ' +
        'on a quiet host, or on a board',
    );
  }
  if (baseline.device.heapTotal !== current.device.heapTotal) {
    out.push(`heap sizes differ: ${baseline.device.heapTotal} B vs ${current.device.heapTotal} B`);
  }
  if (baseline.options.profile !== current.options.profile) {
    out.push(`profiles differ: ${baseline.options.profile} vs ${current.options.profile}`);
  }
  for (const e of current.experiments) {
    const b = baseline.experiments.find((x) => x.id === e.id);
    if (!b) continue;
    for (const name of new Set([...Object.keys(b.params), ...Object.keys(e.params)])) {
      const was = JSON.stringify(b.params[name]);
      const now = JSON.stringify(e.params[name]);
      if (was !== now) out.push(`parameter ${e.id}.${name} differs: ${was ?? 'unset'} → ${now ?? 'unset'}`);
    }
  }
  for (const [name, r] of [
    ['baseline', baseline],
    ['current', current],
  ] as const) {
    for (const e of r.experiments.filter((x) => x.status === 'failed')) {
      out.push(`${e.id} failed in the ${name} run (${e.error ?? 'unknown error'}): its metrics are missing`);
    }
  }
  const unstable = metrics.filter((m) => m.unstable).length;
  if (unstable > 0) {
    out.push(
      `${unstable} of ${metrics.length} metrics have a large spread on one side (pyperf's warning: SD ≥ 10% of the mean, or an extreme ≥ 50% away); their verdicts rest on the rank test`,
    );
  }
  return out;
}
