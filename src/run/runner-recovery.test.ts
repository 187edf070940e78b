import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Device } from '../device/device.ts';
import { openDevice } from '../device/open.ts';
import { selectExperiments } from '../experiments/index.ts';
import { silentProgress } from './progress.ts';
import type { RecoveryRequest } from '../report/recovery-event.ts';
import { runSuite } from './runner.ts';

/**
 * The runner's side of recovery, on real virtual Picos in this process: one that hangs part-way
 * (fault `hang@BYTES`: it stops answering after that many bytes), and the strategy the runner hands
 * it to. The byte count falls in the middle of mark-overflow's last round (measured: the three
 * experiments below send ~3.6k bytes while connecting, mark-overflow spans ~5.7k to ~18k).
 */
const EXPERIMENTS = selectExperiments(['threshold', 'mark-overflow', 'float-churn']);
const HANG = 'hang@12500';

let dir: string;
const devices: Device[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-runner-'));
});
afterEach(async () => {
  for (const device of devices.splice(0)) await device.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function sim(faults: string[] = []) {
  const device = await openDevice({ device: 'sim', seed: 3, faults });
  devices.push(device);
  return device;
}

async function run(device: Device, recover?: (request: RecoveryRequest) => Promise<Device | undefined>) {
  const resultsPath = join(dir, 'results.jsonl');
  const report = await runSuite({
    device,
    info: await device.info(),
    experiments: EXPERIMENTS,
    profile: 'quick',
    runId: 'test-run',
    resultsPath,
    progress: silentProgress,
    stepTimeoutMs: 1_000,
    ...(recover ? { recover } : {}),
  });
  const lines = (await readFile(resultsPath, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; experiment?: string; rung?: string });
  return { report, lines };
}

describe('runSuite with a recovery strategy', () => {
  it('hands a silent device to the strategy and goes on with the device it returns', async () => {
    const hung = await sim([HANG]);
    const fresh = await sim();
    const requests: RecoveryRequest[] = [];
    const { report, lines } = await run(hung, (request) => {
      requests.push(request);
      request.record({ rung: 'interrupt', ok: false, detail: 'still silent', ms: 1 });
      request.record({ rung: 'reconnect', ok: true, detail: 'a new connection', ms: 2 });
      return Promise.resolve(fresh);
    });

    expect(requests.map((r) => r.experiment)).toEqual(['mark-overflow']);
    expect(String(requests[0]!.error)).toMatch(/silent/);
    expect(report.experiments.map((e) => [e.id, e.status])).toEqual([
      ['threshold', 'completed'],
      ['mark-overflow', 'failed'],
      ['float-churn', 'completed'],
    ]);
    // The silent device was not retried after a soft reset: the strategy's own rungs do that.
    expect(report.experiments[1]!.attempts).toBe(1);
    expect(report.recovery?.map((e) => [e.experiment, e.rung, e.ok])).toEqual([
      ['mark-overflow', 'interrupt', false],
      ['mark-overflow', 'reconnect', true],
    ]);
    expect(report.notRun).toBeUndefined();
    expect(report.exitCode).toBe(3); // an experiment failed: the run is incomplete
    // Each rung was on disk the moment it ended, between the failure and the next experiment.
    const kinds = lines.map((l) => `${l.type}:${l.experiment ?? ''}:${l.rung ?? ''}`);
    const firstRung = kinds.indexOf('recovery:mark-overflow:interrupt');
    expect(firstRung).toBeGreaterThan(kinds.lastIndexOf('error:mark-overflow:'));
    expect(firstRung).toBeLessThan(kinds.findIndex((k) => k.startsWith('sample:float-churn')));
  });

  it('stops when the strategy gives up, and names what was not run', async () => {
    const hung = await sim([HANG]);
    const { report, lines } = await run(hung, (request) => {
      request.record({ rung: 'give-up', ok: false, detail: 'nothing to try', ms: 0 });
      return Promise.resolve(undefined);
    });
    expect(report.experiments.map((e) => e.id)).toEqual(['threshold', 'mark-overflow']);
    expect(report.notRun?.experiments).toEqual(['float-churn']);
    expect(report.notRun?.reason).toMatch(/stopped answering during mark-overflow/);
    expect(report.verdict).toBe('error');
    expect(lines.some((l) => l.type === 'not-run')).toBe(true);
  });

  it('starts no experiment once its signal is aborted (a lost board lock)', async () => {
    const device = await sim();
    const controller = new AbortController();
    const resultsPath = join(dir, 'results.jsonl');
    const report = await runSuite({
      device,
      info: await device.info(),
      experiments: selectExperiments(['threshold', 'float-churn']),
      profile: 'quick',
      runId: 'test-run',
      resultsPath,
      progress: {
        ...silentProgress,
        finish: () => controller.abort(new Error('lost the lock on board x')),
      },
      signal: controller.signal,
    });
    expect(report.experiments.map((e) => e.id)).toEqual(['threshold']);
    expect(report.notRun).toEqual({
      experiments: ['float-churn'],
      reason: 'stopped: lost the lock on board x',
    });
    expect(report.exitCode).toBe(3);
  });
});

describe('a deadline that passes because the device ran slow', () => {
  it('measures the pace again before the retry, and says so in the report', async () => {
    // A 2 s stall of the link in mark-overflow's last round, starting just after its exec does: the
    // 1 s deadline passes once, and the device answers the Ctrl-C within the 2 s grace that follows
    // (a 3 s stall ended with the grace, a race that sometimes made it a silent device instead).
    const { report, lines } = await run(await sim(['stall:2000@12700']));
    expect(report.experiments.map((e) => [e.id, e.status, e.attempts])).toEqual([
      ['threshold', 'completed', 1],
      ['mark-overflow', 'completed', 2],
      ['float-churn', 'completed', 1],
    ]);
    const repaced = report.recovery?.filter((e) => e.rung === 're-pace') ?? [];
    expect(repaced.map((e) => [e.experiment, e.ok])).toEqual([['mark-overflow', true]]);
    expect(repaced[0]!.detail).toMatch(
      /^a deadline passed: pace measured again \(a \d+ ms spin on ticks_ms took \d+ ms on the host\); deadlines stretched ×[\d.]+, were ×[\d.]+$/,
    );
    expect(lines.filter((l) => l.rung === 're-pace')).toHaveLength(1);
  });
});
