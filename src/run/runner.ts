import type { Device } from '../device/device.ts';
import type { DeviceInfo } from '../device/device-info.ts';
import { uploadScripts } from '../device/scripts.ts';
import { DeviceResetError, LinkError, PicogcError } from '../errors.ts';
import { RecordingMismatchError } from '../link/replay-link.ts';
import type { AnyExperiment, Check } from '../experiments/experiment.ts';
import { resolveParams, type ParamOverride } from '../experiments/params.ts';
import { REPORT_SCHEMA, type ExperimentReport, type Report } from '../report/schema.ts';
import { crossExperimentAnalysis } from './cross-analysis.ts';
import type { Progress } from './progress.ts';
import { withDeviceLog } from './device-log.ts';
import { ResultsLog } from './results-log.ts';
import type { RecoveryEvent, RecoveryRequest } from '../report/recovery-event.ts';
import { hostBlock, runOptionsBlock, toolBlock } from '../report/run-header.ts';
import { workClockBlockFor } from './work-clock-residuals.ts';

const REPAIR_RUNGS = {
  resend: 'resend',
  again: 'ask-again',
  rerun: 'rerun-step',
  repace: 're-pace',
  reupload: 'reupload',
  reset: 'reset-detected',
} as const;

/** Resets of the device an experiment survives (each restarts it) before it counts as failed. */
const MAX_RESETS = 3;

/** One device call's deadline, in device time (the device stretches it when it runs slow). */
const DEFAULT_STEP_TIMEOUT_MS = 30_000;

/** Device log lines kept per experiment: enough to diagnose, bounded against a chatty script. */
const MAX_LOG_LINES = 200;

export interface RunOptions {
  device: Device;
  info: DeviceInfo;
  experiments: AnyExperiment[];
  profile: 'default' | 'quick';
  /** Overrides every experiment's `reps` parameter. */
  reps?: number;
  /** `--set EXPERIMENT.PARAM=VALUE` overrides. */
  overrides?: ParamOverride[];
  runId: string;
  resultsPath: string;
  progress: Progress;
  stepTimeoutMs?: number;
  firmwareLabel?: string;
  /**
   * The recovery strategy, called when an experiment failed because the device stopped answering
   * or the link dropped. It returns the device to go on with (the same one after a Ctrl-C or soft
   * reset, a new one after a power cycle and reconnect), or undefined when the board is lost; then
   * the remaining experiments are not run. Without it, a silent device is retried once after a soft
   * reset and a dropped link ends the run, as before.
   */
  recover?: (request: RecoveryRequest) => Promise<Device | undefined>;
  /** Aborted (e.g. the board's lock was lost): no further experiment is started. */
  signal?: AbortSignal;
}

/**
 * Runs the experiments one after the other on one device. Every sample is on disk
 * (results.jsonl) before the next device call. A device that stops answering is interrupted by
 * the REPL client; the experiment is retried once after a soft reset, then marked failed and the
 * run moves on. A device that stays silent after Ctrl-C, or a link that is gone, is handed to the
 * recovery strategy when there is one (which logs every rung it takes); without one, or when it
 * gives up, the run ends there: what was measured stays on disk.
 */
export async function runSuite(options: RunOptions): Promise<Report> {
  const startedAt = new Date().toISOString();
  const log = new ResultsLog(options.resultsPath);
  const reports: ExperimentReport[] = [];
  const recovery: RecoveryEvent[] = [];
  const notRun: string[] = [];
  let stopReason: string | undefined;
  let linkLost: unknown;
  let device = options.device;
  /** One recovery step, as it ends: to results.jsonl at once, and to the report. */
  const recorder = (experiment: string) => (event: Omit<RecoveryEvent, 'at' | 'experiment'>) => {
    const full = { at: new Date().toISOString(), experiment, ...event };
    recovery.push(full);
    log.append({ type: 'recovery', ...full });
  };
  try {
    log.append({ type: 'run', runId: options.runId, at: startedAt, device: options.info });
    for (const experiment of options.experiments) {
      if (stopReason === undefined && options.signal?.aborted) {
        stopReason = `stopped: ${describe(options.signal.reason)}`;
      }
      if (stopReason !== undefined) {
        notRun.push(experiment.id);
        continue;
      }
      const result = await runOne(experiment, { ...options, device }, log, recorder(experiment.id));
      reports.push(result.report);
      if (result.report.status === 'completed' || !needsRecovery(result.error, options)) continue;
      const next = options.recover
        ? await options
            .recover({
              experiment: experiment.id,
              error: result.error,
              record: recorder(experiment.id),
            })
            .catch((error: unknown) => {
              log.append({ type: 'error', experiment: experiment.id, error: `recovery: ${describe(error)}` });
              return undefined;
            })
        : undefined;
      if (next) {
        device = next;
        continue;
      }
      linkLost = result.error;
      stopReason = `the board stopped answering during ${experiment.id}: ${describe(result.error)}`;
    }
    if (notRun.length > 0) log.append({ type: 'not-run', experiments: notRun, reason: stopReason });
  } finally {
    log.close();
  }
  const { crossChecks, model } = crossExperimentAnalysis(reports, options.info);
  const failed = reports.some((r) => r.status === 'failed') || linkLost !== undefined || notRun.length > 0;
  const allChecks = [...reports.flatMap((r) => r.checks), ...crossChecks];
  const checkFailed = allChecks.some((c) => c.status === 'fail');
  const exitCode = failed ? 3 : checkFailed ? 1 : 0;
  const workClock = workClockBlockFor(options.info);
  return {
    schema: REPORT_SCHEMA,
    tool: toolBlock(),
    runId: options.runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    host: hostBlock(),
    options: runOptionsBlock({
      profile: options.profile,
      reps: options.reps,
      experiments: options.experiments.map((e) => e.id),
      firmwareLabel: options.firmwareLabel,
      stepTimeoutMs: options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    }),
    device: options.info,
    // The pauses of this run are the work clock's estimates: how good it was where it was checked.
    ...(workClock ? { workClock } : {}),
    experiments: reports,
    crossChecks,
    model,
    verdict: failed ? 'error' : checkFailed ? 'fail' : 'pass',
    exitCode,
    ...(recovery.length > 0 ? { recovery } : {}),
    ...(notRun.length > 0 ? { notRun: { experiments: notRun, reason: stopReason ?? 'stopped' } } : {}),
  };
}

