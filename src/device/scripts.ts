import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Device } from './device.ts';

/** The MicroPython sources the device runs, shipped in the repository's device-scripts/ folder. */
const SCRIPTS_DIR = fileURLToPath(new URL('../../device-scripts/', import.meta.url));

export function deviceScript(name: string): string {
  return readFileSync(`${SCRIPTS_DIR}${name}.py`, 'utf8');
}

/**
 * Upload device scripts by executing them, one exec per module (a Pico cannot compile one big
 * source: facts §9), so their functions become globals of the REPL session. `common` goes first:
 * every script uses its `emit()`.
 */
export async function uploadScripts(device: Device, names: string[]): Promise<void> {
  for (const name of ['common', ...names.filter((n) => n !== 'common')]) {
    await device.exec(deviceScript(name), { timeoutMs: 20_000 });
  }
}
