import { getRelease, type ReleaseRequest } from './release-download.ts';
import { isReleaseVersion } from './release-page.ts';

/**
 * What every `--firmware` (and `firmware info`, `flash`) names: a UF2 file, or an official release
 * by its tag (`v1.28.0`, for the RPI_PICO board), which becomes its verified file in the cache,
 * downloaded first if it is not there. A tag is always a release: `./v1.28.0` names a file of that name.
 */
export async function resolveFirmware(
  firmware: string,
  options: Omit<ReleaseRequest, 'version'> = {},
): Promise<string> {
  if (!isReleaseVersion(firmware)) return firmware;
  const release = await getRelease({
    log: (line) => process.stderr.write(`picogc: ${line}\n`),
    ...options,
    version: firmware,
  });
  return release.path;
}
