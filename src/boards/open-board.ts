import { openRecordedDevice, type DeviceSpec, type OpenedDevice } from '../device/open.ts';
import type { ReplDevice } from '../device/repl-device.ts';
import type { BoardTarget } from './board-target.ts';

/**
 * Open a board of the bench (labgrid's "driver" step): the raw REPL over its serial port or TCP
 * export, a virtual Pico in this process with the board's seed, an emulated RP2040, or a recording
 * played back. `port` overrides the target's path when the board came back somewhere else after a
 * power cycle; that second connection is not recorded (a recording holds one connection).
 */
export function openBoard(target: BoardTarget, port?: string): Promise<ReplDevice> {
  return openBoardRecorded(target, port).then((opened) => opened.device);
}

export function openBoardRecorded(
  target: BoardTarget,
  port?: string,
  command?: string,
): Promise<OpenedDevice> {
  const record = port === undefined && 'record' in target && target.record ? { record: target.record } : {};
  const spec: DeviceSpec =
    target.kind === 'sim'
      ? {
          device: 'sim',
          seed: target.seed,
          ...(target.heapBytes !== undefined ? { heapBytes: target.heapBytes } : {}),
          ...(target.faults?.length ? { faults: target.faults } : {}),
          ...(target.clock ? { clock: target.clock } : {}),
        }
      : target.kind === 'emu'
        ? { device: 'emu', firmware: target.firmware, bootrom: target.bootrom }
        : target.kind === 'replay'
          ? { device: 'replay', replay: target.file }
          : { port: port ?? target.port };
  return openRecordedDevice({ ...spec, ...record, ...(command ? { command } : {}) });
}
