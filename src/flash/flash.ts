import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';

import { sleep, systemClock, type Clock } from '../clock.ts';
import { DeviceException, InputError, LinkError, PicogcError, TimeoutError, UsageError } from '../errors.ts';
import { ReplDevice } from '../device/repl-device.ts';
import { describePort, resolveAutoPort, type PortInfo } from '../link/discovery.ts';
import { openLink } from '../link/open.ts';
import { waitForDrive, type FindDriveOptions } from '../firmware/bootsel-drive.ts';

import {
  DEFAULT_FLASH_DEADLINES,
  FirmwareMismatchError,
  withinDeadline,
  type BoardSnapshot,
  type FlashDeadlines,
  type FlashResult,
  type FlashStep,
  type FlashStepName,
} from '../firmware/flash-result.ts';
import { boardRunsBuild } from '../firmware/micropython-build.ts';
import { copyToDrive, findOnPath, picotoolLoad, type PicotoolResult } from '../firmware/load-image.ts';
import { reconnectBoard } from './reconnect.ts';
import { verifyImage } from '../firmware/verify-image.ts';

export interface FlashOptions {
  /** Path of the UF2 file. */
  image: string;
  /** A serial port path or `auto` (the single Pico attached). */
  port: string;
  /** `--drive DIR`: the BOOTSEL drive's directory (default: found by label, see bootsel-drive.ts). */
  drive?: string;
  /** A picotool executable; `false` never uses it; default: `picotool` when it is on PATH. */
  picotool?: string | false;
  deadlines?: Partial<FlashDeadlines>;
  /** A name for the build in reports (default: the file name). */
  label?: string;
  /** One line per step as it finishes (and notes while waiting). */
  log?: (line: string) => void;
  /** Where drives are looked for (tests; defaults are the usual mount points). */
  driveSearch?: Pick<FindDriveOptions, 'mountRoots' | 'byLabelDir' | 'mountsFile' | 'env'>;
  listPorts?: () => Promise<PortInfo[]>;
  /** Keeps every step's deadline, retry and poll, and times the steps. */
  clock?: Clock;
}

/** Runs on the board: it never returns (the board resets into its boot ROM and the USB link drops). */
const ENTER_BOOTLOADER = 'import machine\nmachine.bootloader()';

/**
 * Flash a MicroPython UF2 onto a Pico and prove it runs it: verify the image (exit 2 if bad), read
 * the board's identity, `machine.bootloader()` through the raw REPL, load the image (picotool, or a
 * copy onto the BOOTSEL drive with fsync), wait for the board to come back on serial (same USB
 * serial or unique id), and compare the build string it reports with the image's. Each step has its
 * own deadline; a step that fails is named in the error (exit 3); a board that comes back with
 * another build throws `FirmwareMismatchError` (exit 1) carrying the result.
 */
