import type { Duplex } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { systemClock, type Clock } from '../clock.ts';
import { LinkError } from '../errors.ts';
import type { BootromFacts } from '../firmware/bootrom.ts';
import { RP2_FLASH_BASE } from '../firmware/uf2-format.ts';
import type { Uf2Image } from '../firmware/uf2.ts';
import { duplexPair } from '../link/pair.ts';
import { startVmThread } from '../vm-thread.ts';
import { HOOK, emuMessageSchema, type HostMessage, type StartMessage } from './emu-protocol.ts';
import { HLE_ROM_NAME } from './hle-rom/hle-rom.mjs';

const WORKER_URL = new URL('./emu-worker.mjs', import.meta.url);

/** A Raspberry Pi Pico carries 2 MiB of flash; MicroPython's RPI_PICO build puts its filesystem at the end. */
export const PICO_FLASH_BYTES = 2 * 1024 * 1024;

/**
 * The ROM routines replaced on the emulated chip. rp2040js does not model the QSPI flash behind the
 * SSI, so the ROM's erase and program routines would change nothing (MicroPython would then have
 * no filesystem); they are found through the ROM's function table (so any ROM revision works) and
 * done on the flash array instead. The XIP enter/exit, connect and cache-flush routines only touch
 * the SSI and the cache, which rp2040js does not model either: they return at once.
 */
export function romHooks(facts: BootromFacts): [number, number][] {
  const at = (code: string) => {
    const address = facts.functions[code];
    if (address === undefined) throw new LinkError(`the boot ROM has no "${code}" routine`);
    return address;
  };
  return [
    [at('RE'), HOOK.erase],
    [at('RP'), HOOK.program],
    [at('IF'), HOOK.return],
    [at('EX'), HOOK.return],
    [at('FC'), HOOK.return],
    [at('CX'), HOOK.return],
  ];
}

/**
 * The boot ROM the chip maps at 0: a real one read from a Pico (`--bootrom FILE`, run exactly, its
 * flash routines hooked), or picogc's written one (src/emu/hle-rom/: every routine a trap done in
 * JavaScript at the real one's measured cost).
 */
export type EmulatorRom = { kind: 'file'; bytes: Uint8Array; facts: BootromFacts } | { kind: 'hle' };

/** How reports name the ROM that ran: `hle (picogc)`, or the real ROM's version and sha256. */
export function romName(rom: EmulatorRom): string {
  return rom.kind === 'hle' ? HLE_ROM_NAME : `${rom.facts.version} sha256 ${rom.facts.sha256.slice(0, 16)}`;
}

export interface EmulatorOptions {
  image: Uf2Image;
  rom: EmulatorRom;
  /** How long the firmware may take to enumerate its USB CDC (emulation runs slower than a chip). */
  bootTimeoutMs?: number;
  log?: (line: string) => void;
  clock?: Clock;
}

/**
 * An RP2040 emulated by rp2040js in a worker thread, running the user's firmware with the user's
 * boot ROM or picogc's written one. `link` is the host's end of the firmware's USB-CDC serial port: input is queued here
 * and fed to rp2040js's 512-byte CDC FIFO only as it has room (it drops the rest), output arrives as
 * the firmware sends it.
 */
export class EmulatedRp2040 {
  private closed = false;
  /** What rp2040js said about registers it does not model (each text once). */
  readonly warnings: string[] = [];

  private constructor(
    readonly link: Duplex,
    private readonly worker: Worker,
    private readonly deviceEnd: Duplex,
  ) {}

  static async start(options: EmulatorOptions): Promise<EmulatedRp2040> {
    const { image } = options;
    const offset = image.flash.start - RP2_FLASH_BASE;
    if (offset < 0 || offset + image.flash.bytes.length > PICO_FLASH_BYTES) {
      throw new LinkError(`the image does not fit a Pico's ${PICO_FLASH_BYTES / 1024 / 1024} MiB flash`);
    }
    const flash = new Uint8Array(offset + image.flash.bytes.length).fill(0xff);
    flash.set(image.flash.bytes, offset);
    const [hostEnd, deviceEnd] = duplexPair();
    const worker = startVmThread(WORKER_URL);
    const emulator = new EmulatedRp2040(hostEnd, worker, deviceEnd);
    let booted = false;
    const clock = options.clock ?? systemClock;
    const connected = new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(
        () =>
          reject(
            new LinkError(
              `the emulated RP2040 did not enumerate its USB serial port within ${(options.bootTimeoutMs ?? 60_000) / 1000} s`,
            ),
          ),
        options.bootTimeoutMs ?? 60_000,
      );
      worker.on('message', (raw: unknown) => {
        const parsed = emuMessageSchema.safeParse(raw);
        if (!parsed.success) {
          reject(new LinkError(`the emulator thread sent a malformed message: ${parsed.error.message}`));
          return;
        }
        const message = parsed.data;
        switch (message.type) {
          case 'output':
            if (!deviceEnd.destroyed) deviceEnd.write(Buffer.from(message.bytes));
            break;
          case 'connected':
            clock.clearTimeout(timer);
            booted = true;
            resolve();
            break;
          case 'warning':
            emulator.warnings.push(message.line);
            break;
          case 'reset':
            options.log?.(`emulated RP2040: ${message.reason} reset (flash kept)`);
            break;
          case 'bootsel':
            // As a Pico's USB serial port goes when it reboots into its ROM's USB boot mode.
            options.log?.(
              'emulated RP2040: reset_usb_boot, now in BOOTSEL mode: its USB serial port is gone',
            );
            reject(new LinkError('the emulated RP2040 went into BOOTSEL mode (reset_usb_boot)'));
            deviceEnd.destroy();
            break;
          case 'crashed':
            clock.clearTimeout(timer);
            // Before the boot finished the rejection carries it; after, the host learns it here.
            if (booted) options.log?.(`emulated RP2040 stopped: ${message.message}`);
            reject(new LinkError(`the emulated RP2040 stopped: ${message.message}`));
            deviceEnd.destroy();
            break;
          default:
            break;
        }
      });
      worker.on('error', (error) => {
        clock.clearTimeout(timer);
        reject(new LinkError(`the emulator thread failed: ${error.message}`));
        deviceEnd.destroy();
      });
    });
    deviceEnd.on('data', (chunk: Buffer) => emulator.post({ type: 'input', bytes: Uint8Array.from(chunk) }));
    const start: StartMessage = {
      type: 'start',
      bootrom: options.rom.kind === 'file' ? options.rom.bytes : null,
      flash,
      flashSize: PICO_FLASH_BYTES,
      hooks: options.rom.kind === 'file' ? romHooks(options.rom.facts) : [],
    };
    emulator.post(start);
    try {
      await connected;
    } catch (error) {
      await emulator.close();
      throw error;
    }
    return emulator;
  }

  private post(message: HostMessage): void {
    if (!this.closed) this.worker.postMessage(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.link.destroy();
    this.deviceEnd.destroy();
    await this.worker.terminate();
  }
}
