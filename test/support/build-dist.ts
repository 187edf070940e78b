import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * vitest's global setup: many tests run bin/picogc.js as a user would, and it runs dist/ when dist/
 * is the build of the current sources. So dist/ is rebuilt first if a source changed since the last
 * build: the tests then run the code `npm ci` ships, and never an old build (bin/picogc.js would
 * fall back to the sources anyway, at ~1 s of transpiling per process).
 */
export default function setup(): void {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../../scripts/build.js', import.meta.url)), '--if-stale'],
    {
      stdio: 'inherit',
    },
  );
}
