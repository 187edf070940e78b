import { execFileSync } from 'node:child_process';
import type { Device, TimedCollection } from '../../src/device/device.ts';
import { openDevice } from '../../src/device/open.ts';

/** A fall of the fastest reference pause by more than this factor starts a new epoch; less is drift. */
const YARDSTICK_DROP = 1.2;

export interface GateOptions {
  /** A collection counts when the reference's pauses around it are within ×this of its fastest (1.5). */
  tolerance?: number;
  /** After this long without a collection let through, the host's current speed becomes the yardstick (30 s). */
  rebaseAfterMs?: number;
  /** How long the first yardstick must hold (2 s). */
  holdMs?: number;
}

/**
 * Host-timed collections taken only while the host runs at its usual speed, for tests that pool
 * virtual-Pico pauses made at different times and must not pool two speeds of the host.
 *
 * Why: on a shared host (the 2-vCPU VM this was written on) a virtual Pico's collection of 1000 live
 * bytearray(48) takes about 95 µs in some spells and 170–250 µs in others; the spells last 1–10 s,
 * come at any time and on either CPU, and slow every VM of the process at once. A pool that mixes
 * the two speeds is bimodal, and nights resampled from it have medians that jump ×2 between nights:
 * host steps the detection rightly reports, in a test about other steps.
 *
 * How: a reference virtual Pico, holding the same 1000 bytearray(48), is timed just before and just
 * after each collection the gate lets through; the collection counts only when both reference
 * pauses are within ×`tolerance` of the fastest the reference has shown; otherwise the gate probes
 * again until they are, and collects anew. Measured here (two virtual Picos alternating for 20 s):
 * of the collections such probes let through, 1 in 14 was still slow (a spell began or ended
 * between the probes), too few to move a median of 12.
 *
 * The fastest reference pause is the gate's yardstick. When it falls by more than ×1.2 (the gate
 * started in a slow spell), or the host stays slow for `rebaseAfterMs` (it became slower for good),
 * the gate starts a new `epoch` on a new yardstick: collections of different epochs were judged by
 * different yardsticks and must not be pooled.
 */
export class HostGate {
  #fastest = Number.POSITIVE_INFINITY;
  /** The yardstick when this epoch began. */
  #epochFastest = Number.POSITIVE_INFINITY;
  #epoch = 0;
  #passedInEpoch = 0;
  passed = 0;
  turnedAway = 0;

  #unpin: () => void = () => undefined;

  private constructor(
    private readonly reference: Device,
    private readonly tolerance: number,
    private readonly rebaseAfterMs: number,
  ) {}

  /**
   * A gate on a new reference virtual Pico holding 1000 live bytearray(48), with every thread of
   * this process (the VM threads started later too) on one CPU until `close`: one vCPU of a VM can
   * run slow while the other runs fast, and a reference on one cannot speak for a board on the other.
   */
  static async open(options: GateOptions = {}): Promise<HostGate> {
    const unpin = pinToOneCpu();
    try {
      const reference = await openDevice({ device: 'sim', seed: 9001 }, () => undefined);
      await reference.exec('live = [bytearray(48) for _ in range(1000)]');
      const gate = await HostGate.around(reference, options);
      gate.#unpin = unpin;
      return gate;
    } catch (error) {
      unpin();
      throw error;
    }
  }

  /**
   * A gate judging the host by `reference`'s timed collections. The first yardstick: probe until
   * the fastest pause has held (within 5%) for `holdMs`, which outlasts the VM's own warm-up and
   * usually meets a fast moment of the host; at most five times that. Probes run back to back: a
   * collection after an idle moment is slower (cold caches), and the gated ones never follow one.
   */
  static async around(reference: Device, options: GateOptions = {}): Promise<HostGate> {
    const gate = new HostGate(reference, options.tolerance ?? 1.5, options.rebaseAfterMs ?? 30_000);
    const holdMs = options.holdMs ?? 2_000;
    const start = Date.now();
    let held = { us: Number.POSITIVE_INFINITY, since: start };
    while (Date.now() - held.since < holdMs && Date.now() - start < 5 * holdMs) {
      const us = await gate.#probe();
      if (us < held.us * 0.95) held = { us, since: Date.now() };
    }
    return gate;
  }

  /** Changes whenever the yardstick did (see the class comment). */
  get epoch(): number {
    return this.#epoch;
  }

  /** The fastest reference pause seen, µs. */
  get fastestUs(): number {
    return this.#fastest;
  }

  /**
   * `device` itself, its timed collections now gated (the instance is patched, so that a board
   * opened by picogc's own code can be gated: gate each device once); other calls are untouched.
   */
  gated<D extends Device>(device: D): D {
    const collect = device.timedCollect.bind(device);
    device.timedCollect = (options) => this.#time(() => collect(options));
    return device;
  }

  async close(): Promise<void> {
    await this.reference.close();
    this.#unpin();
  }

  async #time(collect: () => Promise<TimedCollection>): Promise<TimedCollection> {
    let slowSince = Date.now();
    for (;;) {
      const before = await this.#probe();
      if (this.#fast(before)) {
        const result = await collect();
        const after = await this.#probe();
        if (this.#fast(after)) {
          this.passed++;
          this.#passedInEpoch++;
          return result;
        }
      }
      this.turnedAway++;
      if (Date.now() - slowSince > this.rebaseAfterMs) {
        this.#rebase(before);
        slowSince = Date.now();
      }
    }
  }

  async #probe(): Promise<number> {
    const { us } = await this.reference.timedCollect();
    if (us * YARDSTICK_DROP < this.#epochFastest) this.#rebase(us);
    this.#fastest = Math.min(this.#fastest, us);
    return us;
  }

  #fast(us: number): boolean {
    return us <= this.#fastest * this.tolerance;
  }

  #rebase(fastest: number): void {
    this.#fastest = fastest;
    this.#epochFastest = fastest;
    // Only a yardstick that judged a collection makes the epoch; a new one before that is calibration.
    if (this.#passedInEpoch > 0) this.#epoch++;
    this.#passedInEpoch = 0;
  }
}

/** Every thread of this process onto the first CPU it may use; returns the undo (no-op without taskset). */
function pinToOneCpu(): () => void {
  const pid = String(process.pid);
  const taskset = (...args: string[]) => execFileSync('taskset', [...args, pid], { encoding: 'utf8' });
  let cpus: string;
  try {
    cpus = /list:\s*(\S+)/.exec(taskset('-c', '-p'))?.[1] ?? '';
  } catch {
    return () => undefined;
  }
  const first = /^\d+/.exec(cpus)?.[0];
  if (!first || first === cpus) return () => undefined;
  taskset('-a', '-c', '-p', first);
  return () => taskset('-a', '-c', '-p', cpus);
}
