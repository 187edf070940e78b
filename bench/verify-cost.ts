import { quantile } from 'simple-statistics';
import { openDevice } from '../src/device/open.ts';
import type { BenchModule } from './bench-module.ts';
import { makeScript, round } from './repl.ts';

const SMALL_EXEC = 'print(1)';
const SMALL_RUNS = 100;
const UPLOAD_BYTES = 64 * 1024;
const UPLOAD_RUNS = 5;

/**
 * What checking costs (issue 16): the same code sent to the same virtual Pico plainly (the raw
 * REPL client alone) and checked (the raw REPL compiles `_P()`, and the resident stub reads the code from stdin in a
 * frame with its length and CRC-32, checked before it is compiled; its markers read back). The two are
 * alternated so a busier host slows both alike. The 64 KiB script is plain assignments, as in the
 * repl bench; the virtual Pico compiles it either way, so the difference is the checking.
 */
export const verifyCostBench: BenchModule = {
  name: 'verify-cost',
  async run() {
    const device = await openDevice({ device: 'sim', seed: 1 }, () => undefined);
    try {
      await device.info();
      const plain = (code: string) => device.repl.exec(code, { timeoutMs: 120_000 });
      const checked = (code: string) => device.exec(code, { timeoutMs: 120_000 });
      for (let i = 0; i < 10; i++) {
        await plain(SMALL_EXEC);
        await checked(SMALL_EXEC);
      }
      const small = await alternate(
        SMALL_RUNS,
        () => plain(SMALL_EXEC),
        () => checked(SMALL_EXEC),
      );
      const script = makeScript(UPLOAD_BYTES);
      const upload = await alternate(
        UPLOAD_RUNS,
        () => plain(script),
        () => checked(script),
      );
      return {
        device: 'virtual Pico (in-process, seed 1)',
        smallExec: { code: SMALL_EXEC, runs: SMALL_RUNS, ...small },
        upload: { bytes: UPLOAD_BYTES, runs: UPLOAD_RUNS, ...upload, targetSlowdown: 1.1 },
      };
    } finally {
      await device.close();
    }
  },
};

async function alternate(runs: number, plain: () => Promise<unknown>, checked: () => Promise<unknown>) {
  const plainMs: number[] = [];
  const checkedMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    plainMs.push(await timed(plain));
    checkedMs.push(await timed(checked));
  }
  const plainMedian = quantile(plainMs, 0.5);
  const checkedMedian = quantile(checkedMs, 0.5);
  return {
    plainMedianMs: round(plainMedian),
    checkedMedianMs: round(checkedMedian),
    overheadMs: round(checkedMedian - plainMedian),
    slowdown: round(checkedMedian / plainMedian),
  };
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}
