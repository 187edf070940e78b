import { join } from 'node:path';
import type { Command } from 'commander';
import { loadReport } from '../../report/load.ts';
import { writeViews } from '../../report/views.ts';

/**
 * `picogc report RUN_DIR`: rebuild a run's views (index.html, summary.md, junit.xml) from its
 * report.json, validated against the schema first; a report of an unknown schema version is refused
 * (UnknownSchemaError, exit 2), never half-drawn. The views are a pure function of report.json, so
 * a rebuild of an untouched run is byte-identical to what `picogc run` wrote.
 */
export function register(program: Command): void {
  program
    .command('report')
    .description('rebuild index.html, summary.md and junit.xml of a run from its report.json')
    .argument('<run-dir>', 'a run directory (or its report.json, or reports/latest)')
    // A trend-page mode (--history PATH --out DIR, no run directory) belongs here as a second
    // branch of the action: parse the history, render the trend page, return before rebuildRun.
    .action(async (runDir: string) => {
      await rebuildRun(runDir);
    });
}

/** Rebuilds the views next to the report.json found at `path`; returns the files written. */
export async function rebuildRun(
  path: string,
  out: NodeJS.WritableStream = process.stdout,
): Promise<string[]> {
  const { report, file, dir } = loadReport(path);
  await writeViews(report, dir);
  const files = ['index.html', 'summary.md', 'junit.xml'].map((name) => join(dir, name));
  out.write(
    `rebuilt from ${file} (${report.schema}, run ${report.runId}):\n${files.map((f) => `  ${f}\n`).join('')}`,
  );
  return files;
}
