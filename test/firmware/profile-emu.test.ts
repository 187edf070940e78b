import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileReportSchema } from '../../src/profile/profile-report-schema.ts';
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
        '6',
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
      expect(report.sampler.hz).toBe(500);
      // The sampler's own cost stays within its budget: heap reads ≤ 5%, ticks a few % more.
      expect(report.sampler.cpuShare).toBeLessThan(0.15);
      expect(report.collections.count).toBeGreaterThanOrEqual(1);
      // Each stall is known to ±1 ms (a 2 ms period). A collection in the program sweeps a full
      // heap: at least the live set's pause timed after it, and not many times more.
      const stalls = report.collections.stalls!;
      expect(stalls.p50 + report.sampler.periodUs / 2).toBeGreaterThan(report.pause!.us);
      expect(stalls.p50).toBeLessThan(3 * report.pause!.us);
      expect(report.advice!.inputs.join('\n')).toContain("over the program's");
      // The cadence the heap's free room predicts, within a quarter.
      expect(report.collections.intervalS! / report.collections.predictedIntervalS!).toBeGreaterThan(0.75);
      expect(report.collections.intervalS! / report.collections.predictedIntervalS!).toBeLessThan(1.25);
      expect(report.advice?.mark).toBe('control');
      expect(report.freeRuns.length).toBeGreaterThan(0);
      expect(report.notShown).toEqual([]);
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
    },
  );
});
