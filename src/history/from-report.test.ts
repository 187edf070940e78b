import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../report/schema.ts';
import { firmwareOf, historyRecordFromReport, reportDirFor, resolveReportDir } from './from-report.ts';
import { formatHistoryLine } from './store.ts';
import { syntheticDevice } from '../../test/support/synthetic-report.ts';

function report(overrides: Partial<Report> = {}): Report {
  const experiment = (
    id: string,
    status: 'completed' | 'failed',
    metrics: Report['experiments'][number]['metrics'],
  ) => ({
    id,
    title: id,
    question: '?',
    params: {},
    status,
    attempts: 1,
    startedAt: '2026-05-01T02:00:00.000Z',
    finishedAt: '2026-05-01T02:00:05.000Z',
    samples: [],
    log: [],
    summary: {},
    metrics,
    checks: [],
  });
  return {
    schema: 'picogc.report/1',
    tool: { name: 'picogc', version: '0.1.0' },
    runId: '20260501T020000Z-e6614103e7452d2f',
    startedAt: '2026-05-01T02:00:00.000Z',
    finishedAt: '2026-05-01T02:03:00.000Z',
    host: { node: 'v20', platform: 'linux-x64', hostname: 'bench' },
    options: { profile: 'quick', experiments: ['pause-vs-live', 'float-churn'] },
    device: syntheticDevice('board', {
      serialNumber: 'E6614103E7452D2F',
      uniqueId: 'e6614103e7452d2f',
      firmware: {
        name: 'micropython',
        version: '1.28.0',
        machine: 'Raspberry Pi Pico with RP2040',
        build: 'RPI_PICO',
        buildString: 'v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)',
      },
    }),
    experiments: [
      experiment('pause-vs-live', 'completed', [
        {
          id: 'pause-vs-live/n=1000',
          title: 'pause',
          unit: 'µs',
          values: [910, 905, 930, 899, 1010, 915, 907, 921, 903, 912],
          better: 'lower',
        },
        { id: 'pause-vs-live/empty', title: 'nothing', unit: 'µs', values: [], better: 'lower' },
      ]),
      experiment('float-churn', 'failed', [
        { id: 'float-churn/rate', title: 'rate', unit: 'collections', values: [3], better: 'lower' },
      ]),
    ],
    crossChecks: [],
    model: {},
    verdict: 'error',
    exitCode: 3,
    ...overrides,
  };
}

describe('historyRecordFromReport', () => {
  it('summarises each metric of the completed experiments: median, 95% interval, n, unit', () => {
    const record = historyRecordFromReport(report(), {
      historyPath: 'reports/history.jsonl',
      runDir: 'reports/20260501T020000Z-e6614103e7452d2f',
      label: '/dev/ttyACM0',
    });
    expect(record).toEqual({
      schema: 'picogc.history/1',
      runId: '20260501T020000Z-e6614103e7452d2f',
      at: '2026-05-01T02:03:00.000Z',
      device: {
        id: 'e6614103e7452d2f',
        label: '/dev/ttyACM0',
        firmware: 'micropython 1.28.0 v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)',
      },
      // n = 10: ranks 2 and 9 of the sorted values.
      metrics: { 'pause-vs-live/n=1000': { median: 911, low: 903, high: 930, n: 10, unit: 'µs' } },
      verdict: 'error',
      reportDir: '20260501T020000Z-e6614103e7452d2f',
    });
    expect(() => formatHistoryLine(record)).not.toThrow(); // valid for the store
  });

  it('takes the firmware label and a verdict override (a regression found by the nightly)', () => {
    const record = historyRecordFromReport(
      report({
        verdict: 'pass',
        exitCode: 0,
        options: { profile: 'quick', experiments: [], firmwareLabel: 'v1.28.0-12-gabc' },
      }),
      { historyPath: 'h.jsonl', verdict: 'regression' },
    );
    expect(record.device.firmware).toBe('v1.28.0-12-gabc');
    expect(record.verdict).toBe('regression');
    expect(record.reportDir).toBeUndefined();
  });

  it('stores run directories relative to the history file, and finds them again from anywhere', () => {
    expect(reportDirFor('/srv/bench/reports/history.jsonl', '/srv/bench/reports/run-1')).toBe('run-1');
    expect(reportDirFor('/srv/history.jsonl', '/srv/bench/reports/run-1')).toBe('bench/reports/run-1');
    expect(resolveReportDir('/srv/bench/reports/history.jsonl', 'run-1')).toBe('/srv/bench/reports/run-1');
    expect(resolveReportDir('reports/history.jsonl', '/abs/run')).toBe('/abs/run');
    expect(resolveReportDir(join('reports', 'history.jsonl'), 'run-2')).toBe(resolve('reports', 'run-2'));
  });

  it('names firmware by version and build when no label is given', () => {
    const d = report().device;
    expect(firmwareOf({ ...d, firmware: { ...d.firmware, buildString: undefined } })).toBe(
      'micropython 1.28.0 RPI_PICO',
    );
  });
});
