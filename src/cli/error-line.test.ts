import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { BoardOutcome } from '../boards/board-run.ts';
import { DeviceException, LinkError } from '../errors.ts';
import { writeUnreachedRun } from '../run/unreached-run.ts';
import { failedBoard } from './error-line.ts';

const dir = mkdtempSync(join(tmpdir(), 'picogc-error-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stderrOf(action: () => unknown): { text: string; result: unknown } {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    return { result: action(), text: lines.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('failedBoard: the one board of a command could not be used', () => {
  it('never reached: its error as every error is shown, where its report is, and exit 3 whatever the error', () => {
    // A device that raised while it was asked who it is: a device failure, so 3, not a DeviceException's 1.
    const cause = new DeviceException('ImportError', "no module named 'gc'", '');
    const { unreached, runDir } = writeUnreachedRun({
      outDir: dir,
      target: { kind: 'sim', id: 'virtual_Pico_seed_4', label: 'virtual Pico seed 4', seed: 4 },
      stage: 'identifying',
      error: cause,
      options: { profile: 'quick', experiments: ['threshold'] },
      startedAt: new Date(),
    });
    const outcome: BoardOutcome = {
      target: { kind: 'sim', seed: 4 },
      label: 'virtual Pico seed 4',
      exitCode: 3,
      error: `DeviceException: ${cause.message}`,
      cause,
      runDir,
      unreached,
    };
    const { result, text } = stderrOf(() => failedBoard(outcome, false));
    expect(result).toBe(3);
    expect(text).toBe(
      `picogc: DeviceException: ImportError: no module named 'gc'\n` +
        `picogc: the board was never reached (identifying); its report: ${join(runDir, 'report.json')}\n`,
    );
  });

  it('a board with no run directory (busy): its error is thrown, as before', () => {
    const cause = new LinkError('board is busy');
    const outcome: BoardOutcome = {
      target: { kind: 'tcp', port: 'tcp://127.0.0.1:4000' },
      label: 'tcp://127.0.0.1:4000',
      exitCode: 3,
      error: 'LinkError: board is busy',
      cause,
    };
    expect(() => failedBoard(outcome, false)).toThrow(cause);
  });
});
