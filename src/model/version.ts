import { InputError } from '../errors.ts';

/** A MicroPython release number, e.g. 1.28.0 (a `-preview` build counts as before its release). */
export interface FirmwareVersion {
  major: number;
  minor: number;
  patch: number;
  preview: boolean;
}

const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(-preview\S*)?$/;

/** Accepts `1.28.0`, `v1.28.0`, `1.29.0-preview…` and `sys.implementation.version` as `1.27.0`. */
export function parseFirmwareVersion(text: string): FirmwareVersion {
  const match = VERSION.exec(text.trim());
  if (!match) throw new InputError(`not a MicroPython version: "${text}" (expected e.g. 1.28.0)`);
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3] ?? 0),
    preview: match[4] !== undefined,
  };
}

export function formatFirmwareVersion(v: FirmwareVersion): string {
  return `${v.major}.${v.minor}.${v.patch}${v.preview ? '-preview' : ''}`;
}

/** True when `v` contains the change released in `release` (a preview of that release does not). */
export function isAtLeast(v: FirmwareVersion, release: string): boolean {
  const r = parseFirmwareVersion(release);
  const a = [v.major, v.minor, v.patch];
  const b = [r.major, r.minor, r.patch];
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return !v.preview;
}
