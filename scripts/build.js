#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` runs it): compile src/ to dist/ with tsc, so
// bin/picogc.js starts without transpiling anything. Type checking is `npm run typecheck`'s job;
// this only emits (tsconfig.build.json has noCheck). The build goes to a fresh directory that
// replaces dist/ in one rename: a picogc starting meanwhile sees the old build or the new one,
// never half of one (and with no dist/ at all, it runs the sources).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP, buildInputs, distState, isAsset } from './dist-state.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Build dist/ from the sources as they are now. Returns false, having said why, when TypeScript is
 * not installed (`npm ci --omit=dev`): bin/picogc.js then runs the sources through tsx.
 */
export function buildDist(root = ROOT, log = (line) => process.stderr.write(`${line}\n`)) {
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    log('picogc build: TypeScript is not installed; picogc will run its sources through tsx');
    return false;
  }
  const building = mkdtempSync(join(root, '.dist-build-'));
  try {
    // The build's start as the file system stamps time: a source modified from now on is newer.
    const stamp = join(building, STAMP);
    writeFileSync(stamp, '');
    const startedMs = statSync(stamp).mtimeMs;
    const inputs = buildInputs(root);
    const compiled = spawnSync(
      process.execPath,
      [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', building],
      { cwd: root, stdio: 'inherit' },
    );
    if (compiled.status !== 0) {
      throw new Error(`picogc build: tsc failed (${compiled.error?.message ?? `exit ${compiled.status}`})`);
    }
    for (const path of inputs.keys()) {
      if (!path.startsWith(`src${sep}`) || !isAsset(path)) continue;
      const target = join(building, relative('src', path));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(root, path), target);
    }
    writeFileSync(stamp, `${JSON.stringify({ startedMs, inputs: [...inputs.keys()].sort() }, null, 1)}\n`);
    replace(join(root, 'dist'), building);
    return true;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** dist/ becomes `building`. Two builds at once: one of them ends up as dist/, whole. */
function replace(dist, building) {
  const old = `${building}-old`;
  try {
    renameSync(dist, old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  try {
    renameSync(building, dist);
  } catch (error) {
    // Another build put its dist/ in place first.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  }
  rmSync(old, { recursive: true, force: true });
}

// `node scripts/build.js [--if-stale]`: --if-stale builds only when dist/ is not the build of the
// current sources (the test suite's global setup: its tests run bin/picogc.js, so dist/).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const state = process.argv.includes('--if-stale') ? distState(ROOT) : { fresh: false };
    if (state.fresh) process.stderr.write('picogc build: dist/ is up to date\n');
    else {
      if (state.reason) process.stderr.write(`picogc build: ${state.reason}; building dist/\n`);
      buildDist();
    }
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}
