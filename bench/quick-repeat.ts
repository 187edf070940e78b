import { runPicogc } from './picogc-child.ts';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportSchema, type Report } from '../src/report/schema.ts';
import type { BenchModule } from './bench-module.ts';

const COMMAND = ['bin/picogc.js', 'run', '--quick', '--no-history', '--device', 'sim'];

/**
 * What `npm start` gives, run after run: `PICOGC_QUICK_RUNS` (default 10) back-to-back
 * `picogc run --quick` processes on the virtual Pico, each in its own output directory. Per run: the
 * exit code, the pause-cost fit check (decided = pass or fail, not skipped) and its R², and every
 * timed pause of the run; then how many different sets of pauses the runs gave (one, on a
 * deterministic clock) and their wall times (host time, for the record only).
 */
export const quickRepeatBench: BenchModule = {
  name: 'quick-repeat',
  async run() {
    const runs = Number(process.env.PICOGC_QUICK_RUNS ?? 10);
    const out = mkdtempSync(join(tmpdir(), 'picogc-bench-repeat-'));
    const loadAtStart = loadavg();
    try {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await quickRun(join(out, String(i))));
      const fits = results.map((r) => r.fit);
      return {
        command: `node ${COMMAND.join(' ')}`,
        runs,
        exitCodes: results.map((r) => r.code),
        fitPassed: `${fits.filter((f) => f.status === 'pass').length} of ${runs}`,
        fitStatuses: fits.map((f) => f.status),
        fitR2: [...new Set(fits.map((f) => f.r2))],
        pausesPerRun: results[0]?.pauses.length ?? 0,
        distinctPauseSets: new Set(results.map((r) => JSON.stringify(r.pauses))).size,
        wallMs: results.map((r) => Math.round(r.ms)),
        loadAverage: { atStart: rounded(loadAtStart), atEnd: rounded(loadavg()) },
      };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
};

async function quickRun(out: string) {
  const { code, ms } = await runPicogc([...COMMAND.slice(1), '--out', out]);
  const report: Report = reportSchema.parse(
    JSON.parse(readFileSync(join(out, readlinkSync(join(out, 'latest')), 'report.json'), 'utf8')),
  );
  const fit = report.crossChecks.find((c) => c.id === 'pause-cost/fit');
  const model = report.model?.pauseCost as { r2?: number } | undefined;
  return {
    code,
    ms,
    fit: { status: fit?.status ?? 'absent', r2: model?.r2 ?? null },
    pauses: report.experiments.flatMap((e) =>
      e.samples.filter((s) => typeof s.us === 'number').map((s) => [e.id, s.us]),
    ),
  };
}

function rounded(load: number[]): number[] {
  return load.map((x) => Math.round(x * 100) / 100);
}
