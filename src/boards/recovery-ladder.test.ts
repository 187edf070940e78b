import { afterEach, describe, expect, it } from 'vitest';
import { openDevice } from '../device/open.ts';
import { ReplDevice } from '../device/repl-device.ts';
import { LinkError } from '../errors.ts';
import type { RecoveryEvent, RecoveryRequest } from '../report/recovery-event.ts';
import { VirtualPico } from '../sim/virtual-pico.ts';
import type { DeviceTarget } from '../device/target.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { RecoveryLadder, type LadderOptions } from './recovery-ladder.ts';
import { waitForBoard } from './wait-for-board.ts';

/**
 * The ladder on real virtual Picos in this process; only the USB side (where the board re-enumerates,
 * how it is opened) is stood in for, since no USB bus exists here. The power-cycle hook is a real
 * shell command. The end-to-end version, with a real `picogc sim --pty` restarted by the hook, is in
 * test/nightly/recovery.test.ts.
 */
const devices: ReplDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) await device.close().catch(() => undefined);
});

async function sim(seed: number, faults: string[] = []): Promise<ReplDevice> {
  const device = await openDevice({ device: 'sim', seed, faults });
  devices.push(device);
  return device;
}

/** Bytes a virtual Pico of this seed sends while connecting and answering info(). */
async function bytesToInfo(seed: number): Promise<number> {
  const pico = await VirtualPico.start({ seed });
  let bytes = 0;
  pico.link.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const device = await ReplDevice.connect(
    { stream: pico.link, description: 'counting', close: () => pico.close() },
    'sim',
  );
  await device.info();
  await device.close();
  return bytes;
}

/**
 * info() carries the virtual Pico's calibration in ns, whose digit count varies with the host's load:
 * a few bytes of slack keep the hang after info(), and are far too few for any rung to get an answer.
 */
const INFO_SLACK_BYTES = 4;

/** A virtual Pico that answers up to the end of info(), then never again (fault `hang@BYTES`). */
async function hungSim(seed = 3): Promise<ReplDevice> {
  const device = await sim(seed, [`hang@${(await bytesToInfo(seed)) + INFO_SLACK_BYTES}`]);
  await device.info();
  return device;
}

function request(error: unknown = new LinkError('silent after Ctrl-C')) {
  const events: Omit<RecoveryEvent, 'at' | 'experiment'>[] = [];
  const req: RecoveryRequest = { experiment: 'pause-vs-live', error, record: (e) => events.push(e) };
  return { req, events, rungs: () => events.map((e) => `${e.rung}:${e.ok ? 'ok' : 'failed'}`) };
}

const usbBoard: DeviceTarget = { kind: 'serial', port: '/dev/ttyACM0', usbSerial: 'E661410403' };

function ladder(device: ReplDevice, options: Partial<LadderOptions> = {}) {
  return new RecoveryLadder(device, {
    target: usbBoard,
    rungTimeoutMs: 600,
    powerCycleTimeoutMs: 5_000,
    reconnectTimeoutMs: 5_000,
    ...options,
  });
}

