import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import type { Device } from '../device/device.ts';
import type { DeviceInfo } from '../device/device-info.ts';
import type { AnyExperiment } from '../experiments/experiment.ts';
import type { ParamOverride } from '../experiments/params.ts';
import type { Report } from '../report/schema.ts';
import { writeViews } from '../report/views.ts';
import { createProgress } from './progress.ts';
import { runSuite } from './runner.ts';

export interface SessionOptions {
  device: Device;
  experiments: AnyExperiment[];
  profile: 'default' | 'quick';
  reps?: number;
  overrides?: ParamOverride[];
  /** Parent of the run directory (default `reports`). */
  outDir: string;
  firmwareLabel?: string;
  stepTimeoutMs?: number;
}

export interface SessionResult {
  report: Report;
  runDir: string;
}

/**
 * One run on one device, written down: `<out>/<run-id>/results.jsonl` as samples arrive, then
 * report.json and its views, and `<out>/latest` pointing at the run.
 */
export async function runSession(options: SessionOptions): Promise<SessionResult> {
  const info = await options.device.info();
  const runId = makeRunId(info);
  const runDir = join(options.outDir, runId);
  mkdirSync(runDir, { recursive: true });
  const progress = createProgress();
  let report: Report;
  try {
    report = await runSuite({
      device: options.device,
      info,
      experiments: options.experiments,
      profile: options.profile,
      ...(options.reps !== undefined ? { reps: options.reps } : {}),
      ...(options.overrides ? { overrides: options.overrides } : {}),
      runId,
      resultsPath: join(runDir, 'results.jsonl'),
      progress,
      ...(options.stepTimeoutMs !== undefined ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
      ...(options.firmwareLabel ? { firmwareLabel: options.firmwareLabel } : {}),
    });
  } finally {
    progress.stop();
  }
  writeFileSync(join(runDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeViews(report, runDir);
  pointLatest(options.outDir, runId);
  return { report, runDir };
}

/** UTC time + device id: sortable, unique per board, safe as a directory name. */
export function makeRunId(info: DeviceInfo, now = new Date()): string {
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${time}-${deviceId(info)}`;
}

export function deviceId(info: DeviceInfo): string {
  const raw =
    info.uniqueId ??
    info.serialNumber ??
    (info.backend === 'sim' ? 'virtual-pico' : basename(info.description));
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function pointLatest(outDir: string, runId: string): void {
  const latest = join(outDir, 'latest');
  rmSync(latest, { force: true });
  try {
    symlinkSync(runId, latest);
  } catch {
    // Filesystems without symlinks get a file naming the run instead.
    writeFileSync(latest, `${runId}\n`);
  }
}
