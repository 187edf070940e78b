import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILL_MARGIN_BLOCKS } from '../../src/profile/pause-probe.ts';
import { profileReportSchema } from '../../src/profile/profile-report-schema.ts';
import { analyseProfile } from '../../src/profile/profile-analysis.ts';
import { loadResults, runProfileSession } from '../../src/profile/profile-session.ts';
import { openDevice } from '../../src/device/open.ts';
import { samplerAllocation } from '../support/sampler-alloc.ts';
import { REPO } from '../support/cli.ts';
import { InProcessCli } from '../support/in-process-cli.ts';
import { BOOTROM, FIRMWARE, NO_IMAGES, SKIP_REASON } from '../support/firmware-images.ts';

/**
 * `picogc profile` on real firmware (the emulated RP2040 running PICOGC_TEST_FIRMWARE): the sampler
 * timer runs, the leaking loop's collections show as drops in gc.mem_alloc() with the late tick
 * after each measuring its stall, and the sampler itself allocates nothing per tick. Skipped, with
 * the reason, without a firmware image and a boot ROM (picogc never ships or fetches either). The
 * emulator runs at about 0.37× real time, so the runs are a few device seconds.
 */

let dir: string;
/** The runs the advice test compares (set by the two profiles before it). */
let leakyRun: string | undefined;
let preallocatedRun: string | undefined;
const cli = new InProcessCli();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-profile-emu-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const emu = () => ['--device', 'emu', '--firmware', FIRMWARE!, '--bootrom', BOOTROM!];

