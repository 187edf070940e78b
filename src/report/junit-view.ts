import { checkDetail, checkRows } from './checks.ts';
import { writeJUnit, type JUnitTestCase } from './junit.ts';
import type { Report } from './schema.ts';

/** junit.xml: one test case per check, grouped in one suite per experiment. */
export function renderJUnit(report: Report): string {
  const rows = checkRows(report);
  const byExperiment = new Map<string, JUnitTestCase[]>();
  for (const row of rows) {
    const cases = byExperiment.get(row.experiment) ?? [];
    cases.push({
      name: row.title,
      classname: `picogc.${row.experiment.replace(/\s+/g, '-')}`,
      status: row.status === 'pass' ? 'passed' : row.status === 'fail' ? 'failed' : 'skipped',
      ...(row.status !== 'pass' ? { message: checkDetail(row) } : {}),
      ...(row.status === 'fail' ? { type: 'CheckFailed', details: checkDetail(row) } : {}),
    });
    byExperiment.set(row.experiment, cases);
  }
  const d = report.device;
  return writeJUnit(
    [...byExperiment].map(([name, cases]) => ({
      name,
      cases,
      timestamp: report.startedAt.replace(/Z$/, ''),
      hostname: report.host.hostname,
      properties: [
        ['device', d.description],
        ['device.kind', d.capabilities.kind],
        ['firmware.version', d.firmware.version],
        ['firmware.machine', d.firmware.machine],
        ['picogc.version', report.tool.version],
        ['run', report.runId],
      ] as const,
    })),
  );
}