/**
 * Does this failure call for the recovery ladder? A link that is gone always does (without a
 * strategy it ends the run). A device that stayed silent after Ctrl-C does when there is a strategy
 * to try; a device exception or a slow script that answered Ctrl-C does not.
 */
function needsRecovery(error: unknown, options: RunOptions): boolean {
  if (isLinkGone(error)) return true;
  return options.recover !== undefined && error instanceof LinkError;
}

async function runOne(
  experiment: AnyExperiment,
  options: RunOptions,
  log: ResultsLog,
  repaired: (event: Omit<RecoveryEvent, 'at' | 'experiment'>) => void,
): Promise<{ report: ExperimentReport; error?: unknown; device: Device }> {
  const { device, info, progress } = options;
  const params = resolveParams(experiment, options.profile, options.reps, options.overrides);
  const startedAt = new Date().toISOString();
  const timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  progress.start(experiment.id, experiment.totalSteps(params));

  let samples: object[] = [];
  const deviceLog: string[] = [];
  const loggingDevice = withDeviceLog(device, (line) => {
    if (deviceLog.length >= MAX_LOG_LINES) return;
    deviceLog.push(line);
    log.append({ type: 'log', experiment: experiment.id, line });
  });
  let error: unknown;
  let attempt = 1;
  let resets = 0;
  // What the device repaired on the way (a resent upload, a step run again) is part of the record.
  device.onRepair = (repair) =>
    repaired({ rung: REPAIR_RUNGS[repair.kind], ok: true, detail: repair.detail, ms: repair.ms });
  for (; attempt <= 2; attempt++) {
    samples = [];
    error = undefined;
    if (attempt > 1 || resets > 0) progress.restart(experiment.id, attempt);
    const started = performance.now();
    try {
      // Every experiment starts from a fresh interpreter and a swept heap, so one that has to start
      // again (after a reset) measures exactly what it would have the first time.
      await device.softReset();
      await uploadScripts(device, experiment.scripts);
      await experiment.run({
        device: loggingDevice,
        info,
        params,
        timeoutMs,
        step: (label) => progress.step(experiment.id, label),
        record: (sample) => {
          const parsed = experiment.sampleSchema.parse(sample);
          samples.push(parsed);
          log.append({
            type: 'sample',
            experiment: experiment.id,
            attempt,
            seq: samples.length,
            sample: parsed,
          });
        },
      });
      break;
    } catch (caught) {
      error = caught;
      log.append({ type: 'error', experiment: experiment.id, attempt, error: describe(caught) });
      // A replay the host no longer matches has nothing more to say: the recording must be remade.
      if (caught instanceof RecordingMismatchError) throw caught;
      // The device rebooted under the experiment: its state is gone, so it starts again from the
      // beginning. Not the experiment's failure, so not one of its attempts (but not forever).
      if (caught instanceof DeviceResetError && resets < MAX_RESETS) {
        resets += 1;
        attempt -= 1;
        repaired({
          rung: 'reset-detected',
          ok: true,
          detail: `${caught.message}; ${experiment.id} starts again from a fresh interpreter (reset ${resets} of at most ${MAX_RESETS})`,
          ms: performance.now() - started,
        });
        continue;
      }
      // A silent device is the recovery ladder's job (its first rungs are Ctrl-C and a soft reset).
      if (needsRecovery(caught, options)) break;
      if (attempt === 1) progress.note(`${experiment.id}: ${describe(caught)}; soft reset and retry`);
    }
  }

  const finishedAt = new Date().toISOString();
  const status = error === undefined ? 'completed' : 'failed';
  progress.finish(experiment.id, status === 'completed' ? 'done' : `FAILED: ${describe(error)}`);
  const analysis =
    status === 'completed'
      ? safeAnalyse(experiment, samples, info, params)
      : { summary: {}, metrics: [], checks: [] as Check[] };
  return {
    report: {
      id: experiment.id,
      title: experiment.title,
      question: experiment.question,
      params: params as Record<string, unknown>,
      status,
      attempts: Math.min(attempt, 2),
      ...(error !== undefined ? { error: describe(error) } : {}),
      startedAt,
      finishedAt,
      samples: samples as Record<string, unknown>[],
      log: deviceLog,
      ...analysis,
    },
    ...(error !== undefined ? { error } : {}),
    device,
  };
}

function safeAnalyse(experiment: AnyExperiment, samples: object[], info: DeviceInfo, params: object) {
  try {
    return experiment.analyse({ samples, info, params });
  } catch (error) {
    // An analysis bug must not lose the measurements: report it as a failed check.
    return {
      summary: {},
      metrics: [],
      checks: [
        {
          id: `${experiment.id}/analysis`,
          title: 'analysis',
          status: 'fail' as const,
          reason: describe(error),
        },
      ],
    };
  }
}

/** A link that closed cannot come back by itself: the run ends (recovery is the nightly's job). */
function isLinkGone(error: unknown): boolean {
  return error instanceof LinkError && error.disconnected === true;
}

function describe(error: unknown): string {
  if (error instanceof PicogcError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
