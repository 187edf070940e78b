import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.ts';
import { isReleaseVersion } from './release-page.ts';

/**
 * Where official releases are kept once downloaded, and the names that may be used for them:
 * `$XDG_CACHE_HOME/picogc/firmware/<board>/<version>.uf2` (`~/.cache/…` without it), so a release is
 * fetched once per user and any later command finds it with no network at all.
 */

/** The board picogc measures by default: the Raspberry Pi Pico (RP2040). */
export const DEFAULT_RELEASE_BOARD = 'RPI_PICO';

/** micropython.org's board ids (`RPI_PICO`, `RPI_PICO_W`, `ARDUINO_NANO_RP2040_CONNECT`): also a path part. */
const BOARD_ID = /^[A-Z0-9][A-Z0-9_]{0,63}$/;

export function checkBoardId(board: string): string {
  if (!BOARD_ID.test(board)) {
    throw new UsageError(
      `--board must be a MicroPython board id as on micropython.org/download (e.g. ${DEFAULT_RELEASE_BOARD}), ` +
        `not ${JSON.stringify(board)}`,
    );
  }
  return board;
}

export function checkReleaseVersion(version: string): string {
  if (!isReleaseVersion(version)) {
    throw new UsageError(
      `a MicroPython release is named by its tag, e.g. v1.28.0, not ${JSON.stringify(version)}`,
    );
  }
  return version;
}

/** The cache's root: XDG says a relative XDG_CACHE_HOME is invalid and is to be ignored. */
export function firmwareCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const root = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache');
  return join(root, 'picogc', 'firmware');
}

/** The one file a release of one board is cached as. */
export function cachedReleasePath(
  board: string,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return join(firmwareCacheDir(env), checkBoardId(board), `${checkReleaseVersion(version)}.uf2`);
}
