import type { Duplex } from 'node:stream';
import type { Clock } from '../clock.ts';
import { duplexPair } from '../link/pair.ts';
import { PICO_HEAP_BYTES, type FlashedBuild } from './capabilities.ts';
import { withFaults, type FaultSpec } from './faults.ts';
import { ReplServer } from './repl-server.ts';
import type { ClockKind } from './vm-protocol.ts';

export interface VirtualPicoOptions {
  /** Bytes of the VM's first heap area; the default gives `GC: total: 245888`, a Pico's. */
  heapBytes?: number;
  /** Seeds `machine.unique_id()` and the fault injection. */
  seed?: number;
  faults?: FaultSpec[];
  /**
   * What times it: `work` (default), the VM's counted instructions as Pico time, deterministic and
   * read by ticks_us too; or `host`, the host clock around each closing collection (the package's
   * VM as shipped, ticks_us from Date.now()).
   */
  clock?: ClockKind;
  /** How long a Ctrl-C may take before the VM is replaced (state lost, counted in `resets`). */
  interruptGraceMs?: number;
  /** Notes about VM replacements and crashes, one line each. */
  log?: (line: string) => void;
  /** An image its bootloader took: `os.uname().version` reports that build (the VM stays the wasm one). */
  build?: FlashedBuild;
  /**
   * `machine.bootloader()` ran. Default: the link ends, as a board's USB serial disappears (an
   * in-process virtual Pico has no drive to present; `servePty` presents one and reboots).
   */
  onBootloader?: () => void;
  /** Keeps the Ctrl-C grace period and the injected faults' latency and stalls (not the VM's time). */
  timers?: Clock;
}

export const DEFAULT_INTERRUPT_GRACE_MS = 1000;

/**
 * A Raspberry Pi Pico without the hardware: the real MicroPython VM behind a server that speaks the
 * Pico's USB-serial REPL. `link` is the host's end of the serial line, with any faults applied, so
 * the host code under test is the code that talks to a board.
 */
export class VirtualPico {
  private constructor(
    readonly link: Duplex,
    private readonly server: ReplServer,
    private readonly deviceEnd: Duplex,
  ) {}

  static async start(options: VirtualPicoOptions = {}): Promise<VirtualPico> {
    const [hostEnd, deviceEnd] = duplexPair();
    const seed = options.seed ?? 0;
    const unplug = () => {
      deviceEnd.destroy();
      hostEnd.destroy();
    };
    const server = await ReplServer.start(deviceEnd, {
      heapBytes: options.heapBytes ?? PICO_HEAP_BYTES,
      seed,
      clock: options.clock ?? 'work',
      interruptGraceMs: options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS,
      ...(options.log ? { log: options.log } : {}),
      ...(options.build ? { build: options.build } : {}),
      onBootloader: options.onBootloader ?? unplug,
      ...(options.timers ? { timers: options.timers } : {}),
    });
    const faults = options.faults ?? [];
    const link = faults.length > 0 ? withFaults(hostEnd, faults, seed, options.timers) : hostEnd;
    return new VirtualPico(link, server, deviceEnd);
  }

  /** VM replacements the simulator had to make (a Ctrl-C it could not deliver, a crash). */
  get resets(): number {
    return this.server.resets;
  }

  /** Soft resets (Ctrl-D, SystemExit): a fresh VM, as on a Pico. */
  get softResets(): number {
    return this.server.softResets;
  }

  /** Stop the VM thread and end the link; no handles stay open. */
  async close(): Promise<void> {
    await this.server.close();
    this.link.destroy();
    this.deviceEnd.destroy();
  }
}
