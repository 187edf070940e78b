import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.ts';

/** Where board locks live, and what a board's lock is called. */

export const LOCK_DIR_ENV = 'PICOGC_LOCK_DIR';

export function defaultLockDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[LOCK_DIR_ENV];
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : join(tmpdir(), 'picogc-locks');
}

/** What is known about a board when it is locked; the best available identity becomes the key. */
export interface BoardIdentity {
  /** `machine.unique_id()` as hex. */
  uniqueId?: string;
  /** The USB serial number the port enumerates with. */
  usbSerial?: string;
  /** The port path or URL. */
  port?: string;
}

/**
 * The lock key for a board: its identity when known, else its port. MicroPython's rp2 port uses the
 * flash unique id, in hex, as the USB serial number, so `uniqueId` and `usbSerial` of one Pico give the
 * same key (hex is compared case-insensitively): a run that knows only the serial from enumeration and
 * one that read `unique_id()` over the REPL contend for the same lock.
 */
export function boardLockKey(identity: BoardIdentity): string {
  const id = identity.uniqueId ?? identity.usbSerial;
  if (id !== undefined && id.trim() !== '') {
    const trimmed = id.trim();
    return /^[0-9a-fA-F]+$/.test(trimmed)
      ? `board-${trimmed.toLowerCase()}`
      : sanitiseKey(`serial-${trimmed}`);
  }
  if (identity.port !== undefined && identity.port.trim() !== '')
    return sanitiseKey(`port-${identity.port.trim()}`);
  throw new InputError('a board lock needs a unique id, a USB serial number or a port');
}

/**
 * A key as a portable file name: anything but letters, digits, `.`, `_`, `-` becomes `_`. When that
 * changed the key, a short hash of the original keeps `/dev/tty.a` and `/dev/tty_a` apart.
 */
export function sanitiseKey(key: string): string {
  const safe = key
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 120);
  if (safe === key) return safe;
  return `${safe}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}
