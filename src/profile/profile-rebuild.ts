import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.ts';
import { UnknownSchemaError } from '../report/load.ts';
import { TOOL_VERSION } from '../version.ts';
import { analyseProfile } from './profile-analysis.ts';
import { PROFILE_FORMAT, profileReportSchema, type ProfileReport } from './profile-report-schema.ts';
import { loadResults } from './profile-session.ts';
import { writeProfileViewFiles, writeProfileViews } from './profile-views.ts';
import { lastOf } from './timeline.ts';

/**
 * `picogc report DIR` for a profile run: its views (index.html, summary.md, junit.xml) drawn again
 * from its report.json, validated first (an unknown format version is refused, exit 2); a run whose
 * report.json was never written (the host was killed, the machine went down) has its report
 * computed from results.jsonl, the records that reached the disk, with the options it was run with.
 */

export const PROFILE_VIEW_FILES = ['index.html', 'summary.md', 'junit.xml'] as const;

export interface ProfileRebuild {
  dir: string;
  /** What the views were drawn from. */
  source: 'report.json' | 'results.jsonl';
  report: ProfileReport;
  files: string[];
}

/**
 * The run directory `path` names if it is a profile run (a directory, its report.json or
 * results.jsonl, or the `latest-profile` pointer), else undefined: `picogc report` then treats it
 * as a `run`.
 */
export function profileRunDir(path: string): string | undefined {
  const dir = runDirOf(path);
  if (dir === undefined) return undefined;
  const report = join(dir, 'report.json');
  if (existsSync(report)) {
    const format = formatOf(report);
    return typeof format === 'string' && format.startsWith('picogc.profile/') ? dir : undefined;
  }
  const results = join(dir, 'results.jsonl');
  if (!existsSync(results)) return undefined;
  const first = readFileSync(results, 'utf8').split('\n', 1)[0] ?? '';
  return first.includes('"type":"header"') && first.includes('picogc.profile-results/') ? dir : undefined;
}

export async function rebuildProfile(dir: string): Promise<ProfileRebuild> {
  const reportFile = join(dir, 'report.json');
  const files = PROFILE_VIEW_FILES.map((f) => join(dir, f));
  if (existsSync(reportFile)) {
    const report = readProfileReport(reportFile);
    await writeProfileViewFiles(report, dir);
    return { dir, source: 'report.json', report, files };
  }
  const records = loadResults(join(dir, 'results.jsonl'));
  const header = lastOf(records, 'header');
  const report = analyseProfile(records, {
    runId: basename(dir),
    ...(header?.markName !== undefined ? { markName: header.markName } : {}),
    ...(header?.budgetUs !== undefined ? { budgetUs: header.budgetUs } : {}),
  });
  await writeProfileViews(report, dir);
  return { dir, source: 'results.jsonl', report, files: [reportFile, ...files] };
}

function readProfileReport(file: string): ProfileReport {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const format = (json as { format?: unknown }).format;
  if (format !== PROFILE_FORMAT)
    throw new UnknownSchemaError(
      `${file} has profile format ${JSON.stringify(format)}; picogc ${TOOL_VERSION} reads ${PROFILE_FORMAT} only (use the picogc version that wrote it)`,
    );
  const parsed = profileReportSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new InputError(`${file} does not match ${PROFILE_FORMAT}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

function formatOf(file: string): unknown {
  try {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  } catch {
    return undefined;
  }
}

function runDirOf(path: string): string | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  // (a `latest-profile` symlink is followed: the run id is the real directory's name)
  if (stat.isDirectory()) return realpathSync(path);
  const name = basename(path);
  if (name === 'report.json' || name === 'results.jsonl') return dirname(path);
  // `latest-profile` written as a file (no symlinks): one line naming the run beside it.
  if (name === 'latest-profile') {
    const runId = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9._-]+$/.test(runId)) return runDirOf(join(dirname(path), runId));
  }
  return undefined;
}
