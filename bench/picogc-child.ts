import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/**
 * `node bin/picogc.js ARGS` as its own process, as a user runs it (CI mode, no colour, output
 * dropped): its exit code (null if a signal ended it) and its wall time.
 */
export function runPicogc(args: readonly string[]): Promise<{ code: number | null; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/picogc.js', ...args], {
      cwd: REPO,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, ms: performance.now() - started }));
  });
}
