import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessCli } from './support/in-process-cli.ts';

/**
 * Issue 16's fault matrix, small enough for every `npm test` (the full one, 20 seeds a fault, is
 * `PICOGC_BENCH=fault-matrix npm run bench`): under each fault the run completes with the verdicts
 * and the exact figures of the same run without it. Figures are the virtual Pico's work clock, so
 * "exact" is exact.
 */
const SEEDS = [1, 2];
const FAULTS = [
  'reset-mid-exec@20',
  'reset-mid-exec@60',
  'boot-noise',
  'corrupt:0.0005',
  'corrupt:0.001',
  'drop:0.001',
];
/**
 * Under damage the figures are compared within 0.1%. The 20-seed matrix on this code found every
 * damaged run exact (corrupt:0.001 40 of 40 over two passes, drop:0.001 20 of 20), but earlier code
 * moved pauses by a few tenths of a µs on rare recovery paths (corrupt:0.001 seed 9 in some runs,
 * the heap maps identical) whose cause was not found: an exact check here would fail CI on them.
 */
const NEAR = 1e-3;
const SUITE = ['--quick', '-e', 'alloc-sizes,pause-vs-live', '--set', 'pause-vs-live.nLive=[0,1000]'];

const dir = mkdtempSync(join(tmpdir(), 'picogc-fault-matrix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  code: number;
  checks: Record<string, string>;
  metrics: Record<string, number[]>;
  repairs: number;
}

async function quickRun(seed: number, fault?: string): Promise<Outcome> {
  const out = join(dir, `${seed}-${fault ?? 'clean'}`.replace(/[^\w.-]/g, '_'));
  const faultArgs = fault ? ['--fault', fault] : [];
  const args = ['run', '--device', 'sim', '--seed', String(seed), ...SUITE, ...faultArgs];
  const code = await new InProcessCli().run(...args, '--no-history', '--out', out);
  const run = readdirSync(out).find((name) => name !== 'latest')!;
  const report = JSON.parse(readFileSync(join(out, run, 'report.json'), 'utf8')) as {
    experiments: { checks: { id: string; status: string }[]; metrics: { id: string; values: number[] }[] }[];
    recovery?: unknown[];
  };
  const checks: Record<string, string> = {};
  const metrics: Record<string, number[]> = {};
  for (const experiment of report.experiments) {
    for (const check of experiment.checks) checks[check.id] = check.status;
    for (const metric of experiment.metrics) metrics[metric.id] = metric.values;
  }
  return { code, checks, metrics, repairs: report.recovery?.length ?? 0 };
}

// A run under damage waits out a 2 s stall for each upload whose end was damaged: 20-46 s on a
// quiet 2-core machine for corrupt:0.001 (its 2.6 KB stub install fails nine tries in ten).
describe.each(SEEDS)('seed %i: a faulty link gives the clean run', { timeout: 150_000 }, (seed) => {
  let clean: Outcome;
  it('runs clean', async () => {
    clean = await quickRun(seed);
    expect(clean.code).toBe(0);
    expect(Object.keys(clean.metrics).length).toBeGreaterThan(0);
  });

  it.each(FAULTS)(
    'under %s: completes, same verdicts, same figures (under damage: within 0.1%)',
    async (fault) => {
      const faulty = await quickRun(seed, fault);
      expect(faulty.code).toBe(0);
      expect(faulty.checks).toEqual(clean.checks);
      if (!/^(corrupt|drop):/.test(fault)) expect(faulty.metrics).toEqual(clean.metrics);
      else {
        expect(Object.keys(faulty.metrics)).toEqual(Object.keys(clean.metrics));
        for (const [id, values] of Object.entries(clean.metrics))
          values.forEach((v, i) =>
            expect(Math.abs(faulty.metrics[id]![i]! - v), id).toBeLessThanOrEqual(NEAR * Math.abs(v)),
          );
      }
      // The fault did strike (boot noise only before the first exec, which needs no repair).
      if (fault !== 'boot-noise') expect(faulty.repairs).toBeGreaterThan(0);
    },
  );
});
