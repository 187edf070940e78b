import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The parts of a Pico's surface the virtual Pico makes of Python (`src/sim/pico-lib/`, written to
 * `/lib` at every boot), and when they are imported.
 *
 * A Pico has these in C, costing its heap nothing. Here they are Python: imported, their code and
 * objects live on the VM's heap, and a collection marks them. Imported at boot they would be in
 * every heap picogc measures, and the work clock's fit holds the VM's counted work for the default
 * profile exactly (work-clock-calibration.test.ts). So a module is imported only before an
 * execution whose source names what it provides (or imports it itself): every other heap stays as
 * it was. The names are looked for in the bytes fed to the VM, across cuts.
 */
export interface SurfaceModule {
  module: string;
  /** Names in a script's source that load the module: whole words, or words that start so. */
  words: readonly string[];
  prefixes?: readonly string[];
}

export const SURFACE_MODULES: readonly SurfaceModule[] = [
  // os.VfsLfs2 / os.VfsFat, vfs.*, and mount() detecting a block device's filesystem.
  { module: 'picogc_vfs', words: ['vfs', 'mount', 'umount', 'mkfs'], prefixes: ['Vfs'] },
  // input() over sys.stdin (the VM's own reads a stub that never returns).
  { module: 'picogc_input', words: ['input'] },
];

/** Each module's words as one pattern, made once: the server looks at every chunk of input. */
const TRIGGERS = new Map(
  SURFACE_MODULES.map((surface) => {
    const names = [...surface.words, ...(surface.prefixes ?? []).map((prefix) => `${prefix}\\w*`)];
    return [surface.module, new RegExp(`\\b(?:${names.join('|')})\\b`)] as const;
  }),
);

const PICO_LIB_DIR = fileURLToPath(new URL('./pico-lib/', import.meta.url));

let libFiles: Record<string, string> | undefined;

/** The `/lib` files of the surface, by file name (read once). */
export function surfaceLibFiles(): Record<string, string> {
  libFiles ??= Object.fromEntries(
    readdirSync(PICO_LIB_DIR)
      .filter((name) => name.endsWith('.py'))
      .sort()
      .map((name) => [name, readFileSync(`${PICO_LIB_DIR}${name}`, 'utf8')]),
  );
  return libFiles;
}

/** Longest trigger name a cut may split in two (`VfsLfs2` and a few more). */
const TAIL_BYTES = 32;

/** Which surface modules the next execution needs, for one VM (reset at every boot). */
export class SurfaceLoader {
  private loaded = new Set<string>();
  private tail = '';

  /** A fresh VM: nothing is loaded. */
  reset(): void {
    this.loaded.clear();
    this.tail = '';
  }

  /** The modules `bytes` (the next input fed to the VM) names that are not loaded yet; marks them loaded. */
  needed(bytes: Uint8Array): string[] {
    const text = this.tail + Buffer.from(bytes).toString('latin1');
    this.tail = text.slice(-TAIL_BYTES);
    const wanted = SURFACE_MODULES.filter(
      (m) => !this.loaded.has(m.module) && TRIGGERS.get(m.module)!.test(text),
    ).map((m) => m.module);
    for (const module of wanted) this.loaded.add(module);
    return wanted;
  }
}
