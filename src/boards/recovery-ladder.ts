import { sleep, systemClock, within, type Clock } from '../clock.ts';
import type { Device } from '../device/device.ts';
import type { ReplDevice } from '../device/repl-device.ts';
import { LinkError, PicogcError } from '../errors.ts';
import type { RecoveryRequest } from '../report/recovery-event.ts';
import { isInProcess, type DeviceTarget } from '../device/target.ts';
import { openTarget } from '../device/open.ts';
import { describePowerCycle, runPowerCycle } from './power-cycle.ts';
import { waitForBoard } from './wait-for-board.ts';

export interface LadderOptions {
  target: DeviceTarget;
  /** The board's `machine.unique_id()`: whoever answers after a power cycle must have it. */
  uniqueId?: string;
  /** `--power-cycle CMD`; without it the ladder ends after the soft reset. */
  powerCycle?: string;
  /** Deadline of the Ctrl-C and soft-reset rungs each. */
  rungTimeoutMs: number;
  /** Deadline of the power-cycle command. */
  powerCycleTimeoutMs: number;
  /** Deadline for the board to re-enumerate and answer again after the power cycle. */
  reconnectTimeoutMs: number;
  /** Replaceable in tests. */
  open?: (target: DeviceTarget, port?: string) => Promise<ReplDevice>;
  waitForBoard?: typeof waitForBoard;
  /** Times the rungs and keeps the ladder's own deadlines (the device keeps its own). */
  clock?: Clock;
}

const PROBE = 'print(6 * 7)';

/**
 * labgrid's "strategy" for a board that stopped answering: climb from the cheapest remedy to the
 * most drastic, stop at the first that brings back a board that runs code, and log every rung.
 *
 *   1. interrupt   Ctrl-C, re-enter the raw REPL, probe       (a runaway script)
 *   2. soft-reset  re-enter, Ctrl-D, probe                     (a wedged interpreter)
 *   3. power-cycle the user's hook, then                       (a hung chip, a dead USB stack)
 *      re-enumerate: wait for the same USB serial, or the same path,
 *      reconnect: open it, check its unique id, probe
 *   otherwise      give up: the board is marked failed and the run moves on to the other boards.
 *
 * A link that is gone (cable pulled, TCP dropped) skips the first two rungs: there is nobody to
 * send Ctrl-C to. A virtual Pico in this process has no power to cycle.
 */
export class RecoveryLadder {
  #device: ReplDevice;
  readonly #options: LadderOptions;

  constructor(device: ReplDevice, options: LadderOptions) {
    this.#device = device;
    this.#options = options;
  }

  /** The device the run uses now (a new one after a reconnect). */
  get device(): ReplDevice {
    return this.#device;
  }