describe.skipIf(NO_IMAGES)(`picogc profile on real firmware${SKIP_REASON}`, () => {
  it(
    'sees the leaking loop’s collections, their stalls, and a sampler that allocates nothing per tick',
    { timeout: 240_000 },
    async () => {
      const out = join(dir, 'leaky');
      const code = await cli.run(
        'profile',
        ...emu(),
        '--seconds',
        '24',
        '--out',
        out,
        join(REPO, 'examples', 'leaky_sensor.py'),
      );
      expect(code, cli.stderr).toBe(0);
      const runDir = join(out, 'latest-profile');
      const report = profileReportSchema.parse(
        JSON.parse(await readFile(join(runDir, 'report.json'), 'utf8')),
      );
      expect(report.sampler.timer).toBe(true);
      // --hz 500 asked: a period of 1.618 ms (whole ms + 0.618, so a loop paced in ms meets every phase).
      expect(report.sampler.periodUs).toBe(1618);
      // The sampler's own cost stays within its budget: heap reads ≤ 5%, ticks a few % more.
      expect(report.sampler.cpuShare).toBeLessThan(0.15);
      expect(report.collections.count).toBeGreaterThanOrEqual(1);
      // The stalls the program saw are the collection of its live set with the heap full of garbage:
      // their median within ±15% of that collection timed on the device after the program (each
      // stall is known to ±0.8 ms, at phases the golden-ratio period spreads; 24 s give eight collections). L, the same live set with no
      // garbage, is well short of it: the difference is the sweep of the garbage.
      const stalls = report.collections.stalls!;
      const same = report.collections.sameLiveSet!;
      expect(stalls.count).toBeGreaterThanOrEqual(6);
      expect(same.stallP50Us).toBe(stalls.p50);
      expect(same.sameLiveSetUs).toBe(report.pause!.garbageUs);
      expect(Math.abs(stalls.p50 / report.pause!.garbageUs - 1)).toBeLessThanOrEqual(0.15);
      expect(same.within).toBe(true);
      // L would not pass: the stalls are the full heap's collection, not the bare live set's.
      expect(stalls.p50 / report.pause!.us).toBeGreaterThan(1.15);
      // The two ways to k agree: the full-heap fill after the program and the program's own
      // collections ((stall − L) per freed block, each stall ±1 ms).
      const inProgram = report.advice!.inputs.find((l) => l.includes("over the program's"))!;
      const kInProgram = Number(/k = ([\d.]+) µs per block/.exec(inProgram)![1]);
      expect(kInProgram / report.pause!.sweepUsPerBlock).toBeGreaterThan(0.67);
      expect(kInProgram / report.pause!.sweepUsPerBlock).toBeLessThan(1.5);
      // The fill took the whole free heap but its margin, and no collection came during it.
      const pause = loadResults(join(runDir, 'results.jsonl')).find((r) => r.type === 'pause')!;
      expect(pause.type === 'pause' && pause.freeAfterFill).toBeLessThanOrEqual(2 * FILL_MARGIN_BLOCKS * 16);
      // The cadence the heap's free room predicts, within ±10% (the bound; 1% measured).
      expect(report.collections.intervalS! / report.collections.predictedIntervalS!).toBeGreaterThan(0.9);
      expect(report.collections.intervalS! / report.collections.predictedIntervalS!).toBeLessThan(1.1);
      expect(report.advice?.mark).toBe('control');
      // The sampler's cost, measured: the program's first 2 s ran without it.
      const cost = report.sampler.cost!;
      expect(cost.bareUs).toBeGreaterThan(1_900_000);
      expect(cost.mark).toBe('control');
      // Its loop slows by what the ticks, reads and flushes take (a few %), never speeds up.
      expect(cost.withRateHz!).toBeLessThan(cost.withoutRateHz!);
      expect(cost.withRateHz! / cost.withoutRateHz!).toBeGreaterThan(0.85);
      // 16 readings scaled to floats, ~900 B an iteration at ~93 Hz without the sampler.
      expect(cost.withoutBytesPerSecond! / (900 * cost.withoutRateHz!)).toBeGreaterThan(0.9);
      expect(cost.withoutBytesPerSecond! / (900 * cost.withoutRateHz!)).toBeLessThan(1.1);
      expect(report.freeRuns.length).toBeGreaterThan(0);
      expect(report.notShown).toEqual([]);
      leakyRun = runDir;
    },
  );

  it(
    'measures no allocation in the pre-allocated loop: the sampler allocates nothing per tick',
    { timeout: 180_000 },
    async () => {
      const out = join(dir, 'prealloc');
      const app = join(REPO, 'examples', 'preallocated_loop.py');
      expect(await cli.run('profile', ...emu(), '--seconds', '3', '--out', out, app), cli.stderr).toBe(0);
      const report = profileReportSchema.parse(
        JSON.parse(await readFile(join(out, 'latest-profile', 'report.json'), 'utf8')),
      );
      // A heap read every ~90 ticks, each tick that allocated even one block would show 8000 B/s;
      // what remains is the program's start (compiling it) over a few seconds.
      expect(report.sampler.entries).toBeGreaterThan(200);
      expect(report.allocation!.bytesPerSecond).toBeLessThan(500);
      expect(report.collections.count).toBe(0);
      expect(report.advice!.strategy).toBe('leave-defaults');
      // Without the sampler too: nothing allocated per iteration.
      expect(report.sampler.cost!.withoutBytesPerSecond!).toBeLessThan(500);
      preallocatedRun = join(out, 'latest-profile');
    },
  );

  it('advises differently for the two loops, as the rule says, at a budget between the leaking loop’s L and Lfull', () => {
    if (!leakyRun || !preallocatedRun) throw new Error('the two profiles above did not run');
    const records = (run: string) => loadResults(join(run, 'results.jsonl'));
    const leaky = analyseProfile(records(leakyRun), { runId: 'leaky' });
    // Between the live set's collection with no garbage (L) and with the heap full of it (Lfull):
    // a collection at the default threshold does not fit, one made earlier by gc.threshold does.
    const budgetUs = Math.round((leaky.pause!.us + leaky.pause!.garbageUs) / 2);
    const atBudget = (run: string) => analyseProfile(records(run), { runId: 'b', budgetUs }).advice!;
    const tuned = atBudget(leakyRun);
    expect(tuned.strategy).toBe('tune-threshold');
    expect(tuned.code.join('\n')).toMatch(/gc\.threshold\(\d+\)/);
    // The pre-allocated loop allocates nothing an iteration: nothing to tune at any budget.
    expect(atBudget(preallocatedRun).strategy).toBe('leave-defaults');
  });

  it(
    'stops a program that catches KeyboardInterrupt: the probe ends it at its next mark(), samples and pauses kept',
    { timeout: 180_000 },
    async () => {
      const stop = new AbortController();
      let samples = 0;
      const device = await openDevice(
        { device: 'emu', firmware: FIRMWARE!, bootrom: BOOTROM! },
        () => undefined,
      );
      try {
        const { runDir, report, outcome } = await runProfileSession(device, {
          program: join(REPO, 'test', 'fixtures', 'stubborn_loop.py'),
          seconds: 600,
          hz: 500,
          flushHz: 1,
          every: 0,
          freeRunMs: 2000,
          outDir: join(dir, 'stubborn'),
          signal: stop.signal,
          onRecord: (r) => {
            if (r.type === 'samples' && ++samples === 4) stop.abort();
          },
        });
        expect(outcome.reason).toBe('interrupted');
        const records = loadResults(join(runDir, 'results.jsonl'));
        // The device's own account: the probe ended the program, whose Ctrl-C was swallowed (by the
        // program, or by a scheduled callback of the probe's that it landed in).
        expect(records.find((r) => r.type === 'end')).toMatchObject({ how: 'interrupted' });
        expect(report.sampler.lostOnDevice + report.sampler.missing).toBe(0);
        // The device was free again: the pauses after the program were timed.
        expect(report.pause!.method).toBe('ticks_us');
        expect(report.stopped.reason).toBe('interrupted');
      } finally {
        await device.close();
      }
    },
  );

  it(
    'the sampler allocates nothing per sample after start-up, its frame off the heap (real firmware)',
    { timeout: 120_000 },
    async () => {
      const device = await openDevice(
        { device: 'emu', firmware: FIRMWARE!, bootrom: BOOTROM! },
        () => undefined,
      );
      try {
        // 300 ticks, each late and reading the heap (8.7 ms a read on v1.28.0).
        const { grew, inTick, entries } = await samplerAllocation(device, 300);
        expect(entries).toBe(2 * 900);
        expect(grew).toBe(0);
        expect(inTick).toBe(0);
      } finally {
        await device.close();
      }
    },
  );
});
