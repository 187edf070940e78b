import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';
import { systemClock, type Clock } from '../clock.ts';
import { LinkError } from '../errors.ts';

/**
 * The two ways an image reaches a board in BOOTSEL mode: copying the UF2 file onto its drive (the
 * boot ROM writes each block as it arrives and reboots after the last), or `picotool load -x`,
 * which talks to the ROM's PICOBOOT interface and then starts the image.
 */

/** Errors after every byte was handed to the drive: the ROM rebooted and the drive vanished under us. */
const GONE_AFTER_COPY = new Set(['EIO', 'ENODEV', 'ENOENT', 'ENXIO', 'ESTALE']);

export interface CopyResult {
  readonly target: string;
  readonly bytes: number;
  /** fsync/close failed with the drive gone after the data was written: normal when the ROM reboots. */
  readonly driveVanished?: string;
}

/**
 * Write the image onto the drive and fsync it, so the blocks reach the board now rather than at
 * the OS's leisure. Permission problems and a full or read-only drive are `LinkError`s naming the
 * step (exit 3).
 */
export async function copyToDrive(
  image: Uint8Array,
  drivePath: string,
  fileName: string,
): Promise<CopyResult> {
  const target = join(drivePath, basename(fileName).replace(/[^A-Za-z0-9._-]/g, '_') || 'firmware.uf2');
  let handle;
  try {
    handle = await open(target, 'w');
  } catch (error) {
    throw copyError(error, target, 'open');
  }
  let written = false;
  try {
    await handle.writeFile(image);
    written = true;
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    await handle.close().catch(() => undefined);
    if (written && GONE_AFTER_COPY.has(code)) return { target, bytes: image.length, driveVanished: code };
    throw copyError(error, target, written ? 'fsync' : 'write');
  }
  try {
    await handle.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (GONE_AFTER_COPY.has(code)) return { target, bytes: image.length, driveVanished: code };
    throw copyError(error, target, 'close');
  }
  return { target, bytes: image.length };
}

function copyError(error: unknown, target: string, what: string): LinkError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const advice =
    code === 'EACCES' || code === 'EPERM'
      ? ': permission denied; mount the drive with your user id (udisksctl mount, or mount -o uid=$(id -u)) or run picotool'
      : code === 'EROFS'
        ? ': the drive is mounted read-only'
        : code === 'ENOSPC'
          ? ': the drive is full (a BOOTSEL drive takes any size; is this the right directory?)'
          : '';
  return new LinkError(`step load: cannot ${what} ${target}: ${code}${advice}`, { cause: error });
}

/** The executable's path when `name` is on PATH. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface PicotoolResult {
  readonly command: readonly string[];
  readonly output: string;
  readonly ms: number;
}

/**
 * `picotool load -x FILE` (add `--ser SERIAL` when the board's USB serial is known, so the right one
 * of several is loaded). A non-zero exit or the deadline is a `LinkError` with picotool's output.
 */
export async function picotoolLoad(
  picotool: string,
  file: string,
  options: { timeoutMs: number; serial?: string; clock?: Clock },
): Promise<PicotoolResult> {
  const args = ['load', '-x', file, ...(options.serial ? ['--ser', options.serial] : [])];
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const child = spawn(picotool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-2000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const outcome = await new Promise<{ code: number | null; error?: Error; timedOut: boolean }>((resolve) => {
    const timer = clock.setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, timedOut: true });
    }, options.timeoutMs);
    child.once('error', (error) => {
      clock.clearTimeout(timer);
      resolve({ code: null, error, timedOut: false });
    });
    child.once('close', (code) => {
      clock.clearTimeout(timer);
      resolve({ code, timedOut: false });
    });
  });
  const command = [picotool, ...args];
  const said = output.trim() ? `: ${output.trim().split('\n').slice(-3).join(' | ')}` : '';
  if (outcome.timedOut) {
    throw new LinkError(
      `step load: ${command.join(' ')} did not finish within ${options.timeoutMs} ms${said}`,
    );
  }
  if (outcome.error) throw new LinkError(`step load: cannot run ${picotool}: ${outcome.error.message}`);
  if (outcome.code !== 0) {
    const permission = /permission|LIBUSB_ERROR_ACCESS/i.test(output)
      ? ' (permission denied: add a udev rule for 2e8a:0003 or run as root)'
      : '';
    throw new LinkError(`step load: ${command.join(' ')} exited ${outcome.code}${permission}${said}`);
  }
  return { command, output: output.trim(), ms: clock.now() - started };
}