export async function flashFirmware(options: FlashOptions): Promise<FlashResult> {
  const deadlines = { ...DEFAULT_FLASH_DEADLINES, ...options.deadlines };
  const steps: FlashStep[] = [];
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  const startedAt = new Date().toISOString();
  const timed = async <T>(
    step: FlashStepName,
    run: () => Promise<{ value: T; detail: string }>,
  ): Promise<T> => {
    const started = clock.now();
    const { value, detail } = await run();
    const entry = { step, ms: Math.round(clock.now() - started), detail };
    steps.push(entry);
    log(`${step}: ${detail} (${entry.ms} ms)`);
    return value;
  };

  const image = await timed('verify', async () => {
    const verified = await verifyImage(options.image, options.label);
    return {
      value: verified,
      detail: `${verified.file}: ${verified.family}, ${verified.size} bytes, sha256 ${verified.sha256.slice(0, 12)}…, build ${JSON.stringify(verified.expected)}`,
    };
  });

  if (options.port.includes('://')) {
    throw new UsageError(`flash needs the board on a local serial port, not ${options.port}`);
  }
  const target = await resolveTarget(options.port, options.listPorts);
  // A drive the user named wins over a picotool found on PATH; a picotool the user named wins over both.
  const picotool =
    options.picotool === false
      ? undefined
      : (options.picotool ?? (options.drive === undefined ? findOnPath('picotool') : undefined));

  const before = await timed('identify', async () => {
    const snapshot = await identify(target.path, target.usbSerial, deadlines.identifyMs, true, clock);
    return { value: snapshot, detail: describeBoard(snapshot) };
  });

  await timed('bootloader', async () => ({
    value: await enterBootloader(before, deadlines.bootloaderMs, clock),
    detail: `machine.bootloader() on ${before.port}; the serial link dropped`,
  }));

  let drivePath: string | undefined;
  if (picotool) {
    await timed('load', async () => {
      const loaded = await picotoolUntilDeadline(
        picotool,
        options.image,
        before.usbSerial,
        deadlines.loadMs,
        log,
        clock,
      );
      return { value: loaded, detail: loaded.command.join(' ') };
    });
  } else {
    const drive = await timed('drive', async () => {
      const found = await waitForDrive({
        ...options.driveSearch,
        ...(options.drive !== undefined ? { drive: options.drive } : {}),
        port: before.port,
        timeoutMs: deadlines.driveMs,
        clock,
      });
      return {
        value: found,
        detail: `${found.path} (${found.info.bootloader}${found.info.boardId ? `, ${found.info.boardId}` : ''}; found by ${found.foundBy})`,
      };
    });
    if (drive.kind && drive.kind.family !== image.family) {
      throw new InputError(
        `step drive: ${drive.path} is a ${drive.kind.label} drive (${drive.kind.family}) but the image is for ${image.family}`,
      );
    }
    drivePath = drive.path;
    await timed('load', async () => {
      const file = await readFile(options.image);
      if (createHash('sha256').update(file).digest('hex') !== image.sha256) {
        throw new InputError(`step load: ${options.image} changed after it was verified`);
      }
      const copied = await withinDeadline(
        'load',
        `copying onto ${drive.path}`,
        deadlines.loadMs,
        () => copyToDrive(file, drive.path, options.image),
        clock,
      );
      return {
        value: copied,
        detail: `copied ${copied.bytes} bytes to ${copied.target} and synced${copied.driveVanished ? ` (the drive went away: ${copied.driveVanished})` : ''}`,
      };
    });
  }

  const device = await timed('reconnect', async () => {
    const back = await reconnectBoard({
      port: before.port,
      ...(before.usbSerial ? { usbSerial: before.usbSerial } : {}),
      timeoutMs: deadlines.reconnectMs,
      ...(options.listPorts ? { listPorts: options.listPorts } : {}),
      log,
      clock,
    });
    return { value: back, detail: `the board answers on ${back.attachment.description}` };
  });

  const after = await timed('confirm', async () => {
    try {
      const snapshot = await withinDeadline(
        'confirm',
        'reading the board’s build',
        deadlines.confirmMs,
        () => snapshotOf(device),
        clock,
      );
      return { value: snapshot, detail: describeBoard(snapshot) };
    } finally {
      await device.close().catch(() => undefined);
    }
  });

  if (before.uniqueId && after.uniqueId && before.uniqueId !== after.uniqueId) {
    throw new LinkError(
      `step confirm: another board answered at ${after.port} (unique id ${after.uniqueId}, ` +
        `the flashed one is ${before.uniqueId})`,
    );
  }
  const confirmed = after.buildString !== undefined && boardRunsBuild(image.build, after.buildString);
  const result: FlashResult = {
    image,
    method: picotool ? 'picotool' : 'drive',
    ...(drivePath !== undefined ? { drive: drivePath } : {}),
    before,
    after,
    confirmed,
    steps,
    startedAt,
  };
  if (!confirmed) throw new FirmwareMismatchError(result);
  return result;
}

/**
 * The board needs a moment to enumerate as a BOOTSEL device after `machine.bootloader()`:
 * picotool is run again while it finds no device, until the load deadline.
 */
async function picotoolUntilDeadline(
  picotool: string,
  file: string,
  serial: string | undefined,
  limitMs: number,
  log: (line: string) => void,
  clock: Clock,
): Promise<PicotoolResult> {
  const started = clock.now();
  for (;;) {
    const remaining = limitMs - (clock.now() - started);
    try {
      return await picotoolLoad(picotool, file, {
        timeoutMs: Math.max(1, remaining),
        ...(serial ? { serial } : {}),
        clock,
      });
    } catch (error) {
      const notYet = error instanceof LinkError && /No accessible|not found|no .*device/i.test(error.message);
      if (!notYet || clock.now() - started + PICOTOOL_RETRY_MS >= limitMs) throw error;
      log('load: picotool sees no board in BOOTSEL yet; trying again');
      await sleep(PICOTOOL_RETRY_MS, clock);
    }
  }
}

