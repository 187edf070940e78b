import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device } from '../device/device.ts';
import { deviceId } from '../device/device-id.ts';
import type { AnyExperiment } from '../experiments/experiment.ts';
import type { ParamOverride } from '../experiments/params.ts';
import { writeViews } from '../report/views.ts';
import { createProgress, type Progress } from './progress.ts';
import type { RecoveryRequest } from '../report/recovery-event.ts';
import type { Report } from '../report/schema.ts';
import { claimRunDir, latestLinkName, pointLatest, runIdFor, type LatestName } from './run-dir.ts';
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
  /** See RunOptions.recover: the recovery strategy for a device that stops answering. */
  recover?: (request: RecoveryRequest) => Promise<Device | undefined>;
  /** See RunOptions.signal. */
  signal?: AbortSignal;
  /** Default: bars on a terminal, lines otherwise. */
  progress?: Progress;
  /** Extra top-level fields for report.json (the bench's board tag). */
  extra?: Record<string, unknown>;
  /**
   * Name of the link in `outDir` pointing at this run (default `latest`); several boards running
   * at once each get their own (e.g. `latest-<device id>`), or they would overwrite one another's.
   */
  latestName?: LatestName;
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
  const id = deviceId(info);
  const { runId, runDir } = claimRunDir(options.outDir, runIdFor(id));
  const progress = options.progress ?? createProgress();
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
      ...(options.recover ? { recover: options.recover } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    progress.stop();
  }
  if (options.extra) report = { ...report, ...options.extra };
  writeFileSync(join(runDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeViews(report, runDir);
  pointLatest(options.outDir, runId, latestLinkName(options.latestName, id));
  return { report, runDir };
}
