import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device } from '../device/device.ts';
import type { DeviceInfo } from '../device/device-info.ts';
import { deviceId } from '../device/device-id.ts';
import type { AnyExperiment } from '../experiments/experiment.ts';
import type { ParamOverride } from '../experiments/params.ts';
import { writeViews } from '../report/views.ts';
import { createProgress, type Progress } from './progress.ts';
import type { RecoveryRequest } from '../report/recovery-event.ts';
import type { Report } from '../report/schema.ts';
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
  latestName?: string | ((info: DeviceInfo) => string);
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
  const { runId, runDir } = claimRunDir(options.outDir, makeRunId(info));
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
  const latest = options.latestName ?? 'latest';
  pointLatest(options.outDir, runId, typeof latest === 'string' ? latest : latest(info));
  return { report, runDir };
}

/**
 * The run's directory, created here. Run ids have one-second resolution: a second run of the same
 * board within that second (a quick subset, a retry) gets `-2`, `-3`… instead of mixing its files
 * into the first one's.
 */
function claimRunDir(outDir: string, baseId: string): { runId: string; runDir: string } {
  mkdirSync(outDir, { recursive: true });
  for (let n = 1; ; n++) {
    const runId = n === 1 ? baseId : `${baseId}-${n}`;
    const runDir = join(outDir, runId);
    if (existsSync(runDir)) continue;
    try {
      mkdirSync(runDir);
      return { runId, runDir };
    } catch (error) {
      // Another process took the name between the check and the mkdir: try the next one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** UTC time + device id: sortable, unique per board, safe as a directory name. */
export function makeRunId(info: DeviceInfo, now = new Date()): string {
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${time}-${deviceId(info)}`;
}

function pointLatest(outDir: string, runId: string, name: string): void {
  const latest = join(outDir, name);
  rmSync(latest, { force: true });
  try {
    symlinkSync(runId, latest);
  } catch {
    // Filesystems without symlinks get a file naming the run instead.
    writeFileSync(latest, `${runId}\n`);
  }
}
