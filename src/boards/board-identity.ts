import { resolve } from 'node:path';
import type { DeviceInfo } from '../device/device-info.ts';
import { boardLockKey } from '../lock/lock-key.ts';
import { deviceId } from '../device/device-id.ts';
import type { BoardTag } from '../report/board-tag.ts';
import { isInProcess, targetLabel, type DeviceTarget } from '../device/target.ts';

/**
 * The lock key of a board before it is opened: its USB serial when enumeration knows it (the rp2
 * port's serial is its unique id, so a run that read `unique_id()` contends for the same lock),
 * else the port as given (made absolute, not resolved through symlinks: a restarted `picogc sim
 * --pty` gets a new /dev/pts/N behind the same link, and it is still the same board). A virtual
 * Pico (or an emulated RP2040) in this process cannot be shared, so it has no lock.
 */
export function lockKeyForTarget(target: DeviceTarget): string | undefined {
  if (isInProcess(target)) return undefined;
  if (target.kind === 'serial') {
    return target.usbSerial
      ? boardLockKey({ usbSerial: target.usbSerial })
      : boardLockKey({ port: resolve(target.port) });
  }
  return boardLockKey({ port: target.port });
}

export function boardTag(target: DeviceTarget, info: DeviceInfo, lockKey: string | undefined): BoardTag {
  return {
    id: deviceId(info),
    label: targetLabel(target),
    ...(target.kind === 'serial' || target.kind === 'tcp' ? { port: target.port } : {}),
    ...((info.serialNumber ?? (target.kind === 'serial' ? target.usbSerial : undefined))
      ? { usbSerial: info.serialNumber ?? (target as { usbSerial: string }).usbSerial }
      : {}),
    ...(info.uniqueId ? { uniqueId: info.uniqueId } : {}),
    ...(target.kind === 'sim' ? { seed: target.seed } : {}),
    ...(lockKey ? { lockKey } : {}),
  };
}
