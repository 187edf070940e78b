/**
 * Measures, on real back-to-back runs of virtual Picos, how often the history's step detection
 * flags a board that did not change (false alarms) and how often it names the night of an injected
 * slowdown. Not a test (its outcome depends on the host's load): run it by hand,
 *
 *   node --import tsx test/nightly/measure-false-alarms.ts [SERIES] [SLOW_SIZE] [--resampled]
 *
 * Each series is ten nights of a steady board and ten of a board slowed from night 5 (see
 * history-series.ts): real back-to-back runs, or with `--resampled` the gated, resampled series
 * the history test is built on (fresh pools and a fresh resample each series). It prints each
 * series and the totals, for the detection as picogc runs it and for the medians alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryRecord } from '../../src/history/schema.ts';
import { readHistory } from '../../src/history/store.ts';
import { historyTrends } from '../../src/history/trends.ts';
import { recordRealSeries, recordResampledSeries } from './history-series.ts';

const resampled = process.argv.includes('--resampled');
const [seriesArg, sizeArg] = process.argv.slice(2).filter((a) => a !== '--resampled');
const series = Number(seriesArg ?? 10);
const slowSize = Number(sizeArg ?? 192);
/**
 * The detection as picogc runs it, and on the medians alone (the records without their intervals):
 * what the per-run intervals change.
 */
const readings = {
  'with intervals': (records: HistoryRecord[]) => records,
  'medians only': (records: HistoryRecord[]) =>
    records.map((r) => ({
      ...r,
      metrics: Object.fromEntries(
        Object.entries(r.metrics).map(([id, m]) => [id, { median: m.median, n: m.n, unit: m.unit }]),
      ),
    })),
};
const tally = Object.fromEntries(
  Object.keys(readings).map((k) => [k, { steadySeries: 0, falseAlarms: 0, named: 0, extra: 0 }]),
);
for (let k = 0; k < series; k++) {
  const dir = mkdtempSync(join(tmpdir(), 'picogc-fa-'));
  const seeds = { slow: 1000 + 2 * k, steady: 1001 + 2 * k };
  const options = {
    history: join(dir, 'history.jsonl'),
    outDir: dir,
    nights: 10,
    slowFrom: 5,
    slowSize,
    seeds,
  };
  if (resampled) await recordResampledSeries({ ...options, resampleSeed: k + 1 });
  else await recordRealSeries(options);
  const { records } = await readHistory(join(dir, 'history.jsonl'));
  process.stdout.write(`series ${k + 1}\n`);
  for (const [reading, read] of Object.entries(readings)) {
    const trends = historyTrends(read(records));
    const steady = trends.filter((t) => t.deviceLabel === `virtual Pico seed ${seeds.steady}`);
    const slow = trends.find(
      (t) => t.deviceLabel === `virtual Pico seed ${seeds.slow}` && t.metric.endsWith('=1000'),
    )!;
    const t = tally[reading]!;
    t.steadySeries += steady.length;
    t.falseAlarms += steady.filter((s) => s.steps.length > 0).length;
    if (slow.steps.some((s) => s.run === 5)) t.named++;
    t.extra += slow.steps.filter((s) => s.run !== 5).length;
    const show = (trend: (typeof trends)[number]) =>
      `${trend.metric.slice(14)}: ${trend.runs.map((r) => r.median.toFixed(0)).join(' ')} steps [${trend.steps.map((s) => `${s.run} ${s.changePercent.toFixed(0)}%`).join(', ')}]`;
    process.stdout.write(
      `  ${reading}\n    steady ${steady.map(show).join('\n           ')}\n    slow   ${show(slow)}\n`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}
for (const [reading, t] of Object.entries(tally)) {
  process.stdout.write(
    `${reading}: false alarms in ${t.falseAlarms} of ${t.steadySeries} ten-night metric series without a change; ` +
      `slowdown (bytearray(48) → (${slowSize})) named at night 5 in ${t.named} of ${series}, ${t.extra} other steps\n`,
  );
}
process.exit(0);
