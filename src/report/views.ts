import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReportHtml } from './html-report.ts';
import { renderJUnit } from './junit-view.ts';
import { renderSummaryMarkdown } from './markdown.ts';
import type { Report } from './schema.ts';

/** The views of report.json, written next to it: index.html, summary.md, junit.xml. */
export async function writeViews(report: Report, dir: string): Promise<void> {
  writeFileSync(join(dir, 'summary.md'), renderSummaryMarkdown(report));
  writeFileSync(join(dir, 'junit.xml'), renderJUnit(report));
  writeFileSync(join(dir, 'index.html'), await renderReportHtml(report));
}
