import { systemClock, within, type Clock } from '../clock.ts';
import { CheckFailedError, TimeoutError } from '../errors.ts';
import type { MicroPythonBuildInfo } from './micropython-build.ts';

/** The phases of `picogc flash`, in order; each has its own deadline and names itself in errors. */
export type FlashStepName = 'verify' | 'identify' | 'bootloader' | 'drive' | 'load' | 'reconnect' | 'confirm';

export interface FlashDeadlines {
  /** Identify the board (raw REPL, device info) before the flash. */
  identifyMs: number;
  /** `machine.bootloader()` until the serial link drops. */
  bootloaderMs: number;
  /** Until the BOOTSEL drive is there (not used with picotool). */
  driveMs: number;
  /** Copying onto the drive (with fsync), or `picotool load -x`. */
  loadMs: number;
  /** Until the board answers on serial again, running the new image. */
  reconnectMs: number;
  /** Reading the build string from the board after it came back. */
  confirmMs: number;
}

export const DEFAULT_FLASH_DEADLINES: FlashDeadlines = {
  identifyMs: 20_000,
  bootloaderMs: 10_000,
  driveMs: 30_000,
  loadMs: 60_000,
  reconnectMs: 30_000,
  confirmMs: 20_000,
};

export interface FlashStep {
  readonly step: FlashStepName;
  readonly ms: number;
  readonly detail: string;
}

/** What one board said about itself at one moment. */
export interface BoardSnapshot {
  readonly port: string;
  readonly usbSerial?: string;
  readonly uniqueId?: string;
  /** `os.uname().version`. */
  readonly buildString?: string;
  /** `sys.implementation._machine`. */
  readonly machine?: string;
}

export interface FlashedImage {
  readonly file: string;
  readonly sha256: string;
  readonly size: number;
  readonly family: string;
  readonly build: MicroPythonBuildInfo;
  /** The `os.uname().version` the board must report (or its `<tag> on <date>` prefix). */
  readonly expected: string;
  /** A name for the build in reports: `--firmware-label`, else the file's name. */
  readonly label: string;
}

export interface FlashResult {
  readonly image: FlashedImage;
  readonly method: 'drive' | 'picotool';
  /** The BOOTSEL drive written to (method `drive`). */
  readonly drive?: string;
  readonly before: BoardSnapshot;
  readonly after: BoardSnapshot;
  /** The board reported the image's build after it came back. */
  readonly confirmed: boolean;
  readonly steps: readonly FlashStep[];
  readonly startedAt: string;
}

/**
 * The board came back but reports another build than the image carries: the flash did not take
 * (the ROM ignored the file, another board's drive was written, the image's strings lie). Exit 1,
 * like any failed check; the result is kept for the report.
 */
export class FirmwareMismatchError extends CheckFailedError {
  constructor(readonly result: FlashResult) {
    super(
      `step confirm: the board at ${result.after.port} reports build ` +
        `${JSON.stringify(result.after.buildString ?? '(no os.uname().version)')} but ${result.image.file} is ` +
        `${JSON.stringify(result.image.expected)}; it is not running the image`,
    );
  }
}

/** Race a step against its deadline; a late step is a TimeoutError naming it. */
export function withinDeadline<T>(
  step: FlashStepName,
  what: string,
  limitMs: number,
  run: () => Promise<T>,
  clock: Clock = systemClock,
): Promise<T> {
  return within(run(), limitMs, () => new TimeoutError(`step ${step}: ${what}`, limitMs), clock);
}
