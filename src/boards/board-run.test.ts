import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, LinkError } from '../errors.ts';
import { EXPERIMENTS } from '../experiments/index.ts';
import { acquireBoardLock } from '../lock/board-lock.ts';
import { silentProgress } from '../run/progress.ts';
import { unreachedSchema } from '../report/unreached.ts';
import { lockKeyForTarget } from './board-identity.ts';
import { runBoard, type BoardRunOptions } from './board-run.ts';
import type { DeviceTarget } from '../device/target.ts';

/**
 * What runBoard writes for a board it never reached, where no device is needed to show it: a
 * `--firmware` flash that fails (the flasher is the replaceable part; real flashing needs a Pico),
 * bad input, and a busy board. The link dying while a board is opened or asked who it is runs on
 * the virtual Pico in test/run-unreached.test.ts.
 */
const dir = mkdtempSync(join(tmpdir(), 'picogc-board-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const board: DeviceTarget = { kind: 'serial', port: join(dir, 'ttyACM7'), usbSerial: 'E6614103E7452D2F' };

function options(outDir: string, flashError: Error): BoardRunOptions {
  return {
    experiments: EXPERIMENTS.slice(0, 2),
    profile: 'quick',
    outDir,
    stepTimeoutMs: 5_000,
    lockWaitSeconds: 0,
    lockDir: join(dir, 'locks'),
    command: 'picogc run --firmware image.uf2',
    powerCycleTimeoutMs: 1_000,
    reconnectTimeoutMs: 1_000,
    progress: silentProgress,
    firmware: join(dir, 'image.uf2'),
    flash: () => Promise.reject(flashError),
  };
}

describe('runBoard, a board never reached', () => {
  it('a flash that fails: exit 3, and a run directory with the unreached report (stage flashing)', async () => {
    const out = join(dir, 'flash-failed');
    const outcome = await runBoard(
      board,
      options(out, new LinkError('no BOOTSEL drive appeared within 20 s')),
    );
    expect(outcome.exitCode).toBe(3);
    expect(outcome.report).toBeUndefined();
    expect(outcome.error).toBe('LinkError: no BOOTSEL drive appeared within 20 s');
    expect(outcome.runDir).toBeDefined();
    // The board's id before it answered: its USB serial, as the rp2 port's unique id reads.
    expect(readdirSync(out).sort()).toEqual([outcome.unreached!.runId, 'latest']);
    expect(outcome.unreached!.runId).toMatch(/^\d{8}T\d{6}Z-unreached-e6614103e7452d2f$/);
    const written = unreachedSchema.parse(
      JSON.parse(readFileSync(join(outcome.runDir!, 'report.json'), 'utf8')),
    );
    expect(written).toEqual(outcome.unreached);
    expect(written).toMatchObject({
      stage: 'flashing',
      error: { name: 'LinkError', message: 'no BOOTSEL drive appeared within 20 s' },
      target: {
        kind: 'serial',
        id: 'e6614103e7452d2f',
        label: board.port,
        port: board.port,
        usbSerial: 'E6614103E7452D2F',
        lockKey: lockKeyForTarget(board),
      },
      options: { profile: 'quick', experiments: ['alloc-sizes', 'pause-vs-live'], stepTimeoutMs: 5_000 },
      notRun: { experiments: ['alloc-sizes', 'pause-vs-live'] },
    });
    for (const view of ['index.html', 'summary.md', 'junit.xml'])
      expect(existsSync(join(outcome.runDir!, view))).toBe(true);
  });

  it('bad input (exit 2) is the user’s to fix, not a run: no run directory', async () => {
    const out = join(dir, 'bad-input');
    const outcome = await runBoard(board, options(out, new InputError('image.uf2 is not a UF2 file')));
    expect(outcome.error).toBe('InputError: image.uf2 is not a UF2 file');
    expect(outcome.runDir).toBeUndefined();
    expect(outcome.unreached).toBeUndefined();
    expect(existsSync(out)).toBe(false);
  });

  it('a busy board is no run: no run directory', async () => {
    const out = join(dir, 'busy');
    const lock = await acquireBoardLock(lockKeyForTarget(board)!, {
      dir: join(dir, 'locks'),
      info: { port: board.port, command: 'another picogc' },
    });
    try {
      const outcome = await runBoard(board, options(out, new LinkError('never flashed')));
      expect(outcome.exitCode).toBe(3);
      expect(outcome.error).toMatch(/^BoardBusyError: /);
      expect(outcome.runDir).toBeUndefined();
      expect(existsSync(out)).toBe(false);
    } finally {
      await lock.release();
    }
  });
});
