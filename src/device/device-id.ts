import { basename } from 'node:path';
import type { DeviceInfo } from './device-info.ts';

/** A device's id in run directories and the history: its unique id, else its USB serial, else its port. */
export function deviceId(info: DeviceInfo): string {
  const raw =
    info.uniqueId ??
    info.serialNumber ??
    (info.backend === 'sim' ? 'virtual-pico' : basename(info.description));
  return idSlug(raw);
}

/** A name made safe as part of a directory name: every run of other characters becomes `_`. */
export function idSlug(raw: string): string {
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_');
}
