import type { Device } from '../device/device.ts';

/**
 * Replace the live set: drop the old one, collect, then build. The collection must come between:
 * a device that collects only when an execution returns (the virtual Pico) would otherwise build
 * the new set above the old one, and the pauses would depend on what was measured before.
 */
export async function rebuild(device: Device, build: string, timeoutMs: number): Promise<string> {
  await device.exec('release()', { timeoutMs });
  await device.exec('import gc\ngc.collect()', { timeoutMs });
  // A build run twice (its answer damaged) is undone first, so the second set lands where the first did.
  return (await device.exec(build, { timeoutMs, collectFirst: true, undo: 'release()' })).stdout;
}
