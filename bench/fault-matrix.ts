import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchModule } from './bench-module.ts';

const run = promisify(execFile);
const BIN = new URL('../bin/picogc.js', import.meta.url).pathname;
const SEEDS = Number(process.env.PICOGC_FAULT_SEEDS ?? 20);
/** Runs at a time: a run's figures are the virtual Pico's work clock, the same under any load. */
const JOBS = Math.max(1, Number(process.env.PICOGC_FAULT_JOBS ?? availableParallelism()));
const FAULTS = (
  process.env.PICOGC_FAULTS ??
  'corrupt:0.001,drop:0.001,corrupt:0.0001,drop:0.0001,stall:2000,boot-noise,reset-mid-exec@3,reset-mid-exec@20,reset-mid-exec@60,latency:5'
).split(',');

interface Side {
  exitCode: number;
  checks: Record<string, string>;
  metrics: Record<string, number[]>;
  repairs: number;
}

/** `picogc run --quick` on the virtual Pico, with a fault or none: its verdicts, figures and repairs. */
async function quickRun(seed: number, fault?: string): Promise<Side | undefined> {
  const out = mkdtempSync(join(tmpdir(), 'picogc-faults-'));
  let exitCode = 0;
  try {
    const args = [
      BIN,
      'run',
      '--quick',
      '--no-history',
      '--device',
      'sim',
      '--seed',
      String(seed),
      '--out',
      out,
    ];
    await run(process.execPath, fault ? [...args, '--fault', fault] : args, {
      env: { ...process.env, CI: 'true' },
      maxBuffer: 64 << 20,
    }).catch((error: { code?: number }) => {
      exitCode = error.code ?? 1;
    });
    const dir = readdirSync(out).find((name) => name !== 'latest');
    // A run killed before its report (the bench interrupted) counts as not measured.
    if (!dir || !existsSync(join(out, dir, 'report.json'))) return undefined;
    const report = JSON.parse(readFileSync(join(out, dir, 'report.json'), 'utf8')) as {
      experiments: {
        checks: { id: string; status: string }[];
        metrics: { id: string; values: number[] }[];
      }[];
      crossChecks: { id: string; status: string }[];
      recovery?: unknown[];
    };
    const checks: Record<string, string> = {};
    const metrics: Record<string, number[]> = {};
    // A board never reached has a picogc.unreached/1 document: no experiments, no verdicts to match.
    if (!Array.isArray(report.experiments)) return { exitCode, checks, metrics, repairs: 0 };
    for (const e of report.experiments) {
      for (const c of e.checks) checks[c.id] = c.status;
      for (const m of e.metrics) metrics[m.id] = m.values;
    }
    for (const c of report.crossChecks) checks[c.id] = c.status;
    return { exitCode, checks, metrics, repairs: report.recovery?.length ?? 0 };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The largest relative difference between two runs' figures, metric by metric. */
function largestDifference(a: Side, b: Side): number {
  let worst = 0;
  for (const [id, values] of Object.entries(a.metrics)) {
    const other = b.metrics[id];
    if (!other || other.length !== values.length) return Number.POSITIVE_INFINITY;
    values.forEach(
      (v, i) => (worst = Math.max(worst, Math.abs(other[i]! - v) / Math.max(Math.abs(v), 1e-9))),
    );
  }
  return worst;
}

/** Each task, up to JOBS at a time; the results in the tasks' order. */
async function inParallel<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(JOBS, tasks.length) }, worker));
  return results;
}

/**
 * Issue 16's fault matrix: for each fault and seed, a quick run with the fault against the same run
 * without it. Counted: runs that completed (exit 0), with the same verdicts, with the same figures
 * exactly, and the largest difference in the figures where they were not exactly the same.
 */
export const faultMatrixBench: BenchModule = {
  name: 'fault-matrix',
  async run() {
    const rows: Record<string, unknown>[] = [];
    const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
    const clean = await inParallel(seeds.map((seed) => () => quickRun(seed)));
    for (const fault of FAULTS) {
      let completed = 0;
      /** The bar: exit 0, the same verdicts and the same figures as the clean run. */
      let asIfClean = 0;
      let sameVerdicts = 0;
      let sameFigures = 0;
      let worst = 0;
      let repairs = 0;
      const otherwise: number[] = [];
      const faultyRuns = await inParallel(seeds.map((seed) => () => quickRun(seed, fault)));
      seeds.forEach((seed, i) => {
        const [base, faulty] = [clean[i], faultyRuns[i]];
        if (!base || !faulty) return;
        if (faulty.exitCode === 0) completed++;
        const verdictsMatch = JSON.stringify(faulty.checks) === JSON.stringify(base.checks);
        if (verdictsMatch) sameVerdicts++;
        const difference = largestDifference(base, faulty);
        if (difference === 0) sameFigures++;
        if (faulty.exitCode === 0 && verdictsMatch && difference === 0) asIfClean++;
        else {
          otherwise.push(seed);
          if (Number.isFinite(difference)) worst = Math.max(worst, difference);
        }
        repairs += faulty.repairs;
      });
      const row = {
        fault,
        seeds: SEEDS,
        completed,
        asIfClean,
        sameVerdicts,
        sameFigures,
        largestFigureDifference: worst,
        /** Seeds whose faulty run was not as if clean: rerun one with `--seed S --fault F` to see why. */
        otherwise,
        repairs,
      };
      process.stderr.write(`fault-matrix: ${JSON.stringify(row)}\n`);
      rows.push(row);
    }
    return { what: 'picogc run --quick --device sim, with each fault vs without, per seed', rows };
  },
};
