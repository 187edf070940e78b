// Is dist/ (the JavaScript scripts/build.js compiles from src/) the build of the sources as they are
// now? bin/picogc.js asks at every start and runs src/ through tsx when the answer is no, so an old
// build is never run in place of newer sources. Plain JavaScript and node:fs only: it runs before
// anything is compiled, and costs a few milliseconds (one stat per source file).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written by scripts/build.js into dist/: what the build was made from, and when it started. */
export const STAMP = 'build-stamp.json';

/** The build's own recipe: a change to one of these makes dist/ stale too. */
const RECIPE = ['tsconfig.json', 'tsconfig.build.json', join('scripts', 'build.js')];

/**
 * What a build is made from, path (relative to the repository) → modification time: every file
 * under src/ but the tests (TypeScript is compiled, anything else copied as is), and the recipe.
 */
export function buildInputs(root) {
  const inputs = new Map();
  // A walk by hand: readdirSync's own `recursive` costs ~10 ms more at a cold start.
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !path.endsWith('.test.ts'))
        inputs.set(path, statSync(join(root, path)).mtimeMs);
    }
  };
  walk('src');
  for (const path of RECIPE) inputs.set(path, statSync(join(root, path)).mtimeMs);
  return inputs;
}

/** Files under src/ copied into dist/ as they are (the VM workers, data): all but TypeScript and notes. */
export function isAsset(path) {
  return !path.endsWith('.ts') && !path.endsWith('.md');
}

/**
 * `{ fresh: true }` when dist/ was built from exactly the current inputs and none of them changed
 * since that build started; otherwise `{ fresh: false, reason }`. Modification times are compared
 * with the build's start as the same file system stamped it, so no clock but the file system's counts.
 */
export function distState(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'dist', STAMP), 'utf8'));
  } catch {
    return { fresh: false, reason: 'dist/ is not built' };
  }
  let inputs;
  try {
    inputs = buildInputs(root);
  } catch (error) {
    return { fresh: false, reason: `cannot list the sources (${error.message})` };
  }
  const built = new Set(stamp.inputs);
  for (const [path, mtimeMs] of inputs) {
    if (!built.has(path)) return { fresh: false, reason: `${path} is not in dist/` };
    if (mtimeMs >= stamp.startedMs) return { fresh: false, reason: `${path} changed since dist/ was built` };
  }
  if (built.size !== inputs.size) {
    const removed = stamp.inputs.find((path) => !inputs.has(path));
    return { fresh: false, reason: `${removed} was removed since dist/ was built` };
  }
  return { fresh: true };
}
