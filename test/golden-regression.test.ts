import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecording, writeRecording } from '../src/link/recording.ts';
import { REPO, runCli } from './support/cli.ts';
import { editAnswers, editDataParts } from './support/recording-edit.ts';

/**
 * A regression on real firmware is caught: v1.28.0's golden recordings with the device's answers
 * changed as a real regression would change them, replayed through the unchanged host.
 */
const GOLDEN = join(REPO, 'test', 'golden', 'v1.28.0');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-regression-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The one run directory written under `out`. */
async function runDir(out: string): Promise<string> {
  const [run] = (await readdir(out)).filter((name) => name !== 'latest');
  return join(out, run!);
}

// The tests' timeouts only stop a hang: three replayed runs take ~16 s on a quiet 2-core host, and
// more than the default 30 s while other test files load it.
describe('a regression in real firmware', () => {
  it('a float that costs 32 bytes instead of 16 fails validate, naming the check', async () => {
    const edited = editAnswers(readRecording(join(GOLDEN, 'validate.rec.gz')), (code, answer) =>
      code.startsWith('alloc_sizes()')
        ? editDataParts(answer, (text) =>
            text.replace(/^(\{"object": "float",.*?)"bytes": 16\b/, '$1"bytes": 32'),
          )
        : answer,
    );
    const file = join(dir, 'float32.rec.gz');
    writeRecording(file, edited);
    const result = await runCli(['validate', '--device', `replay:${file}`, '--out', join(dir, 'v')], {
      timeoutMs: 120_000,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/validate: FAIL/);
    expect(result.stderr).toMatch(/picogc: check failed: alloc-sizes \/ /);
    expect(result.stdout).toMatch(/fail .*float.*32 B/);
  }, 120_000);

  it('every pause 10% longer is a regression compare names, pause by pause', async () => {
    const original = readRecording(join(GOLDEN, 'run-quick.rec.gz'));
    const slower = editAnswers(original, (code, answer) =>
      /gc\.collect\(\)\nprint\(time\.ticks_diff/.test(code)
        ? answer.replace(
            /^([\x01\x04]*@picogc\+\r\n)(\d+)\r\n/,
            (_, start: string, us: string) => `${start}${Math.round(Number(us) * 1.1)}\r\n`,
          )
        : answer,
    );
    const file = join(dir, 'slower.rec.gz');
    writeRecording(file, slower);
    const args = ['run', '--quick', '--no-history'];
    const base = await runCli(
      [...args, '--device', `replay:${join(GOLDEN, 'run-quick.rec.gz')}`, '--out', join(dir, 'a')],
      {
        timeoutMs: 120_000,
      },
    );
    expect(base.code).toBe(0);
    const current = await runCli([...args, '--device', `replay:${file}`, '--out', join(dir, 'b')], {
      timeoutMs: 120_000,
    });
    expect(current.code).toBe(0);

    const compared = await runCli(['compare', await runDir(join(dir, 'a')), await runDir(join(dir, 'b'))], {
      timeoutMs: 60_000,
    });
    expect(compared.code).toBe(1);
    expect(compared.stderr).toMatch(/regression: pause-vs-live\/n=2000 .*median \+10\.0%/);
    // The unchanged answers (object sizes) are not flagged.
    expect(compared.stderr).not.toMatch(/alloc-sizes/);
  }, 240_000);
});
