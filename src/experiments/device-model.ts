import type { DeviceInfo } from '../device/device-info.ts';
import { PicogcError } from '../errors.ts';
import { choosePortConfig, type PortConfig } from '../model/index.ts';

/**
 * The GC model preset for the device that was measured, from what it reported. A device without
 * a preset gets a reason instead, and its model checks are skipped with that reason.
 */
export function modelFor(info: DeviceInfo): { config: PortConfig } | { reason: string } {
  try {
    return {
      config: choosePortConfig({
        machine: info.firmware.machine,
        version: info.firmware.version,
        ...(info.firmware.build ? { build: info.firmware.build } : {}),
      }),
    };
  } catch (error) {
    return { reason: error instanceof PicogcError ? error.message : String(error) };
  }
}
