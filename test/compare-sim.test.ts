import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareReports } from '../src/analysis/compare.ts';
import { main } from '../src/cli/main.ts';
import type { Device } from '../src/device/device.ts';
import type { DeviceInfo } from '../src/device/device-info.ts';
import { openDevice } from '../src/device/open.ts';
import { EXPERIMENTS, selectExperiments } from '../src/experiments/index.ts';
import type { Report } from '../src/report/schema.ts';
import { crossover, lockstepPair, type CrossoverSetup } from './support/crossover.ts';

/**
 * `picogc compare` against real runs on the virtual Pico: a slower configuration is caught and
 * named; runs of one configuration are not told apart.
 *
 * The virtual Pico times pauses on the host, so a busy spell of the host during one run, or the
 * heap history of one virtual Pico, shifts that run's pauses by 20–100%: real differences between
 * two runs that a comparison is right to see, but not the configuration's. Plain single runs one
 * after the other tripped the rule in 0 of 30 A/A pairs on a quiet host and up to 5 of 30 on a
 * busy one (bench/false-alarm.ts). So each comparison here is a crossover (test/support/
 * crossover.ts): two virtual Picos in lockstep, each configuration run once on each, pooled. That
 * design measured 0 false alarms in 22 A/A pairs on a quiet host and 1 in 20 with the host
 * saturated by three CPU hogs, and caught bytearray(96) against 48 in 24 of 24.
 */

const A_A_PAIRS = 3;
const dir = mkdtempSync(join(tmpdir(), 'picogc-compare-sim-'));
let picos: [Device, Device];
let infos: [DeviceInfo, DeviceInfo];

function setup(whole = false): CrossoverSetup {
  return {
    picos,
    infos,
    experiments: whole ? EXPERIMENTS : selectExperiments(['pause-vs-live']),
    profile: whole ? 'quick' : 'default',
    dir,
  };
}

function save(report: Report): string {
  const runDir = join(dir, report.runId);
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'report.json'), JSON.stringify(report));
  return runDir;
}

beforeAll(async () => {
  picos = await Promise.all([
    openDevice({ device: 'sim' }, () => undefined),
    openDevice({ device: 'sim' }, () => undefined),
  ]);
  infos = await Promise.all([picos[0].info(), picos[1].info()]);
  // Each virtual Pico's first run pays the wasm engine's warm-up: not compared.
  await lockstepPair(setup(true));
}, 120_000);
afterAll(async () => {
  await Promise.all(picos.map((p) => p.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('picogc compare on the virtual Pico (pause-vs-live, default profile)', () => {
  it('runs whose pauses are slower (bytearray(96) live objects, not 48) exit 1 and name the metrics', async () => {
    const { a, b } = await crossover(
      setup(),
      [],
      [{ experiment: 'pause-vs-live', param: 'size', value: 96 }],
    );
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    // Two runs a side, comma-separated: the command pools them.
    const code = await main(['compare', a.map(save).join(','), b.map(save).join(',')]);
    vi.restoreAllMocks();

    expect(code, stdout).toBe(1);
    const named = stderr.split('\n').filter(Boolean);
    expect(named.length, stdout).toBeGreaterThan(0);
    for (const line of named) {
      expect(line).toMatch(
        /^picogc: regression: pause-vs-live\/n=\d+ \(pause with \d+ live bytearray\(96\)\): median \+/,
      );
    }
    expect(stdout).toContain('note: parameter pause-vs-live.size differs: 48 → 96');
    expect(stdout).toMatch(/^verdict: REGRESSION — \d+ metrics? regressed: pause-vs-live\/n=/m);
  }, 90_000);

  it(`runs of the same configuration do not trip the rule (${A_A_PAIRS} A/A pairs)`, async () => {
    for (let pair = 0; pair < A_A_PAIRS; pair++) {
      const { pooledA, pooledB } = await crossover(setup());
      const c = compareReports(pooledA, pooledB);
      expect(c.metrics.map((m) => m.method)).toEqual(Array(7).fill('statistical'));
      expect(
        c.regressions.map((m) => `${m.id}: ${m.reason}`),
        `A/A pair ${pair}`,
      ).toEqual([]);
      expect(c.exitCode).toBe(0);
    }
  }, 90_000);
});

describe('picogc compare on the virtual Pico (the whole quick suite)', () => {
  it('an A/A pair of the whole suite trips nothing either, exact metrics included', async () => {
    const { pooledA, pooledB } = await crossover(setup(true));
    const c = compareReports(pooledA, pooledB);
    expect(c.metrics.filter((m) => m.method === 'exact').length).toBeGreaterThanOrEqual(21);
    expect(c.metrics.length).toBeGreaterThan(30);
    expect(c.regressions.map((m) => `${m.id}: ${m.reason}`)).toEqual([]);
    expect(c.exitCode).toBe(0);
  }, 90_000);
});
