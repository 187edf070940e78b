import type { Device } from '../device/device.ts';
import { splitDataLines } from '../device/data-lines.ts';

/**
 * The device as an experiment sees it, with every line its scripts print that is not a data line
 * handed to `onLine`: kept in results.jsonl and the report as the device said it (as data, escaped
 * where it is shown). Timing and mem_info calls pass straight through.
 */
export function withDeviceLog(device: Device, onLine: (line: string) => void): Device {
  return {
    info: () => device.info(),
    exec: async (code, options) => {
      const result = await device.exec(code, options);
      for (const line of splitDataLines(result.stdout).log) onLine(line);
      return result;
    },
    timedCollect: (options) => device.timedCollect(options),
    memInfo: (options) => device.memInfo(options),
    softReset: () => device.softReset(),
    close: () => device.close(),
  };
}
