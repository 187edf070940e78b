import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../clock.ts';
import { MayHaveRunError, type Device } from './device.ts';

/** The MicroPython sources the device runs, shipped in the repository's device-scripts/ folder. */
const SCRIPTS_DIR = fileURLToPath(new URL('../../device-scripts/', import.meta.url));

export function deviceScript(name: string): string {
  return readFileSync(`${SCRIPTS_DIR}${name}.py`, 'utf8');
}

/** sha256 of every device script by name: what a recording must have been made with. */
export function deviceScriptHashes(): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const file of readdirSync(SCRIPTS_DIR)
    .filter((f) => f.endsWith('.py'))
    .sort()) {
    hashes[file.slice(0, -3)] = sha256(readFileSync(`${SCRIPTS_DIR}${file}`));
  }
  return hashes;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Upload device scripts by executing them, one exec per module (a Pico cannot compile one big
 * source: facts §9), so their functions become globals of the REPL session. `common` goes first:
 * every script uses its `emit()`. Called on a fresh interpreter (after a soft reset): an upload
 * that may have run on a damaged try starts over from another, as run twice (or undone and run
 * again) its functions would land elsewhere than one run puts them, and every figure after move.
 */
export async function uploadScripts(device: Device, names: string[]): Promise<void> {
  for (let restarts = 0; ; restarts++) {
    const started = systemClock.now();
    try {
      for (const name of ['common', ...names.filter((n) => n !== 'common')]) {
        // Its functions outlive the upload: they land where they would without a fault (device.ts).
        await device.exec(deviceScript(name), { timeoutMs: 20_000, collectFirst: true, idempotent: false });
      }
      return;
    } catch (error) {
      if (!(error instanceof MayHaveRunError) || restarts >= UPLOAD_RESTARTS) throw error;
      await device.softReset();
      device.onRepair?.({
        kind: 'reupload',
        detail: `${error.message}; the scripts go again into a fresh interpreter`,
        ms: systemClock.now() - started,
      });
    }
  }
}

/** Fresh interpreters an upload may start over in before the link is given up on. */
const UPLOAD_RESTARTS = 12;
