import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { sleep, systemClock, type Clock } from '../clock.ts';
import { LinkError, UsageError } from '../errors.ts';
import type { Rp2FamilyName } from './uf2-families.ts';

/**
 * The BOOTSEL mass-storage drive of an RP2 boot ROM: a FAT volume labelled `RPI-RP2` (RP2040) or
 * `RP2350`, holding `INDEX.HTM` and `INFO_UF2.TXT`. The ROM writes every UF2 block copied onto it
 * and reboots after the last one (RP2040 datasheet §2.8.4 "USB Mass Storage Interface").
 */

export const INFO_UF2_FILE = 'INFO_UF2.TXT';
export const INDEX_FILE = 'INDEX.HTM';
/** The env variable naming a drive directory, like `--drive DIR` (the virtual Pico's is announced). */
export const DRIVE_ENV = 'PICOGC_BOOTSEL_DRIVE';

export interface DriveKind {
  readonly label: string;
  readonly boardId: string;
  readonly family: Rp2FamilyName;
}

/** Volume label and `Board-ID` line of each ROM's drive. */
export const DRIVE_KINDS: readonly DriveKind[] = [
  { label: 'RPI-RP2', boardId: 'RPI-RP2', family: 'rp2040' },
  { label: 'RP2350', boardId: 'RP2350', family: 'rp2350-arm-s' },
];

export interface InfoUf2 {
  /** e.g. `UF2 Bootloader v3.0`. */
  readonly bootloader: string;
  /** e.g. `Raspberry Pi RP2`. */
  readonly model?: string;
  /** e.g. `RPI-RP2`. */
  readonly boardId?: string;
  /** Every `Key: value` line, as written. */
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * Parse `INFO_UF2.TXT` (`UF2 Bootloader vX.Y`, then `Key: value` lines). Anything that does not
 * start with the bootloader line is not a UF2 drive: undefined.
 */
export function parseInfoUf2(text: string): InfoUf2 | undefined {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const first = lines[0] ?? '';
  if (!/^UF2 Bootloader\b/.test(first)) return undefined;
  const fields: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const match = /^([A-Za-z][A-Za-z0-9 -]*):\s*(.*)$/.exec(line);
    if (match) fields[match[1]!] = match[2]!;
  }
  return {
    bootloader: first,
    ...(fields.Model !== undefined ? { model: fields.Model } : {}),
    ...(fields['Board-ID'] !== undefined ? { boardId: fields['Board-ID'] } : {}),
    fields,
  };
}

export interface BootselDrive {
  readonly path: string;
  readonly info: InfoUf2;
  /** The drive's kind when its Board-ID is one picogc knows. */
  readonly kind?: DriveKind;
  /** How it was found: `--drive`, the env variable, next to the port, or a mount point by label. */
  readonly foundBy: 'option' | 'env' | 'beside-port' | 'label';
}

/** A directory that is a UF2 drive (it has a readable INFO_UF2.TXT in the UF2 format), or undefined. */
export async function readDrive(
  path: string,
): Promise<Pick<BootselDrive, 'path' | 'info' | 'kind'> | undefined> {
  let text: string;
  try {
    text = await readFile(join(path, INFO_UF2_FILE), 'latin1');
  } catch {
    return undefined;
  }
  const info = parseInfoUf2(text);
  if (!info) return undefined;
  const kind = DRIVE_KINDS.find((k) => k.boardId === info.boardId);
  return { path, info, ...(kind ? { kind } : {}) };
}

export interface FindDriveOptions {
  /** `--drive DIR`: only this directory is considered. */
  drive?: string;
  /** Environment (default process.env) for `PICOGC_BOOTSEL_DRIVE`. */
  env?: NodeJS.ProcessEnv;
  /** The board's serial port: a virtual Pico presents its drive as `RPI-RP2` next to its pty. */
  port?: string;
  /** Directories searched for `<label>` and `<user>/<label>` mount points. */
  mountRoots?: readonly string[];
  /** Where by-label device links live (a drive seen there but not mounted gets mount advice). */
  byLabelDir?: string;
  /** `/proc/mounts`, to find the drive mounted under another name. */
  mountsFile?: string;
}

export const DEFAULT_MOUNT_ROOTS = ['/media', '/run/media', '/mnt', '/Volumes'];

/**
 * Look once for a BOOTSEL drive. `--drive` (or the env variable) names the only candidate; otherwise
 * the drive next to the port (virtual Pico), then mount points with the label. Several drives found
 * by label is ambiguous (two boards in BOOTSEL): a usage error asking for `--drive`.
 */
