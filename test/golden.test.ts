import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAtLeast, parseFirmwareVersion } from '../src/model/index.ts';
import { SWEEP_TO_LAST_USED_SINCE } from '../src/model/port-config.ts';
import { REPO, runCli } from './support/cli.ts';
import { GOLDEN_RUNS, goldenManifestSchema } from './support/golden.ts';

/**
 * Real firmware in CI: conversations recorded from stock MicroPython builds on the emulated RP2040
 * (docs/golden.md) are played back through the whole host stack, and every applicable check must
 * pass. What a release does differently (its sweep, its sizes) must come from the model's knowledge
 * of versions, never from a special case per recording.
 */
const GOLDEN = join(REPO, 'test', 'golden');
const manifest = goldenManifestSchema.parse(JSON.parse(readFileSync(join(GOLDEN, 'manifest.json'), 'utf8')));

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'picogc-golden-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('the golden recordings', () => {
  it('cover three releases whose py/gc.c differs: before and after the sweep stopped at the last used block (v1.21), and after the finaliser pass was split out (v1.25)', () => {
    const versions = [...new Set(manifest.recordings.map((r) => r.firmware.version))].map((v) =>
      parseFirmwareVersion(v.replace(/^v/, '')),
    );
    expect(versions.some((v) => !isAtLeast(v, SWEEP_TO_LAST_USED_SINCE))).toBe(true);
    expect(versions.some((v) => isAtLeast(v, SWEEP_TO_LAST_USED_SINCE) && !isAtLeast(v, '1.25.0'))).toBe(
      true,
    );
    expect(versions.some((v) => isAtLeast(v, '1.28.0'))).toBe(true);
    for (const r of manifest.recordings) {
      expect(existsSync(join(GOLDEN, r.file)), r.file).toBe(true);
      expect(r.exitCode, `${r.file} was recorded from a run that did not pass`).toBe(0);
    }
  });

  describe.each(manifest.recordings)('$file', (recording) => {
    it(`replays through "${recording.run}" with every applicable check passing`, async () => {
      const golden = GOLDEN_RUNS.find((r) => r.name === recording.run)!;
      const dir = join(out, recording.file.replace(/\W+/g, '-'));
      const result = await runCli(
        [...golden.args, '--device', `replay:${join(GOLDEN, recording.file)}`, '--out', dir],
        {
          timeoutMs: 120_000,
        },
      );
      expect(result.code, `${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}`).toBe(0);
      if (recording.run === 'validate')
        expect(result.stdout).toMatch(/validate: PASS — \d+ of \d+ applicable checks passed/);

      const [run] = (await readdir(dir)).filter((name) => name !== 'latest');
      const report = JSON.parse(await readFile(join(dir, run!, 'report.json'), 'utf8')) as {
        device: { firmware: { version: string }; capabilities: { kind: string } };
        experiments: { id: string; summary: Record<string, unknown> }[];
      };
      expect(report.device.capabilities.kind).toBe('emulated-rp2040');
      expect(`v${report.device.firmware.version}`).toBe(recording.firmware.version);
      // The sweep the model expects for this release is the one the analysis judged by.
      const heapPosition = report.experiments.find((e) => e.id === 'pause-vs-heap-position');
      const version = parseFirmwareVersion(report.device.firmware.version);
      expect(heapPosition?.summary.sweepMode).toBe(
        isAtLeast(version, SWEEP_TO_LAST_USED_SINCE) ? 'up-to-last-used-block' : 'whole-heap',
      );
    });
  });
});
