import type { Report } from './schema.ts';

/** The image a run was about: label, version, digest, and whether the device was confirmed to run it. */
export function firmwareLine(f: NonNullable<Report['firmware']>): string {
  const confirmed = f.confirmed
    ? 'confirmed running'
    : `NOT confirmed (the device reports ${f.deviceBuild ?? 'no build'})`;
  return `${f.label}: ${f.version} (${f.buildDate}), sha256 ${f.sha256.slice(0, 16)}…, ${f.method} onto the ${f.target}; ${confirmed}`;
}
