import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, UsageError } from '../../errors.ts';
import type { Command } from 'commander';

/**
 * `picogc report RUN_DIR`: rebuild a run's views (index.html, summary.md, junit.xml) from its
 * report.json, validated against the schema first; a report of an unknown schema version is refused
 * (UnknownSchemaError, exit 2), never half-drawn. The views are a pure function of report.json, so
 * a rebuild of an untouched run is byte-identical to what `picogc run` wrote.
 */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      "rebuild a run's index.html, summary.md and junit.xml from its report.json, or (--history) write a trend page",
    )
    .argument(
      '[run-dir]',
      'a run or profile directory (or its report.json, or reports/latest, reports/latest-profile)',
    )
    .option(
      '--history <path>',
      'write the trend page of this history (picogc run appends to reports/history.jsonl)',
    )
    .option('-o, --out <dir>', 'with --history: the directory the trend page (index.html) is written to')
    .option('--device <id>', 'with --history: only this board')
    .option('--metric <name>', 'with --history: only metrics whose id contains this')
    .action(async (runDir: string | undefined, options: ReportOptions) => {
      if (options.history === undefined) {
        if (runDir === undefined) throw new UsageError('give a run directory, or --history PATH --out DIR');
        await rebuildRun(runDir);
        return;
      }
      if (runDir !== undefined) throw new UsageError('give either a run directory or --history, not both');
      if (options.out === undefined) throw new UsageError('--history needs --out DIR for the trend page');
      if (!existsSync(options.history)) throw new InputError(`no history at ${options.history}`);
      const { formatHistoryWarning } = await import('../../history/store.ts');
      const { writeTrendPage } = await import('../../history/trend-page.ts');
      const page = await writeTrendPage(options.history, options.out, {
        ...(options.device ? { device: options.device } : {}),
        ...(options.metric ? { metric: options.metric } : {}),
      });
      for (const w of page.warnings)
        process.stderr.write(`picogc: ${formatHistoryWarning(options.history, w)}\n`);
      process.stdout.write(
        `trend page: ${page.file} (${page.trends.length} metric series, ${page.steps.length} steps detected)\n`,
      );
    });
}

interface ReportOptions {
  history?: string;
  out?: string;
  device?: string;
  metric?: string;
}

/**
 * Rebuilds the views next to the report.json found at `path`; returns the files written. The report
 * of a board that was never reached (`picogc.unreached/1`) is a run directory too: its views are
 * rebuilt the same way. A `picogc profile` run's are drawn from its report.json, or computed from
 * its results.jsonl where the report was never written.
 */
export async function rebuildRun(
  path: string,
  out: NodeJS.WritableStream = process.stdout,
): Promise<string[]> {
  const { profileRunDir, rebuildProfile } = await import('../../profile/profile-rebuild.ts');
  const profileDir = profileRunDir(path);
  if (profileDir !== undefined) {
    const rebuilt = await rebuildProfile(profileDir);
    out.write(
      `rebuilt from ${join(rebuilt.dir, rebuilt.source)} (${rebuilt.report.format}, profile ${rebuilt.report.runId}):\n${rebuilt.files.map((f) => `  ${f}\n`).join('')}`,
    );
    return rebuilt.files;
  }
  const { loadRun } = await import('../../report/load.ts');
  const { VIEW_FILES, writeUnreachedViews, writeViews } = await import('../../report/views.ts');
  const run = loadRun(path);
  const head =
    run.kind === 'report'
      ? `${run.report.schema}, run ${run.report.runId}`
      : `${run.unreached.schema}, run ${run.unreached.runId}: the board was never reached`;
  if (run.kind === 'report') await writeViews(run.report, run.dir);
  else writeUnreachedViews(run.unreached, run.dir);
  const files = VIEW_FILES.map((name) => join(run.dir, name));
  out.write(`rebuilt from ${run.file} (${head}):\n${files.map((f) => `  ${f}\n`).join('')}`);
  return files;
}
