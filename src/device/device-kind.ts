import { UsageError } from '../errors.ts';

/** What `--device` names: a backend, and for `replay:FILE` the recording to play back. */
export interface DeviceKind {
  device: 'sim' | 'serial' | 'emu' | 'replay';
  replay?: string;
}

export const DEVICE_KIND_HELP =
  'device backend: sim, serial, emu, or replay:FILE (a recording made with --record)';

export function parseDeviceKind(value: string): DeviceKind {
  const text = value.trim();
  if (text === 'sim' || text === 'serial' || text === 'emu') return { device: text };
  if (text.startsWith('replay:')) {
    const file = text.slice('replay:'.length);
    if (file === '') throw new UsageError('--device replay:FILE needs the recording FILE');
    return { device: 'replay', replay: file };
  }
  throw new UsageError(`--device must be sim, serial, emu or replay:FILE, not ${JSON.stringify(value)}`);
}
