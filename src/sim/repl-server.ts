import type { Duplex } from 'node:stream';
import { systemClock, type Clock, type ClockTimer } from '../clock.ts';
import {
  FLASHED_OS_BOOT,
  PICOGC_SIM_SOURCE,
  capabilities,
  flashedOsSource,
  machineSource,
  type FlashedBuild,
} from './capabilities.ts';
import { ReplInput } from './repl-input.ts';
import { SurfaceLoader, surfaceLibFiles } from './surface.ts';
import {
  BYTE,
  MPY_SOFT_REBOOT,
  RAW_PASTE_END,
  RAW_PASTE_GRANT,
  RAW_PASTE_WINDOW,
  TEXT,
  rawErrorFrame,
  rawPasteAccept,
} from '../protocol/raw-repl-vocabulary.ts';
import { CrlfCooker, rewriteBanner } from './repl-text.ts';
import { MicroPythonVm } from './vm.ts';
import { instrumentedVm } from './instrumented-vm-cache.ts';
import { usPerCount, workClockCalibration } from './work-clock.ts';
import {
  PICO_GC_DEFAULTS,
  type BootConfig,
  type ClockConfig,
  type ClockKind,
  type Fed,
  type GcCarryOver,
  type ReplMode,
} from './vm-protocol.ts';

export interface ReplServerOptions {
  heapBytes: number;
  seed: number;
  clock: ClockKind;
  /** How long a Ctrl-C may take before the VM is replaced. */
  interruptGraceMs: number;
  /** One line per event worth a note (VM replaced, VM crashed). */
  log?: (line: string) => void;
  /** An image the bootloader took earlier: `os.uname().version` reports its build. */
  build?: FlashedBuild;
  /** `machine.bootloader()` ran: the server has gone quiet for good; the owner presents the drive. */
  onBootloader?: () => void;
  /** Keeps the Ctrl-C grace period (not the VM's time: that is `clock`). */
  timers?: Clock;
}

/** Executions timed at each boot to calibrate the closing-collection measurement. */
const CALIBRATION_RUNS = 31;

const { CTRL_A, CTRL_B, CTRL_C, CTRL_D } = BYTE;
/** Raw-paste acceptance with a Pico's window. */
const RAW_PASTE_ACCEPT = rawPasteAccept(RAW_PASTE_WINDOW);

type Phase = 'idle' | 'feeding' | 'paste' | 'rebooting' | 'dead' | 'bootloader' | 'closed';

interface PendingInterrupt {
  seq: number;
  /** Input position of the Ctrl-C, so a delivered interrupt drops exactly what a Pico drops. */
  position: number;
  timer: ClockTimer;
}

/**
 * A Raspberry Pi Pico's USB-serial REPL, byte for byte, in front of the real MicroPython VM.
 *
 * The VM's own event-driven REPL executes everything it can (friendly and raw mode, `OK`, frames,
 * tracebacks, mem_info); the server adds what a Pico does and the wasm REPL cannot: raw-paste,
 * Ctrl-C of running code, soft reset to a fresh VM with `gc.threshold` kept, the Pico's CRLF
 * cooking, and a banner that says what this is.
 */
export class ReplServer {
  private vm!: MicroPythonVm;
  private readonly input = new ReplInput();
  /** Which Python parts of a Pico's surface the VM has imported (surface.ts). */
  private readonly surface = new SurfaceLoader();
  private readonly cooker = new CrlfCooker();
  private phase: Phase = 'rebooting';
  private gc: GcCarryOver = PICO_GC_DEFAULTS;
  private seq = 0;
  private running = false;
  private interrupt: PendingInterrupt | undefined;
  private stuck: (() => void) | undefined;
  private paste: { source: number[]; sinceAck: number } | undefined;
  /** Leading `OK` of a raw-paste execution still to be removed (a Pico sends none there). */
  private dropOk = 0;
  /** Output held back until a Ctrl-B's banner is complete, to rename the machine. */
  private held: Buffer[] | undefined;
  /** Last bytes the VM printed, to see whether a friendly Ctrl-A entered raw mode. */
  private recent = '';
  private forcedResets = 0;
  private softResetCount = 0;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly timers: Clock;

