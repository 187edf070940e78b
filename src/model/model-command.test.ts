import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/main.ts';
import { parseMemInfo } from '../meminfo/parse.ts';

/** `picogc model` through the real CLI entry; stdout and stderr captured. */
async function picogc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'picogc-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('picogc model', () => {
  it("simulates the issue's scenario: 2000 bytearray(48) in a 192 KiB heap", async () => {
    const { code, out } = await picogc(
      'model',
      '--port-config',
      'rp2',
      '--heap',
      '196608',
      '--live',
      '2000',
      '--object',
      'bytearray(48)',
      '--json',
    );
    expect(code).toBe(0);
    const report = JSON.parse(out) as Record<string, unknown> & {
      work: Record<string, number>;
      memInfo: string;
    };
    expect(report).toMatchObject({
      port: 'rp2',
      firmware: '1.28.0',
      gcTotal: 192064,
      blocks: 12004,
      blocksPerObject: 4,
    });
    // The globals table (2), the list header (1), its 2048 slots (512), 2000 × 4.
    expect(report.blocksUsed).toBe(2 + 1 + 512 + 8000);
    expect(parseMemInfo(report.memInfo).gc.used).toBe(16 * (report.blocksUsed as number));
    expect(report.work).toMatchObject({
      roots: 1,
      objectsMarked: 4003,
      rescans: 1,
      blocksRescanned: 12004,
      blocksFreed: 0,
    });
    expect(report.predictedPauseUs).toBeNull();
  });

  it('prints blocks, GC total, the heap map and the work, and a pause from a coefficients file', async () => {
    const file = join(dir, 'coefficients.json');
    writeFileSync(file, JSON.stringify({ c0: 10, c_mark: 0.001, c_sweep: 0.002, c_rescan: 0.003 }));
    const { code, out } = await picogc(
      'model',
      '--live',
      '64',
      '--object',
      'float',
      '--shape',
      'chain',
      '--coefficients',
      file,
    );
    expect(code).toBe(0);
    expect(out).toMatch(/GC total 245888 bytes \(15368 blocks\), pool from 0x20003f80/);
    expect(out).toMatch(/^GC memory layout; from 20003f80:$/m);
    expect(out).toMatch(/0 overflow rescans/);
    const words = Number(/(\d+) words scanned/.exec(out)![1]);
    const swept = Number(/(\d+) blocks swept/.exec(out)![1]);
    expect(out).toContain(`predicted pause: ${(10 + 0.001 * words + 0.002 * swept).toFixed(1)} us`);
  });

  it('rejects bad input with exit code 2 and one line naming it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ c0: 1, c_mark: 'fast' }));
    for (const argv of [
      ['model', '--coefficients', bad],
      ['model', '--coefficients', join(dir, 'missing.json')],
      ['model', '--shape', 'tree'],
      ['model', '--object', 'dict(3)'],
      ['model', '--port-config', 'esp32'],
      ['model', '--live', 'many'],
      ['model', '--heap', '32768', '--live', '5000'],
    ]) {
      const { code, err } = await picogc(...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(err.trim().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });
});
