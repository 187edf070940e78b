import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { basename } from 'node:path';
import { InputError } from '../errors.ts';
import { deviceId } from '../device/device-id.ts';
import type { ReplDevice } from '../device/repl-device.ts';
import { ResultsLog } from '../run/results-log.ts';
import { claimRunDir, pointLatest, runIdFor } from '../run/run-dir.ts';
import { analyseProfile } from './profile-analysis.ts';
import type { ProfileReport } from './profile-report-schema.ts';
import { profileProgram, type ProfileOutcome, type ProfileSettings } from './profile-run.ts';
import { writeProfileViews } from './profile-views.ts';
import { RESULTS_FORMAT, resultRecordSchema, type ResultRecord } from './results-records.ts';

/**
 * One profile, start to end: a run directory, results.jsonl appended and flushed per record as it
 * arrives, the program run under the probe, then report.json and its views computed from those
 * records. Whatever ends the program (its time, a Ctrl-C, an exception, a dead link), the report is
 * written from what arrived.
 */

export interface ProfileSessionOptions extends Omit<ProfileSettings, 'source'> {
  /** Path of the user's program. */
  program: string;
  outDir: string;
  markName?: string;
  budgetUs?: number;
  /** Told of each record as it is written (a test stops the run from here). */
  onRecord?: (record: ResultRecord) => void;
}

export interface ProfileSessionResult {
  runDir: string;
  report: ProfileReport;
  outcome: ProfileOutcome;
}

/** The program's source, or a named input error before any device is touched. */
export function readProgram(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(
      `cannot read the program ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

export async function runProfileSession(
  device: ReplDevice,
  options: ProfileSessionOptions,
): Promise<ProfileSessionResult> {
  const source = readProgram(options.program);
  const info = await device.info();
  const { runId, runDir } = claimRunDir(options.outDir, runIdFor(`profile-${deviceId(info)}`));
  const log = new ResultsLog(join(runDir, 'results.jsonl'));
  const records: ResultRecord[] = [];
  const record = (r: ResultRecord) => {
    log.append(r);
    records.push(r);
    options.onRecord?.(r);
  };
  let outcome: ProfileOutcome;
  try {
    record({
      type: 'header',
      format: RESULTS_FORMAT,
      program: basename(options.program),
      seconds: options.seconds,
      device: info.description,
      deviceKind: info.capabilities.kind,
      heapTotal: info.heapTotal,
      startedAt: new Date().toISOString(),
      ...(options.markName ? { markName: options.markName } : {}),
      ...(options.budgetUs !== undefined ? { budgetUs: options.budgetUs } : {}),
    });
    outcome = await profileProgram(device, { ...options, source }, record).catch(
      (error: unknown): ProfileOutcome => {
        const failure = error instanceof Error ? error : new Error(String(error));
        record({ type: 'stopped', reason: 'failed', detail: `${failure.name}: ${failure.message}` });
        return { reason: 'failed', error: failure };
      },
    );
  } finally {
    log.close();
  }
  const report = analyseProfile(records, {
    runId,
    ...(options.markName ? { markName: options.markName } : {}),
    ...(options.budgetUs !== undefined ? { budgetUs: options.budgetUs } : {}),
  });
  await writeProfileViews(report, runDir);
  pointLatest(options.outDir, runId, 'latest-profile');
  return { runDir, report, outcome };
}

/**
 * A profile's results.jsonl read back: each line checked against its schema. A last line without
 * its newline is the record being written when the process died: it is left out, not an error.
 */
export function loadResults(path: string): ResultRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const lines = text.split('\n');
  // (split leaves '' after a final newline; anything else there is a torn last record)
  lines.pop();
  return lines
    .filter((line) => line !== '')
    .map((line, i) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new InputError(`${path} line ${i + 1} is not JSON`);
      }
      const parsed = resultRecordSchema.safeParse(json);
      if (!parsed.success) throw new InputError(`${path} line ${i + 1} is not a profile record`);
      return parsed.data;
    });
}