  private constructor(
    private readonly port: Duplex,
    private readonly options: ReplServerOptions,
    private readonly clock: ClockConfig,
  ) {
    this.timers = options.timers ?? systemClock;
  }

  /** Boot a VM, print the friendly banner on `port`, and serve until `close()`. */
  static async start(port: Duplex, options: ReplServerOptions): Promise<ReplServer> {
    const server = new ReplServer(port, options, await clockConfig(options));
    await server.replaceVm();
    server.surface.reset();
    const booted = await server.vm.boot(server.bootConfig('friendly')).catch(async (error: unknown) => {
      await server.vm.terminate();
      throw error;
    });
    // At power-up a Pico prints its banner without the leading CRLF of a Ctrl-B.
    server.write(
      Buffer.from(
        rewriteBanner(Buffer.from(booted.output).toString('latin1').replace(/^\r\n/, '')),
        'latin1',
      ),
    );
    server.input.lineCleared();
    server.phase = 'idle';
    port.on('data', server.onData);
    server.pump();
    return server;
  }

  /** VM replacements forced by the simulator (state lost where a Pico would have kept it). */
  get resets(): number {
    return this.forcedResets;
  }

  get softResets(): number {
    return this.softResetCount;
  }

  /** (A getter, so TypeScript does not narrow `phase` across awaits.) */
  private get closed(): boolean {
    return this.phase === 'closed';
  }

