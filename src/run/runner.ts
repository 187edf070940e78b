import { hostname } from 'node:os';
import type { Device } from '../device/device.ts';
import type { DeviceInfo } from '../device/device-info.ts';
import { uploadScripts } from '../device/scripts.ts';
import { LinkError, PicogcError } from '../errors.ts';
import type { AnyExperiment, Check } from '../experiments/experiment.ts';
import { resolveParams, type ParamOverride } from '../experiments/params.ts';
import { REPORT_SCHEMA, type ExperimentReport, type Report } from '../report/schema.ts';
import { crossExperimentAnalysis } from './cross-analysis.ts';
import type { Progress } from './progress.ts';
import { withDeviceLog } from './device-log.ts';
import { ResultsLog } from './results-log.ts';

/** Device log lines kept per experiment: enough to diagnose, bounded against a chatty script. */
const MAX_LOG_LINES = 200;
import { TOOL_VERSION } from '../version.ts';

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
}

/**
 * Runs the experiments one after the other on one device. Every sample is on disk
 * (results.jsonl) before the next device call. A device that stops answering is interrupted by
 * the REPL client; the experiment is retried once after a soft reset, then marked failed and the
 * run moves on. A link that is gone ends the run: what was measured stays on disk.
 */
export async function runSuite(options: RunOptions): Promise<Report> {
  const startedAt = new Date().toISOString();
  const log = new ResultsLog(options.resultsPath);
  const reports: ExperimentReport[] = [];
  let linkLost: unknown;
  try {
    log.append({ type: 'run', runId: options.runId, at: startedAt, device: options.info });
    for (const [index, experiment] of options.experiments.entries()) {
      if (linkLost) break;
      const result = await runOne(experiment, index === 0, options, log);
      reports.push(result.report);
      linkLost = result.linkLost;
    }
  } finally {
    log.close();
  }
  const { crossChecks, model } = crossExperimentAnalysis(reports, options.info);
  const failed = reports.some((r) => r.status === 'failed') || linkLost !== undefined;
  const allChecks = [...reports.flatMap((r) => r.checks), ...crossChecks];
  const checkFailed = allChecks.some((c) => c.status === 'fail');
  const exitCode = failed ? 3 : checkFailed ? 1 : 0;
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'picogc', version: TOOL_VERSION },
    runId: options.runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    host: { node: process.version, platform: `${process.platform}-${process.arch}`, hostname: hostname() },
    options: {
      profile: options.profile,
      ...(options.reps ? { reps: options.reps } : {}),
      experiments: options.experiments.map((e) => e.id),
      ...(options.firmwareLabel ? { firmwareLabel: options.firmwareLabel } : {}),
    },
    device: options.info,
    experiments: reports,
    crossChecks,
    model,
    verdict: failed ? 'error' : checkFailed ? 'fail' : 'pass',
    exitCode,
  };
}

async function runOne(
  experiment: AnyExperiment,
  first: boolean,
  options: RunOptions,
  log: ResultsLog,
): Promise<{ report: ExperimentReport; linkLost?: unknown }> {
  const { device, info, progress } = options;
  const params = resolveParams(experiment, options.profile, options.reps, options.overrides);
  const startedAt = new Date().toISOString();
  const timeoutMs = options.stepTimeoutMs ?? 30_000;
  progress.start(experiment.id, experiment.totalSteps(params));

  let samples: object[] = [];
  const deviceLog: string[] = [];
  const loggingDevice = withDeviceLog(device, (line) => {
    if (deviceLog.length >= MAX_LOG_LINES) return;
    deviceLog.push(line);
    log.append({ type: 'log', experiment: experiment.id, line });
  });
  let error: unknown;
  let attempt = 0;
  for (attempt = 1; attempt <= 2; attempt++) {
    samples = [];
    error = undefined;
    try {
      // A soft reset between experiments gives each a fresh interpreter and a swept heap.
      if (!first || attempt > 1) await device.softReset();
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
      if (isLinkGone(caught)) break;
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
    ...(isLinkGone(error) ? { linkLost: error } : {}),
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
