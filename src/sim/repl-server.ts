import type { Duplex } from 'node:stream';
import { systemClock, type Clock } from '../clock.ts';
import { bootConfig, clockConfig, type PicoIdentity } from './boot-config.ts';
import { RawPasteReceiver } from './raw-paste-receiver.ts';
import { PendingInterrupt } from './pending-interrupt.ts';
import { ReplInput } from './repl-input.ts';
import { SurfaceLoader } from './surface.ts';
import { BYTE, MPY_SOFT_REBOOT, TEXT } from '../protocol/raw-repl-vocabulary.ts';
import { rewriteBanner, unknownLineInterrupted } from './repl-text.ts';
import { VmOutput } from './vm-output.ts';
import { MicroPythonVm } from './vm.ts';
import {
  PICO_GC_DEFAULTS,
  type ClockConfig,
  type ClockKind,
  type Fed,
  type GcCarryOver,
  type ReplMode,
} from './vm-protocol.ts';

export interface ReplServerOptions extends PicoIdentity {
  clock: ClockKind;
  /** One line per event worth a note (VM replaced, VM crashed). */
  log?: (line: string) => void;
  /** `machine.bootloader()` ran: the server has gone quiet for good; the owner presents the drive. */
  onBootloader?: () => void;
  /** Keeps the Ctrl-C grace period (not the VM's time: that is `clock`). */
  timers?: Clock;
}

const { CTRL_A, CTRL_B, CTRL_C, CTRL_D } = BYTE;
type Phase = 'idle' | 'feeding' | 'paste' | 'rebooting' | 'dead' | 'bootloader' | 'closed';

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
  private readonly output = new VmOutput((data) => this.write(data));
  private phase: Phase = 'rebooting';
  private gc: GcCarryOver = PICO_GC_DEFAULTS;
  private seq = 0;
  private running = false;
  private interrupt: PendingInterrupt | undefined;
  private stuck: (() => void) | undefined;
  private paste: RawPasteReceiver | undefined;
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
    const server = new ReplServer(port, options, await clockConfig(options.clock, options.seed));
    await server.replaceVm();
    // At power-up a Pico prints its banner without the leading CRLF of a Ctrl-B.
    await server.boot('friendly').catch(async (error: unknown) => {
      await server.vm.terminate();
      throw error;
    });
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
    this.interrupt?.cancel();
    this.stuck?.();
    await this.vm.terminate();
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
    const given = count > 0 ? this.input.take(count) : undefined;
    // What is still held is said before the bytes land: the script they wake may poll at once, and a
    // count from before them made select.poll see a byte that never came (its read then waited for
    // good: a profile's probe hung at its first flush).
    this.vm.stdinPending = this.interrupt ? 0 : this.input.pending;
    if (given) this.vm.writeStdin(given);
  }

  /** Import what the next input names of the Python parts of a Pico's surface (surface.ts). */
  private async loadSurface(bytes: Uint8Array): Promise<void> {
    const modules = this.surface.needed(bytes);
    if (modules.length > 0) await this.vm.load(modules).catch((error: unknown) => this.note(error));
  }

  private pump(): void {
    if (this.running || this.phase === 'closed') return;
    this.running = true;
    this.serve()
      .catch((error: unknown) => {
        this.note(error);
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
            this.paste = new RawPasteReceiver((bytes) => this.write(bytes));
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
    this.output.startFeed({ holdBanner: last === CTRL_B });
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
      this.output.discard();
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
    this.output.flushHeld();
    if (mayEnterRaw && this.output.endsWith(TEXT.RAW_BANNER_PROMPT)) {
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
    this.output.discard();
    this.phase = 'bootloader';
    this.input.take(this.input.pending); // the board is gone from the REPL
    this.options.log?.('virtual Pico: machine.bootloader(); the REPL is gone until an image is loaded');
    this.options.onBootloader?.();
  }

  private startInterrupt(position: number): void {
    const seq = this.seq;
    const grace = this.options.interruptGraceMs;
    const interrupt = new PendingInterrupt(position, this.timers, grace, () => {
      if (this.interrupt === interrupt) this.stuck?.();
    });
    this.interrupt = interrupt;
    const stillBusy = () => this.phase === 'feeding' && this.seq === seq;
    // The VM thread's attempts keep to the system clock (vm.ts sets their deadline on it).
    const vm = this.vm;
    void vm.interrupt(seq, systemClock.now() + grace, stillBusy).then((outcome) => {
      if (this.vm !== vm || this.interrupt !== interrupt) return;
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
    interrupt.cancel();
    this.interrupt = undefined;
    if (delivered) this.input.dropThrough(interrupt.position);
  }

  /** The VM ignored Ctrl-C for the whole grace period: replace it, answer as a Pico would. */
  private async replaceStuckVm(): Promise<void> {
    this.settleInterrupt(true);
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
    this.output.discard();
    this.forcedResets++;
    await this.replaceVm();
    await this.boot(this.input.mode, { quiet: true });
    this.write(unknownLineInterrupted(this.input.mode));
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
    await this.boot(this.input.mode);
    this.softResetCount++;
  }

  /**
   * A fresh VM boots in `mode` and prints what a Pico prints (a friendly banner naming a Pico,
   * without the leading CRLF of a Ctrl-B), unless `quiet`; then the REPL is idle at an empty line.
   */
  private async boot(mode: ReplMode, options: { quiet?: boolean } = {}): Promise<void> {
    this.surface.reset();
    const booted = await this.vm.boot(
      bootConfig(this.options, this.clock, { mode, gc: this.gc, resets: this.forcedResets }),
    );
    if (!options.quiet) {
      const text = Buffer.from(booted.output).toString('latin1');
      this.write(
        Buffer.from(mode === 'friendly' ? rewriteBanner(text.replace(/^\r\n/, '')) : text, 'latin1'),
      );
    }
    this.input.lineCleared();
    this.phase = 'idle';
  }

  /** Raw-paste data: acknowledge each window as it arrives; Ctrl-D ends it, Ctrl-C aborts it. */
  private async receivePaste(): Promise<boolean> {
    const paste = this.paste!;
    for (let byte = this.input.shift(); byte !== undefined; byte = this.input.shift()) {
      const taken = paste.take(byte);
      if (taken === 'more') continue;
      this.paste = undefined;
      this.phase = 'idle';
      if (taken === 'end') await this.executePaste(paste);
      return true;
    }
    return false;
  }

  /** Run pasted source through the VM's classic raw REPL and pass on its frame without the `OK`. */
  private async executePaste(paste: RawPasteReceiver): Promise<void> {
    const bytes = paste.vmInput();
    if (!bytes) return;
    await this.loadSurface(bytes);
    this.output.dropLeadingOk(true);
    await this.run(bytes, CTRL_D);
    this.output.dropLeadingOk(false);
  }

  private fromVm(chunk: Buffer): void {
    if (this.phase !== 'closed') this.output.fromVm(chunk);
  }

  private note(error: unknown): void {
    this.options.log?.(`virtual Pico: ${error instanceof Error ? error.message : String(error)}`);
  }

  private write(data: Buffer): void {
    if (this.port.destroyed || this.port.writableEnded || data.length === 0) return;
    this.port.write(data);
  }
}
