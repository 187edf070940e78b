import { join } from 'node:path';
import { poolRuns } from '../../src/compare/pool-runs.ts';
import type { Device } from '../../src/device/device.ts';
import type { DeviceInfo } from '../../src/device/device-info.ts';
import type { AnyExperiment } from '../../src/experiments/experiment.ts';
import type { ParamOverride } from '../../src/experiments/params.ts';
import { silentProgress } from '../../src/run/progress.ts';
import { runSuite } from '../../src/run/runner.ts';
import type { Report } from '../../src/report/schema.ts';
import { alternate } from './alternate.ts';

/**
 * A balanced comparison of two configurations A and B on two virtual Picos, for tests and benches
 * that judge `picogc compare` itself rather than the host it runs on.
 *
 * The virtual Pico times pauses on the host, and two things besides the configuration move them
 * between runs: host load (a busy spell during one run) and the VM's own state (each virtual Pico
 * has its own heap history). So A and B run twice: once A on Pico 0 and B on Pico 1, once the other
 * way round, each time in alternation (every device call of one run followed by the same call of
 * the other, so a spell of the host lands on both), and each side's two runs are pooled. Load and
 * VM state then fall on both sides alike, and what differs is the configuration. On a host whose
 * speed swings ×2 for seconds at a time, give the Picos' timed collections a gate as well
 * (`HostGate.gated`), so that neither pool mixes two speeds of the host.
 */

export interface CrossoverSetup {
  picos: [Device, Device];
  infos: [DeviceInfo, DeviceInfo];
  experiments: AnyExperiment[];
  profile: 'quick' | 'default';
  /** Where results.jsonl of each run goes. */
  dir: string;
}

export interface Crossover {
  /** The two runs of each side, in the order they ran. */
  a: [Report, Report];
  b: [Report, Report];
  /** Each side's runs pooled into one report. */
  pooledA: Report;
  pooledB: Report;
}

let runs = 0;

export async function crossover(
  setup: CrossoverSetup,
  overridesA: ParamOverride[] = [],
  overridesB: ParamOverride[] = [],
): Promise<Crossover> {
  const first = await alternatingPair(setup, [overridesA, overridesB]);
  const second = await alternatingPair(setup, [overridesB, overridesA]);
  const a: [Report, Report] = [first[0], second[1]];
  const b: [Report, Report] = [first[1], second[0]];
  return { a, b, pooledA: poolRuns(a), pooledB: poolRuns(b) };
}

/** One run on each virtual Pico, their device calls in alternation; Pico i runs with overrides[i]. */
export async function alternatingPair(
  setup: CrossoverSetup,
  overrides: [ParamOverride[], ParamOverride[]] = [[], []],
): Promise<[Report, Report]> {
  const { devices, finish } = alternate(setup.picos[0], setup.picos[1]);
  const run = async (side: 0 | 1): Promise<Report> => {
    const n = ++runs;
    try {
      return await runSuite({
        device: devices[side],
        info: setup.infos[side],
        experiments: setup.experiments,
        profile: setup.profile,
        overrides: overrides[side],
        runId: `crossover-${n}`,
        resultsPath: join(setup.dir, `crossover-${n}.jsonl`),
        progress: silentProgress,
      });
    } finally {
      finish(side);
    }
  };
  return Promise.all([run(0), run(1)]);
}
