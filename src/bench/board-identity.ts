import { resolve } from 'node:path';
import { z } from 'zod';
import type { DeviceInfo } from '../device/device-info.ts';
import { boardLockKey } from '../lock/board-lock.ts';
import { deviceId } from '../run/session.ts';
import { targetLabel, type BoardTarget } from './board-target.ts';

/**
 * Who a board is, in every report: what the user named (port path, tcp:// address, seed), what the
 * link enumerated (USB serial) and what the board said (`machine.unique_id()`, firmware). Stored in
 * report.json as `board`, next to `device` (DeviceInfo, which carries the firmware version and
 * build string). The schema is here so the report schema can adopt it.
 */
export const boardTagSchema = z.object({
  /** The id history and run ids use: unique id, else USB serial, else the port. */
  id: z.string(),
  /** How the board was named: a port path, a tcp:// address, `virtual Pico seed N`. */
  label: z.string(),
  port: z.string().optional(),
  usbSerial: z.string().optional(),
  uniqueId: z.string().optional(),
  /** The virtual Pico's seed (its identity). */
  seed: z.number().int().optional(),
  /** The key this run held the board's lock under; absent for a virtual Pico in this process. */
  lockKey: z.string().optional(),
});
export type BoardTag = z.infer<typeof boardTagSchema>;

/**
 * The lock key of a board before it is opened: its USB serial when enumeration knows it (the rp2
 * port's serial is its unique id, so a run that read `unique_id()` contends for the same lock),
 * else the port as given (made absolute, not resolved through symlinks: a restarted `picogc sim
 * --pty` gets a new /dev/pts/N behind the same link, and it is still the same board). A virtual
 * Pico (or an emulated RP2040) in this process cannot be shared, so it has no lock.
 */
export function lockKeyForTarget(target: BoardTarget): string | undefined {
  if (target.kind === 'sim' || target.kind === 'emu') return undefined;
  if (target.kind === 'serial') {
    return target.usbSerial
      ? boardLockKey({ usbSerial: target.usbSerial })
      : boardLockKey({ port: resolve(target.port) });
  }
  return boardLockKey({ port: target.port });
}

export function boardTag(target: BoardTarget, info: DeviceInfo, lockKey: string | undefined): BoardTag {
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
