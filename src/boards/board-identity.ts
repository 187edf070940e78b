import { basename, resolve } from 'node:path';
import type { DeviceInfo } from '../device/device-info.ts';
import { boardLockKey } from '../lock/lock-key.ts';
import { deviceId, idSlug } from '../device/device-id.ts';
import type { BoardTag } from '../report/board-tag.ts';
import type { UnreachedTarget } from '../report/unreached.ts';
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

/**
 * Who the board is, as far as is known: with its DeviceInfo, what it said; without (it never
 * answered), what it was named and enumerated as.
 */
export function boardTag(
  target: DeviceTarget,
  info: DeviceInfo | undefined,
  lockKey: string | undefined,
): BoardTag {
  const usbSerial = info?.serialNumber ?? (target.kind === 'serial' ? target.usbSerial : undefined);
  return {
    id: info ? deviceId(info) : unansweredBoardId(target),
    label: targetLabel(target),
    ...(target.kind === 'serial' || target.kind === 'tcp' ? { port: target.port } : {}),
    ...(usbSerial ? { usbSerial } : {}),
    ...(info?.uniqueId ? { uniqueId: info.uniqueId } : {}),
    ...(target.kind === 'sim' ? { seed: target.seed } : {}),
    ...(lockKey ? { lockKey } : {}),
  };
}

/**
 * The id of a board that never answered, for its run id and `latest-…` link: its USB serial when
 * enumeration knew it (lower-case, as the rp2 port's unique id, and so a reached run's id, reads),
 * else the name it was given (a port's file name, `virtual Pico seed N`…), safe as a directory name.
 */
export function unansweredBoardId(target: DeviceTarget): string {
  if (target.kind === 'serial') return idSlug(target.usbSerial?.toLowerCase() ?? basename(target.port));
  return idSlug(targetLabel(target));
}

/** The target block of an unreached report: the board as named, and its kind. */
export function unreachedTarget(target: DeviceTarget, lockKey: string | undefined): UnreachedTarget {
  // Without DeviceInfo the tag has no unique id: the board never said it.
  return { kind: target.kind, ...boardTag(target, undefined, lockKey) };
}
