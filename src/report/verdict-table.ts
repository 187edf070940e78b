import pc from 'picocolors';
import { groupedRows } from './checks.ts';
import type { Report } from './schema.ts';

/**
 * The ten-second read of a run: one line per check (an experiment's many passes as one line, as
 * in the HTML), then the verdict and where the report is.
 */
export function printVerdictTable(
  report: Report,
  runDir: string,
  out: NodeJS.WriteStream = process.stdout,
): void {
  const colour = out.isTTY === true && !process.env.NO_COLOR && !process.env.CI;
  const paint = (status: string, text: string) => {
    if (!colour) return text;
    if (status === 'pass') return pc.green(text);
    if (status === 'fail') return pc.red(text);
    return pc.yellow(text);
  };
  const d = report.device;
  out.write(
    `device: ${d.description} — MicroPython ${d.firmware.version} on ${d.firmware.machine}, heap ${d.heapTotal} B\n`,
  );
  let experiment: string | undefined;
  for (const row of groupedRows(report)) {
    if (row.experiment !== experiment) {
      experiment = row.experiment;
      out.write(`\n${experiment}\n`);
    }
    out.write(
      `  ${paint(row.status, row.status.padEnd(7))} ${row.check}${row.detail ? ` — ${row.detail}` : ''}\n`,
    );
  }
  out.write(
    `\nverdict: ${paint(report.verdict === 'pass' ? 'pass' : 'fail', report.verdict)}  report: ${runDir}\n`,
  );
}
