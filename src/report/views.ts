import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReportHtml } from './html-report.ts';
import { renderJUnit } from './junit-view.ts';
import { renderSummaryMarkdown } from './markdown.ts';
import type { Report } from './schema.ts';
import type { UnreachedReport } from './unreached.ts';
import { renderUnreachedHtml, renderUnreachedJUnit, renderUnreachedMarkdown } from './unreached-views.ts';

/** The views of report.json, written next to it: index.html, summary.md, junit.xml. */
export async function writeViews(report: Report, dir: string): Promise<void> {
  writeFileSync(join(dir, 'summary.md'), renderSummaryMarkdown(report));
  writeFileSync(join(dir, 'junit.xml'), renderJUnit(report));
  writeFileSync(join(dir, 'index.html'), await renderReportHtml(report));
}

/** The same three views of a run that never reached its device. */
export function writeUnreachedViews(unreached: UnreachedReport, dir: string): void {
  writeFileSync(join(dir, 'summary.md'), renderUnreachedMarkdown(unreached));
  writeFileSync(join(dir, 'junit.xml'), renderUnreachedJUnit(unreached));
  writeFileSync(join(dir, 'index.html'), renderUnreachedHtml(unreached));
}

/** The files the views are written to, in a run directory. */
export const VIEW_FILES = ['index.html', 'summary.md', 'junit.xml'] as const;