  readonly recover = async (request: RecoveryRequest): Promise<Device | undefined> => {
    const o = this.#options;
    const clock = o.clock ?? systemClock;
    const linkGone = request.error instanceof LinkError && request.error.disconnected;
    for (const rung of ['interrupt', 'soft-reset'] as const) {
      if (linkGone) {
        request.record({ rung, ok: false, detail: 'not tried: the link is closed', ms: 0 });
        continue;
      }
      const started = clock.now();
      try {
        await this.#device.reenter({ softReset: rung === 'soft-reset', timeoutMs: o.rungTimeoutMs });
        await this.#probe(o.rungTimeoutMs);
        request.record({
          rung,
          ok: true,
          detail:
            rung === 'interrupt'
              ? 'the board answered after Ctrl-C'
              : 'the board answered after a soft reset',
          ms: clock.now() - started,
        });
        return this.#device;
      } catch (error) {
        request.record({ rung, ok: false, detail: describe(error), ms: clock.now() - started });
      }
    }

    if (isInProcess(o.target)) {
      const what = { sim: 'a virtual Pico', emu: 'an emulated RP2040', replay: 'a replayed recording' }[
        o.target.kind
      ];
      request.record({
        rung: 'give-up',
        ok: false,
        detail: `${what} in this process has no power to cycle: the board is marked failed`,
        ms: 0,
      });
      return undefined;
    }
    if (!o.powerCycle) {
      request.record({
        rung: 'give-up',
        ok: false,
        detail: 'no --power-cycle command: the board is marked failed',
        ms: 0,
      });
      return undefined;
    }

    // The old connection must let go of the port before the board comes back (an exclusive lock).
    await within(this.#device.close(), 2_000, () => new Error('not closed within 2 s'), clock).catch(
      () => undefined,
    );
    const { attachment } = this.#device;
    const hook = await runPowerCycle(
      o.powerCycle,
      { port: o.target.port, serial: o.target.kind === 'serial' ? (o.target.usbSerial ?? '') : '' },
      { timeoutMs: o.powerCycleTimeoutMs, clock },
    );
    request.record({ rung: 'power-cycle', ok: hook.ok, detail: describePowerCycle(hook), ms: hook.ms });
    if (!hook.ok) {
      request.record({ rung: 'give-up', ok: false, detail: 'the power-cycle command failed', ms: 0 });
      return undefined;
    }

    const deadline = clock.now() + o.reconnectTimeoutMs;
    const waited = clock.now();
    let port: string;
    try {
      port = await (o.waitForBoard ?? waitForBoard)(o.target, {
        timeoutMs: o.reconnectTimeoutMs,
        clock,
      });
      request.record({
        rung: 're-enumerate',
        ok: true,
        detail:
          port === attachment.description
            ? `back at ${port}`
            : `back at ${port} (was ${attachment.description})`,
        ms: clock.now() - waited,
      });
    } catch (error) {
      request.record({
        rung: 're-enumerate',
        ok: false,
        detail: describe(error),
        ms: clock.now() - waited,
      });
      request.record({ rung: 'give-up', ok: false, detail: 'the board did not come back', ms: 0 });
      return undefined;
    }

    const connecting = clock.now();
    const reconnected = await this.#reconnect(port, deadline, clock);
    if ('error' in reconnected) {
      request.record({
        rung: 'reconnect',
        ok: false,
        detail: `${reconnected.error} (${reconnected.attempts} attempts)`,
        ms: clock.now() - connecting,
      });
      request.record({ rung: 'give-up', ok: false, detail: 'the board could not be reached again', ms: 0 });
      return undefined;
    }
    this.#device = reconnected.device;
    request.record({
      rung: 'reconnect',
      ok: true,
      detail:
        `connected to ${port}` +
        (o.uniqueId ? `, unique id ${o.uniqueId} as before` : '') +
        ` (${reconnected.attempts} attempt${reconnected.attempts === 1 ? '' : 's'})`,
      ms: clock.now() - connecting,
    });
    return this.#device;
  };

  /** Open the board until it answers as itself or the deadline passes. */
  async #reconnect(
    port: string,
    deadline: number,
    clock: Clock,
  ): Promise<{ device: ReplDevice; attempts: number } | { error: string; attempts: number }> {
    const open =
      this.#options.open ??
      ((target: DeviceTarget, port?: string) =>
        openTarget(target, port === undefined ? {} : { port }).then((o) => o.device));
    let attempts = 0;
    let last = 'no attempt was made';
    for (;;) {
      attempts++;
      let device: ReplDevice | undefined;
      try {
        device = await open(this.#options.target, port);
        const info = await device.info();
        const expected = this.#options.uniqueId;
        if (expected && info.uniqueId !== expected) {
          // Another board answered at this port: never measure it under this board's name.
          await device.close().catch(() => undefined);
          return {
            error: `a different board answered at ${port} (unique id ${info.uniqueId ?? 'unknown'}, expected ${expected})`,
            attempts,
          };
        }
        const probe = await device.exec(PROBE, { timeoutMs: this.#options.rungTimeoutMs });
        if (probe.stdout.trim() !== '42')
          throw new LinkError(`the probe printed ${JSON.stringify(probe.stdout)}`);
        return { device, attempts };
      } catch (error) {
        last = describe(error);
        await device?.close().catch(() => undefined);
      }
      if (clock.now() >= deadline) return { error: last, attempts };
      await sleep(Math.min(500, Math.max(0, deadline - clock.now())), clock);
    }
  }

  async #probe(timeoutMs: number): Promise<void> {
    const { stdout } = await this.#device.exec(PROBE, { timeoutMs });
    if (stdout.trim() !== '42') {
      throw new LinkError(`the probe \`${PROBE}\` printed ${JSON.stringify(stdout)} instead of 42`);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof PicogcError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
