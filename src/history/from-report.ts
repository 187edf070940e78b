import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { DeviceInfo } from '../device/device-info.ts';
import type { Report } from '../report/schema.ts';
import { deviceId } from '../device/device-id.ts';
import { medianInterval } from './median-interval.ts';
import { HISTORY_SCHEMA, type HistoryRecord, type HistoryVerdict, type MetricSummary } from './schema.ts';

export interface FromReportOptions {
  /** The history file the record goes to: `reportDir` is written relative to its directory. */
  historyPath: string;
  /** The run's directory, if it was written. */
  runDir?: string;
  /** How the board was named (port, tcp:// address, `virtual Pico seed N`). */
  label?: string;
  /** Overrides the report's own verdict, e.g. `regression` after the nightly's comparison. */
  verdict?: HistoryVerdict;
}

/**
 * One history line for one board's run: every metric of every completed experiment summarised as
 * its median with a 95% order-statistic interval, the board's identity and the firmware under test.
 * The raw samples stay in the run's report.json; the history keeps what trends and step detection need.
 */
export function historyRecordFromReport(report: Report, options: FromReportOptions): HistoryRecord {
  const metrics: Record<string, MetricSummary> = {};
  for (const experiment of report.experiments) {
    if (experiment.status !== 'completed') continue;
    for (const metric of experiment.metrics) {
      const values = metric.values.filter((v) => Number.isFinite(v));
      if (values.length === 0 || metric.id === '__proto__') continue;
      const { median, low, high } = medianInterval(values);
      metrics[metric.id] = { median, low, high, n: values.length, unit: metric.unit };
    }
  }
  return {
    schema: HISTORY_SCHEMA,
    runId: report.runId,
    at: report.finishedAt,
    device: {
      id: deviceId(report.device),
      ...(options.label ? { label: options.label } : {}),
      firmware: firmwareOf(report.device, report.options.firmwareLabel),
    },
    metrics,
    verdict: options.verdict ?? report.verdict,
    ...(options.runDir ? { reportDir: reportDirFor(options.historyPath, options.runDir) } : {}),
  };
}

/** The firmware under test as history names it: the user's label, else version and build. */
export function firmwareOf(device: DeviceInfo, label?: string): string {
  if (label) return label;
  const build = device.firmware.buildString ?? device.firmware.build ?? '';
  return `${device.firmware.name} ${device.firmware.version}${build ? ` ${build}` : ''}`;
}

/**
 * Run directories are stored relative to the history file's directory (forward slashes), so a
 * reports directory can be moved or uploaded as a whole and its links still work.
 */
export function reportDirFor(historyPath: string, runDir: string): string {
  const rel = relative(dirname(resolve(historyPath)), resolve(runDir));
  if (rel === '' || isAbsolute(rel)) return resolve(runDir);
  return rel.split(sep).join('/');
}

/** Where a record's run directory is, for reading it back. */
export function resolveReportDir(historyPath: string, reportDir: string): string {
  return isAbsolute(reportDir) ? reportDir : resolve(dirname(resolve(historyPath)), reportDir);
}
