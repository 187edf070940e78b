import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Device } from './device.ts';

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
 * every script uses its `emit()`.
 */
export async function uploadScripts(device: Device, names: string[]): Promise<void> {
  for (const name of ['common', ...names.filter((n) => n !== 'common')]) {
    const source = deviceScript(name);
    // Its functions outlive the upload: they land where they would without a fault (device.ts),
    // also when an upload that may have run goes again (its first functions forgotten first).
    await device.exec(source, { timeoutMs: 20_000, collectFirst: true, undo: forgetScript(source) });
  }
}

/**
 * Code that forgets the names a script binds at its top level (defs, classes, assignments), so
 * that run again it starts from none of its first run's objects. Imports stay: a module lives on in
 * sys.modules whatever its name here (and the stub's own imports are names of these globals too).
 * Only names the script itself interned: a name new to the device would be interned for good.
 */
export function forgetScript(source: string): string {
  const names = new Set<string>();
  for (const line of source.split('\n')) {
    const bound = /^(?:def|class)\s+(\w+)/.exec(line) ?? /^(\w+)\s*=(?!=)/.exec(line);
    if (bound) names.add(bound[1]!);
  }
  return [...names].map((name) => `globals().pop('${name}', None)`).join('\n');
}