const PICOTOOL_RETRY_MS = 500;

async function resolveTarget(
  port: string,
  list: (() => Promise<PortInfo[]>) | undefined,
): Promise<{ path: string; usbSerial?: string }> {
  if (port === 'auto') {
    const found = await resolveAutoPort(list);
    return { path: found.path, ...(found.serialNumber ? { usbSerial: found.serialNumber } : {}) };
  }
  const known = await describePort(port);
  return { path: port, ...(known?.serialNumber ? { usbSerial: known.serialNumber } : {}) };
}

async function identify(
  path: string,
  usbSerial: string | undefined,
  limitMs: number,
  softReset: boolean,
  clock: Clock,
): Promise<BoardSnapshot> {
  const link = await openLink(path);
  try {
    const device = await withinDeadline(
      'identify',
      `entering the raw REPL on ${path}`,
      limitMs,
      () => ReplDevice.connect(link, 'serial', { softReset }),
      clock,
    );
    const snapshot = await withinDeadline(
      'identify',
      'reading device info',
      limitMs,
      () => snapshotOf(device),
      clock,
    );
    return { ...snapshot, port: path, ...(usbSerial ? { usbSerial } : {}) };
  } finally {
    // The bootloader step opens its own session: a clean start on a board that just answered.
    await link.close().catch(() => undefined);
  }
}

async function snapshotOf(device: ReplDevice): Promise<BoardSnapshot> {
  const info = await device.info();
  const { description, serialNumber } = device.attachment;
  return {
    port: description,
    ...(serialNumber ? { usbSerial: serialNumber } : {}),
    ...(info.uniqueId ? { uniqueId: info.uniqueId } : {}),
    ...(info.firmware.buildString ? { buildString: info.firmware.buildString } : {}),
    machine: info.firmware.machine,
  };
}

/**
 * `machine.bootloader()` in the raw REPL. On a board the exec never ends: the USB link drops (a
 * LinkError), its device node disappears (seen by polling the path: a pty's reader is not told), or
 * it goes silent until the deadline (TimeoutError); each means it went. An exec that returns, or
 * raises, means the board is still running MicroPython.
 */
async function enterBootloader(board: BoardSnapshot, limitMs: number, clock: Clock): Promise<void> {
  const link = await openLink(board.port);
  try {
    const device = await withinDeadline(
      'bootloader',
      `entering the raw REPL on ${board.port}`,
      limitMs,
      () => ReplDevice.connect(link, 'serial', { softReset: false }),
      clock,
    );
    const vanished = new AbortController();
    const exec = device.exec(ENTER_BOOTLOADER, { timeoutMs: limitMs }).then(
      () => 'returned' as const,
      (error: unknown) => {
        if (error instanceof LinkError || error instanceof TimeoutError) return 'dropped' as const;
        if (error instanceof DeviceException) {
          throw new LinkError(`step bootloader: machine.bootloader() raised ${error.message}`);
        }
        throw error instanceof PicogcError ? error : new LinkError(`step bootloader: ${String(error)}`);
      },
    );
    const outcome = await Promise.race([exec, pathGone(board.port, vanished.signal, clock)]).finally(() =>
      vanished.abort(),
    );
    exec.catch(() => undefined);
    if (outcome === 'returned') {
      throw new LinkError(
        `step bootloader: machine.bootloader() returned on ${board.port}; the board did not leave for its boot ROM`,
      );
    }
  } finally {
    await link.close().catch(() => undefined);
  }
}

/** Resolves 'dropped' once `path` no longer exists (the board's serial device went away). */
async function pathGone(path: string, signal: AbortSignal, clock: Clock): Promise<'dropped'> {
  for (;;) {
    if (signal.aborted) return new Promise<never>(() => undefined);
    const exists = await lstat(path).then(
      () => true,
      () => false,
    );
    if (!exists) return 'dropped';
    await sleep(PATH_POLL_MS, clock);
  }
}

const PATH_POLL_MS = 100;

function describeBoard(board: BoardSnapshot): string {
  const parts = [board.port];
  if (board.usbSerial) parts.push(`USB serial ${board.usbSerial}`);
  if (board.uniqueId) parts.push(`unique id ${board.uniqueId}`);
  parts.push(`build ${JSON.stringify(board.buildString ?? '(none reported)')}`);
  return parts.join(', ');
}
