import { describe, expect, it } from 'vitest';
import { LinkError } from '../errors.ts';
import type { PortInfo } from '../link/discovery.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { waitForBoard } from './wait-for-board.ts';

/** A USB bus on which the board re-enumerates at `path` once `backAtMs` have passed on the clock. */
function bus(clock: ManualClock, backAtMs: number, path = '/dev/ttyACM1') {
  const looks: number[] = [];
  const listPorts = (): Promise<PortInfo[]> => {
    looks.push(clock.now());
    return Promise.resolve(
      clock.now() >= backAtMs ? [{ path, serialNumber: 'E661410403', isPico: true }] : [],
    );
  };
  return { looks, listPorts };
}

const target = { kind: 'serial', port: '/dev/ttyACM0', usbSerial: 'E661410403' } as const;

describe('waitForBoard', () => {
  it('polls on its clock until the board is back under its USB serial, at its new path', async () => {
    const clock = new ManualClock();
    const { looks, listPorts } = bus(clock, 600);
    const found = waitForBoard(target, { timeoutMs: 5_000, pollMs: 250, listPorts, clock });
    await clock.advanceAsync(750);
    expect(await found).toBe('/dev/ttyACM1');
    expect(looks).toEqual([0, 250, 500, 750]);
  });

  it('gives up at its deadline, after a last look, naming the board and the time', async () => {
    const clock = new ManualClock();
    const { looks, listPorts } = bus(clock, Infinity);
    const found = waitForBoard(target, { timeoutMs: 1_000, pollMs: 400, listPorts, clock });
    found.catch(() => undefined);
    await clock.advanceAsync(999);
    expect(looks).toEqual([0, 400, 800]);
    await clock.advanceAsync(1);
    const error = await found.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toBe(
      'the board (USB serial E661410403) did not come back within 1 s of the power cycle',
    );
    expect(looks).toEqual([0, 400, 800, 1_000]);
  });

  it('has nothing to wait for on a tcp:// export, and no power to cycle in this process', async () => {
    const options = { timeoutMs: 1_000, clock: new ManualClock() };
    expect(await waitForBoard({ kind: 'tcp', port: 'tcp://bench:4000' }, options)).toBe('tcp://bench:4000');
    await expect(waitForBoard({ kind: 'sim', seed: 1 }, options)).rejects.toThrow(/does not re-enumerate/);
  });
});
