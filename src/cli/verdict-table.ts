import pc from 'picocolors';
import type { Report } from '../report/schema.ts';

/** The ten-second read of a run: one line per check, then where the report is. */
export function printVerdictTable(
  report: Report,
  runDir: string,
  out: NodeJS.WriteStream = process.stdout,
): void {
  const colour = out.isTTY === true && !process.env.NO_COLOR && !process.env.CI;
  const paint = (status: string, text: string) => {
    if (!colour) return text;
    if (status === 'pass') return pc.green(text);
    if (status === 'fail' || status === 'failed') return pc.red(text);
    return pc.yellow(text);
  };
  const d = report.device;
  out.write(
    `device: ${d.description} — MicroPython ${d.firmware.version} on ${d.firmware.machine}, heap ${d.heapTotal} B\n`,
  );
  for (const experiment of report.experiments) {
    const head = experiment.status === 'failed' ? `FAILED (${experiment.error ?? 'unknown error'})` : '';
    out.write(`\n${experiment.id}${head ? ` ${paint('failed', head)}` : ''}\n`);
    for (const check of experiment.checks) out.write(line(check, paint));
  }
  if (report.crossChecks.length > 0) {
    out.write('\nacross experiments\n');
    for (const check of report.crossChecks) out.write(line(check, paint));
  }
  out.write(
    `\nverdict: ${paint(report.verdict === 'pass' ? 'pass' : 'fail', report.verdict)}  report: ${runDir}\n`,
  );
}

function line(check: Report['crossChecks'][number], paint: (status: string, text: string) => string): string {
  const detail =
    check.status === 'skipped'
      ? `skipped: ${check.reason ?? ''}`
      : [
          check.observed && `observed ${check.observed}`,
          check.expected && `expected ${check.expected}`,
          check.tolerance && `(${check.tolerance})`,
          check.reason,
        ]
          .filter(Boolean)
          .join(', ');
  return `  ${paint(check.status, check.status.padEnd(7))} ${check.title}${detail ? ` — ${detail}` : ''}\n`;
}