describe('RecoveryLadder', () => {
  it('stops at the first rung when Ctrl-C brings the board back', async () => {
    const device = await sim(3);
    const r = request();
    expect(await ladder(device).recover(r.req)).toBe(device);
    expect(r.rungs()).toEqual(['interrupt:ok']);
  });

  it('without a hook: Ctrl-C, soft reset, then gives up and says why', async () => {
    const r = request();
    expect(await ladder(await hungSim()).recover(r.req)).toBeUndefined();
    expect(r.rungs()).toEqual(['interrupt:failed', 'soft-reset:failed', 'give-up:failed']);
    expect(r.events.at(-1)!.detail).toMatch(/no --power-cycle command/);
  });

  it('power-cycles, finds the board by its USB serial on a new path, checks its unique id, reconnects', async () => {
    const hung = await hungSim(3);
    const opened: (string | undefined)[] = [];
    const waited: DeviceTarget[] = [];
    const l = ladder(hung, {
      uniqueId: (await hung.info()).uniqueId!,
      powerCycle: 'echo cycling {serial}',
      waitForBoard: (target) => {
        waited.push(target);
        return Promise.resolve('/dev/ttyACM1');
      },
      open: async (_target, port) => {
        opened.push(port);
        return sim(3); // the same seed: the same board, back from its power cycle
      },
    });
    const r = request();
    const back = await l.recover(r.req);
    expect(back).toBeDefined();
    expect(back).not.toBe(hung);
    expect(l.device).toBe(back);
    expect(r.rungs()).toEqual([
      'interrupt:failed',
      'soft-reset:failed',
      'power-cycle:ok',
      're-enumerate:ok',
      'reconnect:ok',
    ]);
    expect(r.events[2]!.detail).toMatch(/`echo cycling 'E661410403'` exited 0 .*output: cycling E661410403/);
    expect(r.events[3]!.detail).toBe('back at /dev/ttyACM1 (was virtual Pico (in-process, seed 3))');
    expect(waited).toEqual([usbBoard]);
    expect(opened).toEqual(['/dev/ttyACM1']);
    expect((await back!.exec('print(2 + 2)')).stdout.trim()).toBe('4');
  });

  it('never measures a different board that answers at the port', async () => {
    const hung = await hungSim(3);
    const l = ladder(hung, {
      uniqueId: (await hung.info()).uniqueId!,
      powerCycle: 'true',
      waitForBoard: () => Promise.resolve('/dev/ttyACM0'),
      open: () => sim(99),
    });
    const r = request();
    expect(await l.recover(r.req)).toBeUndefined();
    expect(r.rungs().slice(-2)).toEqual(['reconnect:failed', 'give-up:failed']);
    expect(r.events.at(-2)!.detail).toMatch(
      /a different board answered at \/dev\/ttyACM0 \(unique id \w+, expected \w+\)/,
    );
  });

  it('keeps one deadline on its clock across re-enumeration and reconnect attempts, then gives up', async () => {
    const clock = new ManualClock();
    let waiting: () => void;
    const waitingStarted = new Promise<void>((resolve) => (waiting = resolve));
    let since = 0;
    const l = ladder(await sim(3), {
      clock,
      powerCycle: 'true',
      reconnectTimeoutMs: 5_000,
      // The real wait, on a bus where the board is back 1.1 s after the power cycle.
      waitForBoard: (target, options) => {
        since = clock.now();
        waiting();
        return waitForBoard(target, {
          ...options,
          listPorts: () =>
            Promise.resolve(
              clock.now() - since >= 1_100
                ? [{ path: '/dev/ttyACM1', serialNumber: 'E661410403', isPico: true }]
                : [],
            ),
        });
      },
      open: () => Promise.reject(new LinkError('port busy')),
    });
    const r = request(new LinkError('the link closed', { disconnected: true }));
    const recovering = l.recover(r.req);
    await waitingStarted; // the hook ran for real; from here on the ladder waits on its clock
    await clock.advanceAsync(5_000);
    expect(await recovering).toBeUndefined();
    expect(r.rungs().slice(2)).toEqual([
      'power-cycle:ok',
      're-enumerate:ok',
      'reconnect:failed',
      'give-up:failed',
    ]);
    // Back at the first poll after 1.1 s; then an attempt every 500 ms, the last one at the deadline.
    expect(r.events[3]!.ms).toBe(1_250);
    expect(r.events[4]!).toMatchObject({ detail: 'LinkError: port busy (9 attempts)', ms: 3_750 });
  });

  it('gives up when the hook fails, and skips Ctrl-C and soft reset on a closed link', async () => {
    const r = request(new LinkError('the link closed', { disconnected: true }));
    const l = ladder(await sim(3), { powerCycle: 'echo no relay >&2; exit 2' });
    expect(await l.recover(r.req)).toBeUndefined();
    expect(r.rungs()).toEqual([
      'interrupt:failed',
      'soft-reset:failed',
      'power-cycle:failed',
      'give-up:failed',
    ]);
    expect(r.events[0]!.detail).toBe('not tried: the link is closed');
    expect(r.events[2]!.detail).toMatch(/exited 2 .*no relay/);
  });

  it('has no power to cycle for a virtual Pico in this process', async () => {
    const r = request();
    const l = ladder(await hungSim(), { target: { kind: 'sim', seed: 3 }, powerCycle: 'true' });
    expect(await l.recover(r.req)).toBeUndefined();
    expect(r.events.at(-1)?.rung).toBe('give-up');
    expect(r.events.at(-1)?.detail).toMatch(/no power to cycle/);
  });
});
