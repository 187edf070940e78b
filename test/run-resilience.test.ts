import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { openDevice } from '../src/device/open.ts';
import { defineExperiment } from '../src/experiments/experiment.ts';
import { allocSizes } from '../src/experiments/alloc-sizes.ts';
import { reportSchema } from '../src/report/schema.ts';
import { runSuite } from '../src/run/runner.ts';
import { silentProgress } from '../src/run/progress.ts';
import { runCli, spawnCli, collect } from './support/cli.ts';

function resultLines(runDir: string): Record<string, unknown>[] {
  return readFileSync(join(runDir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function onlyRunDir(out: string): string {
  const dirs = readdirSync(out).filter((d) => d !== 'latest');
  expect(dirs).toHaveLength(1);
  return join(out, dirs[0]!);
}

describe('results are never lost', () => {
  it('a SIGKILL mid-run leaves every flushed sample on disk, parseable', async () => {
    const out = mkdtempSync(join(tmpdir(), 'picogc-kill-'));
    const child = spawnCli(['run', '--device', 'sim', '-e', 'pause-vs-live', '--out', out]);
    const done = collect(child, 120_000);
    // Wait until the run has written a good number of samples, then kill it without warning.
    let seen = 0;
    for (let i = 0; i < 600 && seen < 40; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const dirs = existsSync(out) ? readdirSync(out).filter((d) => d !== 'latest') : [];
      const file = dirs[0] ? join(out, dirs[0], 'results.jsonl') : '';
      if (file && existsSync(file)) seen = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    }
    expect(seen).toBeGreaterThanOrEqual(40);
    child.kill('SIGKILL');
    const exit = await done;
    expect(exit.signal).toBe('SIGKILL');
    const runDir = onlyRunDir(out);
    const lines = resultLines(runDir); // every line parses, or this throws
    expect(lines.length).toBeGreaterThanOrEqual(seen);
    expect(lines[0]).toMatchObject({ type: 'run' });
    const samples = lines.filter((l) => l.type === 'sample');
    expect(samples.length).toBeGreaterThan(30);
    for (const s of samples) {
      expect(s.experiment).toBe('pause-vs-live');
      expect(typeof s.sample).toBe('object');
    }
    expect(existsSync(join(runDir, 'report.json'))).toBe(false);
  });

  it('a link that dies mid-run ends with exit 3, its completed samples on disk and a report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'picogc-disconnect-'));
    // The link fails once the device has sent 30 kB: after alloc-sizes, during pause-vs-live (the
    // device's info line, which carries the virtual Pico's declared differences, is part of it, and
    // each heap map comes three times).
    const r = await runCli([
      'run',
      '--device',
      'sim',
      '--quick',
      '-e',
      'alloc-sizes,pause-vs-live',
      '--fault',
      'disconnect:30000',
      '--out',
      out,
    ]);
    expect(r.code).toBe(3);
    const runDir = onlyRunDir(out);
    const samples = resultLines(runDir).filter((l) => l.type === 'sample');
    expect(samples.filter((s) => s.experiment === 'alloc-sizes').length).toBe(21);
    // pause-vs-live had measured some of its pauses when the link went: they are kept too.
    expect(samples.filter((s) => s.experiment === 'pause-vs-live').length).toBeGreaterThan(0);
    const report = reportSchema.parse(JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')));
    expect(report.verdict).toBe('error');
    expect(report.exitCode).toBe(3);
    expect(report.experiments.find((e) => e.id === 'alloc-sizes')?.status).toBe('completed');
    const failed = report.experiments.find((e) => e.id === 'pause-vs-live');
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toMatch(/LinkError/);
  });
});

describe('a device that stops answering', () => {
  it('is interrupted, retried once after a soft reset, marked failed, and the run moves on', async () => {
    const stuck = defineExperiment({
      id: 'stuck',
      title: 'stuck',
      question: 'a script that never returns',
      scripts: [],
      paramsSchema: z.object({}),
      defaults: {},
      quick: {},
      sampleSchema: z.object({ type: z.literal('never') }),
      totalSteps: () => 1,
      run: async ({ device, timeoutMs }) => {
        await device.exec('while True:\n    pass', { timeoutMs });
      },
      analyse: () => ({ summary: {}, metrics: [], checks: [] }),
    });
    const device = await openDevice({ device: 'sim', seed: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'picogc-stuck-'));
    try {
      const report = await runSuite({
        device,
        info: await device.info(),
        experiments: [stuck, allocSizes],
        profile: 'quick',
        runId: 'stuck',
        resultsPath: join(dir, 'results.jsonl'),
        progress: silentProgress,
        stepTimeoutMs: 1500,
      });
      const [first, second] = report.experiments;
      expect(first).toMatchObject({ id: 'stuck', status: 'failed', attempts: 2 });
      expect(first?.error).toMatch(/TimeoutError/);
      expect(second).toMatchObject({ id: 'alloc-sizes', status: 'completed' });
      expect(second?.checks.every((c) => c.status === 'pass')).toBe(true);
      expect(report.exitCode).toBe(3);
      const errors = resultLines(dir).filter((l) => l.type === 'error');
      expect(errors.map((e) => e.attempt)).toEqual([1, 2]);
    } finally {
      await device.close();
    }
  });
});
