import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './support/cli.ts';

/**
 * `--record FILE` keeps a run's whole conversation; `--device replay:FILE` plays the device side back
 * to the real host stack. Here on the virtual Pico: the replay has no VM behind it (its backend and
 * its declared difference say so), and must give back exactly the recorded samples.
 */
let dir: string;
const EXPERIMENTS = ['-e', 'alloc-sizes,pause-vs-live,fragmentation'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-replay-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function samplesOf(out: string): Promise<unknown[]> {
  const [run] = (await readdir(out)).filter((name) => name !== 'latest');
  const report = JSON.parse(await readFile(join(out, run!, 'report.json'), 'utf8')) as {
    experiments: { samples: unknown[] }[];
    device: { backend: string; capabilities: { differences: string[] } };
    workClock?: unknown;
  };
  return [
    { ...report.device, workClock: report.workClock !== undefined },
    ...report.experiments.map((e) => e.samples),
  ];
}

describe('record and replay', () => {
  const recording = () => join(dir, 'quick.rec.gz');

  it('a replay gives the recorded run back, sample for sample, through the real host stack', async () => {
    const recorded = await runCli(
      [
        'run',
        '--quick',
        '--no-history',
        '--device',
        'sim',
        '--seed',
        '5',
        '--record',
        recording(),
        '--out',
        join(dir, 'a'),
        ...EXPERIMENTS,
      ],
      { timeoutMs: 60_000 },
    );
    expect(recorded.code).toBe(0);
    const replayed = await runCli(
      [
        'run',
        '--quick',
        '--no-history',
        '--device',
        `replay:${recording()}`,
        '--out',
        join(dir, 'b'),
        ...EXPERIMENTS,
      ],
      { timeoutMs: 60_000 },
    );
    expect(replayed.code, replayed.stderr).toBe(0);
    const [recordedDevice, ...recordedSamples] = await samplesOf(join(dir, 'a'));
    const [replayedDevice, ...replayedSamples] = (await samplesOf(join(dir, 'b'))) as [
      { backend: string; capabilities: { differences: string[] } },
      ...unknown[],
    ];
    expect(replayedSamples).toEqual(recordedSamples);
    expect(replayedSamples.flat().length).toBeGreaterThan(20);
    expect(recordedDevice).toMatchObject({ backend: 'sim', workClock: true });
    expect(replayedDevice.backend).toBe('replay');
    // A replay plays recorded pauses back: no calibration made them here, so its report has none.
    expect(replayedDevice).toMatchObject({ workClock: false });
    expect(replayedDevice.capabilities.differences.at(-1)).toMatch(
      /^replay: the device side of .*quick\.rec\.gz/,
    );
  });

  it('refuses, exit 2, to replay after a device script changed: it names the script and says re-record', async () => {
    // A checkout of picogc whose device-scripts/pause.py was edited after the recording.
    const checkout = join(dir, 'edited');
    await mkdir(checkout);
    for (const part of ['bin', 'scripts', 'src', 'device-scripts', 'package.json']) {
      await cp(join(REPO, part), join(checkout, part), { recursive: true });
    }
    await symlink(join(REPO, 'node_modules'), join(checkout, 'node_modules'));
    const pause = join(checkout, 'device-scripts', 'pause.py');
    await writeFile(pause, `${await readFile(pause, 'utf8')}\n# tuned after the recording\n`);

    const result = await runCli(
      [
        'run',
        '--quick',
        '--no-history',
        '--device',
        `replay:${recording()}`,
        '--out',
        join(dir, 'c'),
        ...EXPERIMENTS,
      ],
      { timeoutMs: 60_000, cwd: checkout, bin: join(checkout, 'bin', 'picogc.js') },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /RecordingMismatchError: replay of .*quick\.rec\.gz diverged at host byte \d+, in the upload of device-scripts\/pause\.py/,
    );
    expect(result.stderr).toMatch(/device-scripts\/ changed since it was recorded \(pause\.py changed\)/);
    expect(result.stderr).toMatch(/re-record it/);
  });

  it('records one board only', async () => {
    const result = await runCli(
      [
        'run',
        '--quick',
        '--device',
        'sim',
        '--seed',
        '1',
        '--seed',
        '2',
        '--record',
        join(dir, 'two.rec.gz'),
      ],
      { timeoutMs: 30_000 },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--record keeps one board's conversation, and 2 boards were named/);
  });

  it('refuses a file that is not a recording, exit 2, naming it', async () => {
    const bogus = join(dir, 'bogus.rec.gz');
    await writeFile(bogus, 'not a recording');
    const result = await runCli(['exec', '--device', `replay:${bogus}`, 'print(1)'], { timeoutMs: 30_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bogus\.rec\.gz is not a picogc recording/);
  });
});
