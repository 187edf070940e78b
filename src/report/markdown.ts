import { checkDetail, checkRows } from './checks.ts';
import { firmwareLine } from './firmware-line.ts';
import { deadlineLine } from './deadline-line.ts';
import type { Report } from './schema.ts';
import { workClockLines } from './work-clock-lines.ts';

const ICON = { pass: '✅', fail: '❌', skipped: '⏭️' } as const;

/**
 * summary.md: the run for a CI log or a pull-request comment. Device text is escaped for Markdown
 * and for the HTML a Markdown renderer lets through.
 */
export function renderSummaryMarkdown(report: Report): string {
  const rows = checkRows(report);
  const count = (status: keyof typeof ICON) => rows.filter((r) => r.status === status).length;
  const d = report.device;
  const lines = [
    `# picogc run ${md(report.runId)}: ${report.verdict.toUpperCase()}`,
    '',
    `- **Device:** ${md(d.description)} (${d.capabilities.kind}), MicroPython ${md(d.firmware.version)} on ${md(d.firmware.machine)}${d.firmware.buildString ? ` — ${md(d.firmware.buildString)}` : ''}`,
    `- **Heap:** ${d.heapTotal} bytes (${d.heapTotal / 16} blocks of 16 B)`,
    ...(report.options.firmwareLabel ? [`- **Firmware label:** ${md(report.options.firmwareLabel)}`] : []),
    ...(report.firmware ? [`- **Image under test:** ${md(firmwareLine(report.firmware))}`] : []),
    ...(report.board ? [`- **Board:** ${md(report.board.label)} (id ${md(report.board.id)})`] : []),
    `- **Checks:** ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`,
    `- **Profile:** ${report.options.profile}; started ${report.startedAt}, finished ${report.finishedAt}`,
    ...(deadlineLine(report) ? [`- **Deadlines:** ${md(deadlineLine(report)!)}`] : []),
    '',
    '| | Experiment | Check | Detail |',
    '|---|---|---|---|',
    ...rows.map(
      (r) => `| ${ICON[r.status]} | ${md(r.experiment)} | ${md(r.title)} | ${md(checkDetail(r))} |`,
    ),
  ];
  if (report.recovery?.length || report.notRun) {
    lines.push('', '## Recovery', '');
    for (const r of report.recovery ?? []) {
      lines.push(`- ${r.ok ? '✅' : '❌'} ${md(r.experiment)}: **${r.rung}** — ${md(r.detail)}`);
    }
    if (report.notRun)
      lines.push(`- not run: ${md(report.notRun.experiments.join(', '))} (${md(report.notRun.reason)})`);
  }
  if (report.workClock) {
    const wc = workClockLines(report.workClock);
    lines.push('', '## Work clock calibration', '');
    lines.push(`- ${md(wc.conversion)}`, `- ${md(wc.fit)}`);
    if (wc.setAside) lines.push(`- ${md(wc.setAside)}`);
    lines.push('- every configuration: `workClock` in report.json, and the table in index.html');
  }
  if (d.capabilities.differences.length > 0) {
    lines.push('', '## How this device differs from a Pico', '');
    lines.push(...d.capabilities.differences.map((text) => `- ${md(text)}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Escape text for a Markdown table cell: markup characters, pipes, and line breaks. */
export function md(text: string): string {
  return text
    .replace(
      /[\u0000-\u0008\u000b-\u001f\u007f]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}
