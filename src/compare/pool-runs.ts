import { InputError } from '../errors.ts';
import type { Check } from '../experiments/experiment.ts';
import type { Report } from '../report/schema.ts';

/**
 * Several runs of one configuration as one report, each metric's values concatenated, as pyperf
 * pools the values of its worker processes. A run-wide disturbance (a busy host slowing one run of
 * a virtual Pico on `--clock host`) then moves a third of a side's values, not all of them: the
 * medians and the rank test see it for what it is. The runs must share device kind, firmware, heap
 * and every parameter; a check's pooled status is its worst (fail, else pass, else skipped).
 */
export function poolRuns(reports: readonly Report[]): Report {
  const [first, ...rest] = reports;
  if (!first) throw new InputError('no runs to pool');
  if (rest.length === 0) return first;
  for (const r of rest) {
    const same = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        throw new InputError(`runs ${first.runId} and ${r.runId} cannot be pooled: ${what} differ`);
      }
    };
    same('device kinds', first.device.capabilities.kind, r.device.capabilities.kind);
    same('firmware versions', first.device.firmware, r.device.firmware);
    same('heap sizes', first.device.heapTotal, r.device.heapTotal);
    same('profiles', first.options.profile, r.options.profile);
    for (const e of r.experiments) {
      const f = first.experiments.find((x) => x.id === e.id);
      if (f) same(`the parameters of ${e.id}`, f.params, e.params);
    }
  }
  const rank = { fail: 2, pass: 1, skipped: 0 } as const;
  const worst = (checks: Check[][]): Check[] => {
    const byId = new Map<string, Check>();
    for (const c of checks.flat()) {
      const seen = byId.get(c.id);
      if (!seen || rank[c.status] > rank[seen.status]) byId.set(c.id, c);
    }
    return [...byId.values()];
  };
  const ids = [...new Set(reports.flatMap((r) => r.experiments.map((e) => e.id)))];
  const experiments = ids.map((id) => {
    const runs = reports.flatMap((r) => r.experiments.filter((e) => e.id === id));
    const completed = runs.filter((e) => e.status === 'completed');
    const base = completed[0] ?? runs[0]!;
    const metricIds = [...new Set(completed.flatMap((e) => e.metrics.map((m) => m.id)))];
    return {
      ...base,
      metrics: metricIds.map((mid) => {
        const all = completed.flatMap((e) => e.metrics.filter((m) => m.id === mid));
        return { ...all[0]!, values: all.flatMap((m) => m.values) };
      }),
      checks: worst(runs.map((e) => e.checks)),
    };
  });
  return {
    ...first,
    runId: `${first.runId} (+${rest.length} pooled)`,
    experiments,
    crossChecks: worst(reports.map((r) => r.crossChecks)),
  };
}