export async function findDriveOnce(options: FindDriveOptions = {}): Promise<BootselDrive | undefined> {
  const env = options.env ?? process.env;
  if (options.drive !== undefined) {
    const found = await readDrive(options.drive);
    return found && { ...found, foundBy: 'option' };
  }
  const fromEnv = env[DRIVE_ENV];
  if (fromEnv) {
    const found = await readDrive(fromEnv);
    return found && { ...found, foundBy: 'env' };
  }
  if (options.port !== undefined && !options.port.startsWith('/dev/') && !options.port.includes('://')) {
    const beside = await readDrive(join(dirname(options.port), DRIVE_KINDS[0]!.label));
    if (beside) return { ...beside, foundBy: 'beside-port' };
  }
  const found = new Map<string, Pick<BootselDrive, 'path' | 'info' | 'kind'>>();
  for (const candidate of await labelCandidates(options)) {
    const drive = await readDrive(candidate);
    if (!drive) continue;
    const key = await realpath(candidate).catch(() => candidate);
    if (!found.has(key)) found.set(key, drive);
  }
  if (found.size > 1) {
    throw new UsageError(
      `several BOOTSEL drives are mounted (${[...found.values()].map((d) => d.path).join(', ')}): ` +
        'choose one with --drive DIR',
    );
  }
  const only = [...found.values()][0];
  return only && { ...only, foundBy: 'label' };
}

async function labelCandidates(options: FindDriveOptions): Promise<string[]> {
  const labels = DRIVE_KINDS.map((k) => k.label);
  const out: string[] = [];
  for (const root of options.mountRoots ?? DEFAULT_MOUNT_ROOTS) {
    for (const label of labels) out.push(join(root, label));
    // /media/$USER/RPI-RP2 (udisks), /run/media/$USER/RPI-RP2 (some distributions)
    for (const user of await listDirs(root)) for (const label of labels) out.push(join(root, user, label));
  }
  // Mounted somewhere else: /proc/mounts names the block device the label points at.
  const mounts = await readFile(options.mountsFile ?? '/proc/mounts', 'utf8').catch(() => '');
  const devices = await labelledDevices(options.byLabelDir ?? '/dev/disk/by-label');
  for (const line of mounts.split('\n')) {
    const [source, target] = line.split(' ');
    if (!source || !target) continue;
    const real = await realpath(source).catch(() => source);
    if (devices.some((device) => device.device === real)) out.push(unescapeMount(target));
  }
  return out;
}

async function listDirs(root: string): Promise<string[]> {
  try {
    return (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** /proc/mounts escapes spaces and other bytes as octal (`\040`). */
function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** `/dev/disk/by-label/RPI-RP2` and friends that exist: the drive is attached, mounted or not. */
export async function labelledDevices(
  byLabelDir = '/dev/disk/by-label',
): Promise<{ label: string; device: string }[]> {
  const out: { label: string; device: string }[] = [];
  for (const kind of DRIVE_KINDS) {
    const link = join(byLabelDir, kind.label);
    const device = await realpath(link).catch(() => undefined);
    if (device) out.push({ label: kind.label, device });
  }
  return out;
}

export interface WaitForDriveOptions extends FindDriveOptions {
  timeoutMs: number;
  pollMs?: number;
  clock?: Clock;
}

/**
 * Wait for the drive to appear after the board was sent to its bootloader. On the deadline the
 * error says what was seen: a drive attached but not mounted (with the command to mount it), a
 * `--drive` directory that never got an INFO_UF2.TXT, or nothing at all.
 */
export async function waitForDrive(options: WaitForDriveOptions): Promise<BootselDrive> {
  const pollMs = options.pollMs ?? 200;
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  for (;;) {
    const drive = await findDriveOnce(options);
    if (drive) return drive;
    const elapsed = clock.now() - started;
    if (elapsed >= options.timeoutMs) throw await noDriveError(options);
    await sleep(Math.min(pollMs, options.timeoutMs - elapsed), clock);
  }
}

async function noDriveError(options: WaitForDriveOptions): Promise<LinkError> {
  const seconds = (options.timeoutMs / 1000).toFixed(1);
  const named = options.drive ?? (options.env ?? process.env)[DRIVE_ENV];
  if (named !== undefined) {
    const exists = await stat(named).then(
      (s) => s.isDirectory(),
      () => false,
    );
    return new LinkError(
      `step drive: ${named} ${exists ? `has no ${INFO_UF2_FILE} of a UF2 bootloader` : 'does not exist'} ` +
        `after ${seconds} s; is it the board's BOOTSEL drive (label RPI-RP2), and is it mounted there?`,
    );
  }
  const attached = await labelledDevices(options.byLabelDir);
  if (attached.length > 0) {
    const { label, device } = attached[0]!;
    return new LinkError(
      `step drive: the BOOTSEL drive ${label} is attached (${device}) but not mounted; mount it ` +
        `(udisksctl mount -b /dev/disk/by-label/${label}, or sudo mount -o uid=$(id -u) ` +
        `/dev/disk/by-label/${label} /mnt) and pass --drive DIR, or install picotool`,
    );
  }
  return new LinkError(
    `step drive: no BOOTSEL drive (label RPI-RP2 with ${INFO_UF2_FILE}) appeared within ${seconds} s ` +
      `(looked in ${(options.mountRoots ?? DEFAULT_MOUNT_ROOTS).join(', ')} and /proc/mounts); ` +
      'hold BOOTSEL while plugging the board in, mount the drive and pass --drive DIR, or install picotool',
  );
}

/** For messages: the drive's label as the path shows it. */
export function driveName(drive: Pick<BootselDrive, 'path'>): string {
  return basename(drive.path);
}
