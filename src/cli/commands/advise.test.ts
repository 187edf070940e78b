import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessCli } from '../../../test/support/in-process-cli.ts';
import { loadMemInfo } from '../../../test/support/fixtures.ts';
import { syntheticReport } from '../../../test/support/synthetic-report.ts';
import { inputsFromReport } from '../../advise/from-report.ts';

const dir = mkdtempSync(join(tmpdir(), 'picogc-advise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = new InProcessCli();

/** A board run whose pause-vs-live measured 0…2000 live objects, with the real 2000-object heap map. */
const board = syntheticReport(
  [
    {
      id: 'pause-vs-live',
      summary: {
        points: [
          { nLive: 0, median: 310, q1: 300, q3: 320 },
          { nLive: 1000, median: 1230, q1: 1200, q3: 1260 },
          { nLive: 2000, median: 2150, q1: 2100, q3: 2200 },
        ],
      },
      samples: [{ type: 'heap', nLive: 2000, memInfo: loadMemInfo('mem_info1-2000-bytearray48') }],
    },
  ],
  {
    runId: 'board-run',
    model: { pauseCost: { coefficients: { c_sweep: 0.04 }, estimated: { c_sweep: true } } },
  },
);

describe('inputsFromReport', () => {
  it('takes the median at the closest measured live-set size, the free heap there, and c_sweep', () => {
    const inputs = inputsFromReport(board, 1800);
    expect(inputs).toMatchObject({ pauseUs: 2150, nLive: 2000, freeBytes: 105_248, sweepUsPerBlock: 0.04 });
    expect(inputs.notes[0]).toBe(
      'L = 2150 µs: the median pause-vs-live pause at n_live = 2000 (the measured size closest to 1800), report board-run',
    );
    // A tie goes to the larger live set: the longer pause is the safer guess.
    expect(inputsFromReport(board, 500).nLive).toBe(1000);
  });

  it('says where the virtual Pico’s pauses come from, and refuses a report without pause-vs-live', () => {
    const sim = syntheticReport([{ id: 'pause-vs-live', summary: { points: [{ nLive: 0, median: 9 }] } }], {
      kind: 'virtual-pico',
    });
    expect(inputsFromReport(sim, 0).notes.join('\n')).toContain('from the virtual Pico');
    expect(() => inputsFromReport(syntheticReport([{ id: 'alloc-sizes' }]), 10)).toThrow(
      'the report has no pause-vs-live experiment: run it, or give --pause-us',
    );
  });
});

describe('picogc advise', () => {
  it('prints inputs, arithmetic, the recommendation and the threshold', async () => {
    const code = await cli.run(
      'advise',
      '--pause-us',
      '900',
      '--alloc-bytes',
      '200',
      '--rate-hz',
      '100',
      '--budget-us',
      '1000',
      '--free-bytes',
      '160000',
      '--sweep-us-per-block',
      '0.05',
    );
    expect(code).toBe(0);
    expect(cli.stdout).toContain('recommendation: tune gc.threshold');
    expect(cli.stdout).toContain('  gc.threshold: 32000 B');
    expect(cli.stdout).toContain('  interval         T = Gmax / R = 32000 / 20800 = 1.538 s');
    expect(cli.stdout).toContain('  gc.threshold(32000)');
  });

  it('reads the pause from a run directory, and --json gives the same advice as data', async () => {
    const runDir = join(dir, 'board-run');
    mkdirSync(runDir);
    writeFileSync(join(runDir, 'report.json'), JSON.stringify(board));
    expect(
      await cli.run(
        'advise',
        '--report',
        runDir,
        '--live',
        '2000',
        '--alloc-bytes',
        '64',
        '--rate-hz',
        '50',
        '--budget-us',
        '3000',
        '--json',
      ),
    ).toBe(0);
    const out = JSON.parse(cli.stdout) as { input: Record<string, number>; advice: { strategy: string } };
    expect(out.input).toMatchObject({ pauseUs: 2150, freeBytes: 105_248, sweepUsPerBlock: 0.04 });
    // Lfull = 2150 + 0.04 × 105248/16 = 2413 µs ≤ 3000.
    expect(out.advice.strategy).toBe('leave-defaults');
  });

  it('usage errors exit 2 with one line', async () => {
    const base = ['--alloc-bytes', '64', '--rate-hz', '50', '--budget-us', '3000'];
    expect(await cli.run('advise', ...base)).toBe(2);
    expect(cli.stderr).toBe('picogc: UsageError: give --pause-us, or --report with --live\n');
    expect(await cli.run('advise', ...base, '--pause-us', '5', '--report', dir)).toBe(2);
    expect(cli.stderr).toContain('give either --pause-us or --report, not both');
    expect(await cli.run('advise', ...base, '--pause-us', '5', '--seam-us', '100')).toBe(2);
    expect(cli.stderr).toContain('give --seam-us and --seam-hz together');
    expect(await cli.run('advise', ...base, '--pause-us', '-5')).toBe(2);
    expect(cli.stderr).toBe(
      "picogc: UsageError: option '--pause-us <us>' argument '-5' is invalid. expected a number > 0\n",
    );
    expect(await cli.run('advise', ...base, '--report', join(dir, 'missing'), '--live', '3')).toBe(2);
    expect(cli.stderr).toMatch(/^picogc: InputError: no such file or directory: /);
  });
});
