import { existsSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSchema, type Report } from '../src/report/schema.ts';
import { crossExperimentAnalysis, type PauseCostModel } from '../src/run/cross-analysis.ts';
import { runCli } from './support/cli.ts';

/**
 * What `npm start` does on a fresh clone: `picogc run --quick` on the virtual Pico, as a real
 * process, writing a complete run directory.
 */
describe('picogc run --quick on the virtual Pico', () => {
  const out = mkdtempSync(join(tmpdir(), 'picogc-quick-'));
  const outAgain = mkdtempSync(join(tmpdir(), 'picogc-quick-again-'));
  let report: Report;
  let again: Report;
  let runDir: string;

  it('completes and writes every file of a run directory', async () => {
    // Its wall time is measured by hand and in the note (4 s here), not asserted: the timeout only
    // stops a hang. A second run at the same time loads the host: the work clock does not see it.
    const [r, second] = await Promise.all(
      [out, outAgain].map((dir) =>
        // --no-history: the history would be the checkout's reports/history.jsonl.
        runCli(['run', '--device', 'sim', '--quick', '--no-history', '--out', dir], { timeoutMs: 120_000 }),
      ),
    );
    // The work clock does not depend on the host, so the timing checks pass however loaded it is.
    expect(r!.code).toBe(0);
    expect(second!.code).toBe(0);
    again = reportSchema.parse(
      JSON.parse(readFileSync(join(outAgain, readlinkSync(join(outAgain, 'latest')), 'report.json'), 'utf8')),
    );
    runDir = join(out, readlinkSync(join(out, 'latest')));
    for (const file of ['results.jsonl', 'report.json', 'index.html', 'summary.md', 'junit.xml']) {
      expect(existsSync(join(runDir, file)), file).toBe(true);
    }
    report = reportSchema.parse(JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')));
    expect(r!.stdout).toContain(`verdict: ${report.verdict}`);
    expect(report.exitCode).toBe(r!.code);
  }, 120_000);

  it('ran all seven experiments to the end', () => {
    expect(report.experiments.map((e) => [e.id, e.status])).toEqual([
      ['alloc-sizes', 'completed'],
      ['pause-vs-live', 'completed'],
      ['pause-vs-heap-position', 'completed'],
      ['threshold', 'completed'],
      ['fragmentation', 'completed'],
      ['mark-overflow', 'completed'],
      ['float-churn', 'completed'],
    ]);
    expect(report.device.capabilities.kind).toBe('virtual-pico');
    expect(report.device.capabilities.differences.length).toBeGreaterThan(5);
    // Its pauses are the work clock's estimates: the report says how good the calibration was.
    expect([report.workClock?.fitted.length, report.workClock?.setAside.length]).toEqual([29, 4]);
  });

  it('measures the sizes of facts §4, not hard-coded ones', () => {
    const alloc = report.experiments.find((e) => e.id === 'alloc-sizes')!;
    const measured = new Map(alloc.samples.map((s) => [s.object as string, s.bytes as number]));
    expect(measured.get('float')).toBe(16);
    expect(measured.get('small int')).toBe(0);
    expect(measured.get('bytearray(48)')).toBe(64);
    // A list literal of n items: a header block plus max(1, ceil(n/4)) blocks of items.
    expect(measured.get('[]')).toBe(32);
    expect(measured.get('4-item list literal')).toBe(32);
    expect(measured.get('5-item list literal')).toBe(48);
    expect(measured.get('10-item list literal')).toBe(64);
    expect(measured.get('[0] * 10')).toBe(96);
    expect(alloc.checks.every((c) => c.status === 'pass')).toBe(true);
  });

  it('passes every check that does not depend on timing, and skips what the virtual Pico cannot show', () => {
    const checks = report.experiments.flatMap((e) => e.checks);
    const byId = new Map(checks.map((c) => [c.id, c]));
    for (const id of [
      'threshold/readback=4096',
      'threshold/readback=16384',
      'fragmentation/scattered',
      'float-churn/bytes-per-op',
    ]) {
      expect(byId.get(id)?.status, id).toBe('pass');
    }
    for (const id of ['threshold/cadence=4096', 'fragmentation/largest-fit', 'float-churn/collections']) {
      expect(byId.get(id)?.status, id).toBe('skipped');
      expect(byId.get(id)?.reason).toMatch(/virtual Pico/);
    }
    for (const id of ['pause-vs-live/grows', 'heap-position/claim', 'mark-overflow/cliff']) {
      expect(byId.get(id)?.status, id).toBe('pass');
    }
    expect(report.crossChecks.map((c) => [c.id, c.status])).toEqual([['pause-cost/fit', 'pass']]);
  });

  it('keeps one results.jsonl line per sample, in order', () => {
    const lines = readFileSync(join(runDir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    const samples = lines.filter((l) => l.type === 'sample');
    expect(samples.length).toBe(report.experiments.reduce((n, e) => n + e.samples.length, 0));
  });
  it('times pauses on the work clock, each configuration to the same figure every round', () => {
    expect(report.device.capabilities.collectTiming).toBe('work-clock');
    const live = report.experiments.find((e) => e.id === 'pause-vs-live')!;
    const byLive = new Map<number, Set<number>>();
    for (const s of live.samples) {
      if (s.type !== 'pause') continue;
      const set = byLive.get(s.nLive as number) ?? new Set<number>();
      set.add(s.us as number);
      byLive.set(s.nLive as number, set);
    }
    expect(byLive.size).toBeGreaterThan(2);
    for (const [n, values] of byLive) expect(values.size, `${n} live`).toBe(1);
  });

  it('gives the same pauses and the same passing fit in two runs', () => {
    const pauses = (r: Report) =>
      r.experiments.flatMap((e) => e.samples.filter((s) => typeof s.us === 'number').map((s) => [e.id, s]));
    expect(pauses(report).length).toBeGreaterThan(200);
    expect(pauses(again)).toEqual(pauses(report));
    expect(again.crossChecks).toEqual(report.crossChecks);
    expect(again.crossChecks.map((c) => c.status)).toEqual(['pass']);
    expect(again.model.pauseCost).toEqual(report.model.pauseCost);
  });

  it('fits lower quartiles of host-timed pauses, and skips the fit check naming the drift when a round ran slow', () => {
    // The run's own pauses, with the second of three rounds of 2000 live objects made 3× slower.
    const slowed = report.experiments.map((e) =>
      e.id !== 'pause-vs-live'
        ? e
        : {
            ...e,
            samples: e.samples.map((s) =>
              s.type === 'pause' && s.nLive === 2000 && typeof s.rep === 'number' && s.rep >= 4 && s.rep < 8
                ? { ...s, us: (s.us as number) * 3 }
                : s,
            ),
          },
    );
    // The same pauses as a --clock host run would have them.
    const hostTimed = {
      ...report.device,
      capabilities: { ...report.device.capabilities, collectTiming: 'host-timed' as const },
    };
    const onHost = crossExperimentAnalysis(slowed, hostTimed);
    expect(onHost.crossChecks[0]!.status).toBe('skipped');
    const factor = /the host's speed changed during the run \(×([\d.]+): /.exec(
      onHost.crossChecks[0]!.reason!,
    );
    expect(Number(factor?.[1])).toBeGreaterThanOrEqual(2.5);
    expect((onHost.model.pauseCost as PauseCostModel).statistic).toBe('lower quartile');

    // A board times itself: the same pauses read as a board's are judged on medians, never skipped.
    const board = {
      ...report.device,
      capabilities: { ...report.device.capabilities, collectTiming: 'ticks_us' as const },
    };
    const onBoard = crossExperimentAnalysis(slowed, board);
    expect(['pass', 'fail']).toContain(onBoard.crossChecks[0]!.status);
    expect((onBoard.model.pauseCost as PauseCostModel).statistic).toBe('median');
    // So is the work clock: it does not share the host's speed.
    const onWorkClock = crossExperimentAnalysis(slowed, report.device);
    expect(['pass', 'fail']).toContain(onWorkClock.crossChecks[0]!.status);
    expect((onWorkClock.model.pauseCost as PauseCostModel).statistic).toBe('median');
  });
});
