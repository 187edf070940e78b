import { openDevice } from '../device/open.ts';
import type { ReplDevice } from '../device/repl-device.ts';
import type { BoardTarget } from './board-target.ts';

/**
 * Open a board of the bench (labgrid's "driver" step): the raw REPL over its serial port or TCP
 * export, a virtual Pico in this process with the board's seed, or an emulated RP2040. `port` overrides the target's
 * path when the board came back somewhere else after a power cycle.
 */
export function openBoard(target: BoardTarget, port?: string): Promise<ReplDevice> {
  if (target.kind === 'sim') {
    return openDevice({
      device: 'sim',
      seed: target.seed,
      ...(target.heapBytes !== undefined ? { heapBytes: target.heapBytes } : {}),
      ...(target.faults?.length ? { faults: target.faults } : {}),
      ...(target.clock ? { clock: target.clock } : {}),
    });
  }
  if (target.kind === 'emu')
    return openDevice({ device: 'emu', firmware: target.firmware, bootrom: target.bootrom });
  return openDevice({ port: port ?? target.port });
}
