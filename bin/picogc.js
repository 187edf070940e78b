#!/usr/bin/env node
// Runs dist/, the JavaScript `npm ci` compiled from src/ (scripts/build.js), so picogc starts without
// transpiling anything. When dist/ is missing or older than any source (an edited file, a checkout),
// it runs the TypeScript sources through tsx instead: slower to start, never stale.
// PICOGC_FROM_SOURCE=1 asks for the sources whatever the state of dist/.
import { fileURLToPath } from 'node:url';
import { distState } from '../scripts/dist-state.js';

const state = process.env.PICOGC_FROM_SOURCE
  ? { fresh: false, reason: 'PICOGC_FROM_SOURCE is set' }
  : distState(fileURLToPath(new URL('../', import.meta.url)));
let main;
if (state.fresh) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  if (process.stderr.isTTY && !process.env.PICOGC_FROM_SOURCE) {
    process.stderr.write(`picogc: running the sources through tsx (${state.reason}; npm run build)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
