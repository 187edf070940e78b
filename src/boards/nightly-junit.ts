import { checkDetail, checkRows } from '../report/checks.ts';
import { writeJUnit, type JUnitTestCase, type JUnitTestSuite } from '../report/junit.ts';
import type { BoardNightly } from './nightly-board.ts';
import { formatRecovery } from './outcome-text.ts';

/**
 * The nightly's JUnit XML: one suite per board, so a CI test view groups failures by board. Each
 * suite holds "the board answered", every check of its run (a failed experiment is a failed row, as
 * in the run's own junit.xml), and one case per metric compared with the board's last good run (a
 * regression is a failure; a comparison the data cannot decide is skipped with the reason). The
 * recovery rungs taken go to the suite's system-out. Device text is escaped by junit.ts.
 */
export function renderNightlyJUnit(boards: readonly BoardNightly[]): string {
  return writeJUnit(boards.map(boardSuite), 'picogc nightly');
}

function boardSuite(board: BoardNightly): JUnitTestSuite {
  const { outcome, comparison } = board;
  const report = outcome.report;
  const classname = `picogc.nightly.${(outcome.deviceId ?? outcome.label).replace(/[\s.]+/g, '_')}`;
  const cases: JUnitTestCase[] = [
    report
      ? { name: 'board answered and ran the suite', classname, status: 'passed' }
      : {
          name: 'board answered and ran the suite',
          classname,
          status: 'error',
          type: 'BoardFailed',
          message: outcome.error ?? 'the board could not be used',
          details: outcome.error ?? '',
        },
  ];
  if (report?.notRun) {
    cases.push({
      name: 'every experiment ran',
      classname,
      status: 'error',
      type: 'BoardFailed',
      message: `not run: ${report.notRun.experiments.join(', ')}`,
      details: report.notRun.reason,
    });
  }
  for (const row of report ? checkRows(report) : []) {
    cases.push({
      name: `${row.experiment}: ${row.title}`,
      classname: `${classname}.checks`,
      status: row.status === 'pass' ? 'passed' : row.status === 'fail' ? 'failed' : 'skipped',
      ...(row.status !== 'pass' ? { message: checkDetail(row) } : {}),
      ...(row.status === 'fail' ? { type: 'CheckFailed', details: checkDetail(row) } : {}),
    });
  }
  for (const m of comparison?.metrics ?? []) {
    const status =
      m.verdict === 'regression'
        ? 'failed'
        : m.verdict === 'insufficient-data' || m.verdict === 'not-comparable'
          ? 'skipped'
          : 'passed';
    cases.push({
      name: `${m.id} vs last good run`,
      classname: `${classname}.regressions`,
      status,
      ...(status !== 'passed' ? { message: m.reason } : {}),
      ...(status === 'failed' ? { type: 'Regression', details: m.reason } : {}),
    });
  }
  const d = report?.device;
  const properties: [string, string][] = [['board', outcome.label]];
  if (outcome.deviceId) properties.push(['board.id', outcome.deviceId]);
  if (report?.board.usbSerial) properties.push(['board.usbSerial', report.board.usbSerial]);
  if (d) properties.push(['firmware.version', d.firmware.version], ['firmware.machine', d.firmware.machine]);
  if (d?.firmware.buildString) properties.push(['firmware.build', d.firmware.buildString]);
  if (report?.options.firmwareLabel) properties.push(['firmware.label', report.options.firmwareLabel]);
  if (report) properties.push(['run', report.runId]);
  if (outcome.unreached)
    properties.push(['run', outcome.unreached.runId], ['stage', outcome.unreached.stage]);
  if (board.baseline) properties.push(['baseline.run', board.baseline.runId]);
  if (board.comparisonNote) properties.push(['baseline.note', board.comparisonNote]);
  return {
    name: `board ${outcome.label}`,
    cases,
    ...(report ? { timestamp: report.startedAt.replace(/Z$/, ''), hostname: report.host.hostname } : {}),
    properties,
    ...(report?.recovery?.length ? { systemOut: formatRecovery(report.recovery) } : {}),
  };
}