  get mode(): ReplMode {
    return this.input.mode;
  }

  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.port.off('data', this.onData);
    if (this.interrupt) this.timers.clearTimeout(this.interrupt.timer);
    this.stuck?.();
    await this.vm.terminate();
  }

  private bootConfig(mode: ReplMode): BootConfig {
    const { heapBytes, seed, interruptGraceMs, build } = this.options;
    return {
      heapBytes,
      mode,
      gc: this.gc,
      clock: this.clock,
      machineSource: machineSource(seed),
      capabilities: capabilities({
        heapBytes,
        seed,
        interruptGraceMs,
        clock: this.clock.kind,
        ...(build ? { build } : {}),
      }),
      calibrationRuns: CALIBRATION_RUNS,
      resets: this.forcedResets,
      libFiles: {
        ...surfaceLibFiles(),
        'picogc_sim.py': PICOGC_SIM_SOURCE,
        ...(build ? { 'picogc_os.py': flashedOsSource(build) } : {}),
      },
      ...(build ? { bootSource: FLASHED_OS_BOOT } : {}),
    };
  }

  /** Retire the VM thread (it may be spinning: stop it first, so the new one gets a core), start another. */
  private async replaceVm(): Promise<void> {
    const old = this.vm as MicroPythonVm | undefined;
    await old?.terminate();
    this.vm = MicroPythonVm.start((chunk) => this.fromVm(chunk));
    const vm = this.vm;
    vm.onFailure((error) => {
      if (this.vm !== vm || this.phase === 'closed') return;
      this.options.log?.(`virtual Pico: ${error.message}; the device hangs until Ctrl-C`);
      if (this.phase !== 'feeding') this.phase = 'dead';
    });
    vm.onStdinWanted(() => {
      if (this.vm === vm) this.supplyStdin();
    });
  }

  private receive(chunk: Buffer): void {
    // In the boot ROM nothing listens on the REPL's serial port any more.
    if (this.phase === 'closed' || this.phase === 'bootloader') return;
    for (const byte of chunk) {
      if (byte === CTRL_C && this.phase === 'feeding' && !this.interrupt) {
        const position = this.input.pushedTotal;
        this.input.push(byte);
        this.startInterrupt(position);
      } else {
        this.input.push(byte);
      }
    }
    this.supplyStdin();
    this.pump();
  }

  /**
   * A running script's stdin. On a Pico every byte that arrives while code runs goes to its stdin
   * ring, which the script's reads and then the REPL consume. Here the queue is the REPL's input,
   * and bytes are moved to the VM only as a blocked read asks for them (what it did not read comes
   * back when the execution ends). Nothing moves while a Ctrl-C is pending: if delivered, it drops
   * what came before it, as a Pico clears its ring.
   */
  private supplyStdin(): void {
    if (this.phase !== 'feeding') return;
    const available = this.interrupt ? 0 : this.input.pending;
    const count = Math.min(this.vm.stdinWanted, available, this.vm.stdinRoom);
    if (count > 0) {
      const bytes = Buffer.allocUnsafe(count);
      for (let i = 0; i < count; i++) bytes[i] = this.input.shift()!;
      this.vm.writeStdin(bytes);
    }
    this.vm.stdinPending = this.interrupt ? 0 : this.input.pending;
  }

  /** Import what the next input names of the Python parts of a Pico's surface (surface.ts). */
  private async loadSurface(bytes: Uint8Array): Promise<void> {
    const modules = this.surface.needed(bytes);
    if (modules.length === 0) return;
    try {
      await this.vm.load(modules);
    } catch (error) {
      this.options.log?.(`virtual Pico: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private pump(): void {
    if (this.running || this.phase === 'closed') return;
    this.running = true;
    this.serve()
      .catch((error: unknown) => {
        this.options.log?.(`virtual Pico: ${error instanceof Error ? error.message : String(error)}`);
        if (this.phase !== 'closed') this.phase = 'dead';
      })
      .finally(() => {
        this.running = false;
        // Input that arrived while serve() was finishing.
        if (this.input.pending > 0) this.pump();
      });
  }

  private async serve(): Promise<void> {
    while (this.input.pending > 0) {
      switch (this.phase) {
        case 'paste':
          if (!(await this.receivePaste())) return;
          break;
        case 'dead':
          await this.serveDead();
          break;
        case 'idle': {
          const cut = this.input.next();
          if (cut.kind === 'wait') return;
          if (cut.kind === 'raw-paste') {
            this.write(RAW_PASTE_ACCEPT);
            this.paste = { source: [], sinceAck: 0 };
            this.phase = 'paste';
            break;
          }
          await this.loadSurface(cut.bytes);
          await this.run(cut.bytes, cut.last);
          break;
        }
        default:
          return;
      }
    }
  }

  /** Feed one cut of input to the VM and act on how it ended. */
  private async run(bytes: Buffer, last: number): Promise<void> {
    const seq = ++this.seq;
    // A friendly Ctrl-A enters raw mode only on an empty line; the VM's answer tells which.
    const mayEnterRaw = this.input.mode === 'friendly' && last === CTRL_A;
    if (last === CTRL_B) this.held = [];
    this.recent = '';
    this.phase = 'feeding';
    this.supplyStdin();
    const fed = this.vm.feed(seq, bytes);
    fed.catch(() => undefined); // settled below, or abandoned when the VM is replaced
    const stuck = new Promise<'stuck'>((resolve) => (this.stuck = () => resolve('stuck')));
    let outcome: Fed | 'stuck';
    try {
      outcome = await Promise.race([fed, stuck]);
    } catch {
      // The VM thread failed (its failure listener logged why) or close() terminated it.
      this.settleInterrupt(false);
      this.held = undefined;
      if (!this.closed) this.phase = 'dead';
      return;
    } finally {
      this.stuck = undefined;
    }
    if (this.closed) return;
    if (outcome === 'stuck') {
      await this.replaceStuckVm();
      return;
    }
    if (outcome.bootloader) {
      this.enterBootloader();
      return;
    }
    // What the script was given and did not read is the REPL's again.
    const unread = this.vm.takeBackStdin();
    if (unread.length > 0) this.input.unshift(unread);
    this.vm.stdinPending = 0;
    this.settleInterrupt(outcome.interrupted);
    this.flushHeld();
    if (mayEnterRaw && this.recent.endsWith(TEXT.RAW_BANNER_PROMPT)) {
      this.input.mode = 'raw';
      this.input.lineCleared();
    }
    if (outcome.exitCode !== 0) {
      await this.softReboot();
      return;
    }
    this.phase = 'idle';
  }

  /** The VM's output after `machine.bootloader()` was dropped in its thread; drop the input too. */
  private enterBootloader(): void {
    this.settleInterrupt(false);
    this.held = undefined;
    this.phase = 'bootloader';
    while (this.input.shift() !== undefined) {
      // discarded: the board is gone from the REPL
    }
    this.options.log?.('virtual Pico: machine.bootloader(); the REPL is gone until an image is loaded');
    this.options.onBootloader?.();
  }

  private startInterrupt(position: number): void {
    const seq = this.seq;
    const grace = this.options.interruptGraceMs;
    const timer = this.timers.setTimeout(() => {
      if (this.interrupt?.seq === seq) this.stuck?.();
    }, grace);
    this.interrupt = { seq, position, timer };
    const stillBusy = () => this.phase === 'feeding' && this.seq === seq;
    // The VM thread's attempts keep to the system clock (vm.ts sets their deadline on it).
    const vm = this.vm;
    void vm.interrupt(seq, systemClock.now() + grace, stillBusy).then((outcome) => {
      if (this.vm !== vm || this.interrupt?.seq !== seq || this.interrupt.position !== position) return;
      // A script blocked on stdin takes the KeyboardInterrupt as its read returns: wake it now.
      if (outcome === 'delivered') vm.wakeStdin();
      // The script reads stdin with the interrupt char off (micropython.kbd_intr(-1)): on a Pico
      // this Ctrl-C is then an ordinary byte in its stdin ring.
      if (outcome === 'ordinary') {
        this.settleInterrupt(false);
        this.supplyStdin();
      }
    });
  }

  /**
   * A delivered Ctrl-C cleared what was queued before it, as a Pico clears its stdin ring; one that
   * found no running code stays in the input as an ordinary byte.
   */
  private settleInterrupt(delivered: boolean): void {
    const interrupt = this.interrupt;
    if (!interrupt) return;
    this.timers.clearTimeout(interrupt.timer);
    this.interrupt = undefined;
    if (delivered) this.input.dropThrough(interrupt.position);
  }

  /** The VM ignored Ctrl-C for the whole grace period: replace it, answer as a Pico would. */
  private async replaceStuckVm(): Promise<void> {
    const interrupt = this.interrupt;
    if (interrupt) {
      this.timers.clearTimeout(interrupt.timer);
      this.interrupt = undefined;
      this.input.dropThrough(interrupt.position);
    }
    this.options.log?.(
      `virtual Pico: Ctrl-C not taken within ${this.options.interruptGraceMs} ms; VM replaced, its state is lost`,
    );
    await this.rebootAfterLoss();
  }

  /** A hung (crashed) device answers nothing until Ctrl-C, which brings a fresh VM. */
  private async serveDead(): Promise<void> {
    for (let byte = this.input.shift(); byte !== undefined; byte = this.input.shift()) {
      if (byte === CTRL_C) {
        this.options.log?.('virtual Pico: Ctrl-C on a crashed VM; VM replaced');
        this.phase = 'rebooting';
        await this.rebootAfterLoss();
        return;
      }
    }
  }

  private async rebootAfterLoss(): Promise<void> {
    this.phase = 'rebooting';
    this.held = undefined;
    this.dropOk = 0;
    this.forcedResets++;
    await this.replaceVm();
    this.surface.reset();
    const mode = this.input.mode;
    await this.vm.boot(this.bootConfig(mode));
    this.input.lineCleared();
    // The line that was running is unknown: a KeyboardInterrupt without traceback lines.
    this.write(
      mode === 'raw'
        ? rawErrorFrame(TEXT.KEYBOARD_INTERRUPT)
        : Buffer.from(`${TEXT.KEYBOARD_INTERRUPT}${TEXT.FRIENDLY_PROMPT}`, 'latin1'),
    );
    this.phase = 'idle';
  }

  /** Ctrl-D on an empty line or SystemExit: `MPY: soft reboot`, then a fresh VM in the same mode. */
  private async softReboot(): Promise<void> {
    this.phase = 'rebooting';
    try {
      this.gc = await this.vm.gcCarryOver();
    } catch {
      // keep the last known values
    }
    this.write(MPY_SOFT_REBOOT);
    this.surface.reset();
    const mode = this.input.mode;
    const booted = await this.vm.boot(this.bootConfig(mode));
    let text = Buffer.from(booted.output).toString('latin1');
    if (mode === 'friendly') text = rewriteBanner(text.replace(/^\r\n/, ''));
    this.write(Buffer.from(text, 'latin1'));
    this.input.lineCleared();
    this.softResetCount++;
    this.phase = 'idle';
  }

  /** Raw-paste data: acknowledge each window as it arrives; Ctrl-D ends it, Ctrl-C aborts it. */
  private async receivePaste(): Promise<boolean> {
    const paste = this.paste!;
    for (let byte = this.input.shift(); byte !== undefined; byte = this.input.shift()) {
      if (byte === CTRL_D) {
        this.write(RAW_PASTE_END);
        this.paste = undefined;
        this.phase = 'idle';
        await this.executePaste(paste.source);
        return true;
      }
      if (byte === CTRL_C) {
        this.write(RAW_PASTE_END);
        this.write(rawErrorFrame(TEXT.KEYBOARD_INTERRUPT));
        this.paste = undefined;
        this.phase = 'idle';
        return true;
      }
      paste.source.push(byte);
      if (++paste.sinceAck === RAW_PASTE_WINDOW) {
        paste.sinceAck = 0;
        this.write(RAW_PASTE_GRANT);
      }
    }
    return false;
  }

  /** Run pasted source through the VM's classic raw REPL and pass on its frame without the `OK`. */
  private async executePaste(source: number[]): Promise<void> {
    if (source.some((byte) => byte === CTRL_A || byte === CTRL_B)) {
      this.write(
        rawErrorFrame(
          'ValueError: picogc virtual Pico: raw-paste source with bytes 0x01/0x02 cannot reach its VM\r\n',
        ),
      );
      return;
    }
    // An empty source would be an empty raw line, which the VM takes as a soft reset.
    const bytes = Buffer.from(source.length > 0 ? [...source, CTRL_D] : [0x0a, CTRL_D]);
    await this.loadSurface(bytes);
    this.dropOk = 2;
    await this.run(bytes, CTRL_D);
    this.dropOk = 0;
  }

  private fromVm(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.recent = (this.recent + chunk.toString('latin1')).slice(-64);
    let data = chunk;
    while (this.dropOk > 0 && data.length > 0) {
      // The VM's classic raw REPL acknowledges with `OK`; raw-paste has no OK.
      data = data.subarray(1);
      this.dropOk--;
    }
    if (data.length === 0) return;
    if (this.held) this.held.push(data);
    else this.write(this.cooker.cook(data));
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = undefined;
    if (!held || held.length === 0) return;
    const text = rewriteBanner(Buffer.concat(held).toString('latin1'));
    this.write(this.cooker.cook(Buffer.from(text, 'latin1')));
  }

  private write(data: Buffer): void {
    if (this.port.destroyed || this.port.writableEnded || data.length === 0) return;
    this.port.write(data);
  }
}

/** The clock the VMs of this server boot with: the work clock needs its VM built (or cached) first. */
async function clockConfig(options: ReplServerOptions): Promise<ClockConfig> {
  if (options.clock === 'host') return { kind: 'host' };
  const calibration = workClockCalibration();
  return {
    kind: 'work',
    wasmPath: (await instrumentedVm()).path,
    usPerCount: usPerCount(calibration),
    collectionFixedUs: calibration.collectionFixedUs,
    seed: options.seed,
  };
}
