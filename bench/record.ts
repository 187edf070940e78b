import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { quantile } from 'simple-statistics';
import type { BenchModule } from './bench-module.ts';

const run = promisify(execFile);
const BIN = new URL('../bin/picogc.js', import.meta.url).pathname;
const PAIRS = Number(process.env.PICOGC_RECORD_PAIRS ?? 5);

/**
 * What `--record` costs a run: the quick suite on the virtual Pico, with and without recording,
 * alternated pair by pair so the host's drift falls on both alike. Goal: under 5% more wall time.
 */
export const recordBench: BenchModule = {
  name: 'record',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'picogc-bench-record-'));
    const plain: number[] = [];
    const recorded: number[] = [];
    let bytes = 0;
    try {
      for (let i = 0; i < PAIRS; i++) {
        for (const record of i % 2 === 0 ? [false, true] : [true, false]) {
          const file = join(dir, `r${i}.rec.gz`);
          const args = [BIN, 'run', '--quick', '--no-history', '--device', 'sim', '--out', join(dir, 'out')];
          const started = performance.now();
          await run(process.execPath, record ? [...args, '--record', file] : args, {
            env: { ...process.env, CI: 'true' },
          });
          (record ? recorded : plain).push(performance.now() - started);
          if (record) bytes = statSync(file).size;
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const ratio = quantile(recorded, 0.5) / quantile(plain, 0.5);
    return {
      what: 'picogc run --quick --device sim, wall time of the command, alternated pairs',
      pairs: PAIRS,
      plainMedianMs: Math.round(quantile(plain, 0.5)),
      recordedMedianMs: Math.round(quantile(recorded, 0.5)),
      overheadPercent: Math.round((ratio - 1) * 1000) / 10,
      recordingBytes: bytes,
      targetPercent: 5,
      meetsTarget: ratio - 1 < 0.05,
    };
  },
};
