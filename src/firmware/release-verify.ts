import { InputError } from '../errors.ts';
import { firmwareInfo, inspectFirmware, type FirmwareInfo } from './firmware-info.ts';
import { findMicroPythonBuild, type MicroPythonScan } from './micropython-build.ts';
import { parseUf2 } from './uf2.ts';

/**
 * Is this the release that was asked for? A cached or downloaded file is used only when it is a UF2
 * an RP2040's boot ROM takes whole (uf2.ts's checks) and the MicroPython build inside it names
 * exactly the requested tag: a truncated transfer, another chip's image, a preview build or another
 * release are all refused here, before a board or the emulator sees them.
 */

/** The bytes of a download, `source` (its address) naming it in every message. */
export function verifyReleaseBytes(bytes: Uint8Array, source: string, version: string): FirmwareInfo {
  const image = parseUf2(bytes, { family: 'rp2040', source });
  const scan = findMicroPythonBuild(image.flash.bytes);
  checkReleaseBuild(scan, version, source);
  return firmwareInfo(image, scan);
}

/** A cached file, read again each time it is used (a few ms): the cache is trusted no more than the network. */
export async function verifyCachedRelease(path: string, version: string): Promise<FirmwareInfo> {
  const { scan, info } = await inspectFirmware(path, { family: 'rp2040' });
  checkReleaseBuild(scan, version, path);
  return info;
}

function checkReleaseBuild(scan: MicroPythonScan, version: string, source: string): void {
  if (scan.build?.version === version) return;
  const holds = scan.build
    ? `holds MicroPython ${scan.build.version} on ${scan.build.buildDate}`
    : `holds no MicroPython version string${scan.conflicts.length > 0 ? ` (${scan.conflicts.join('; ')})` : ''}`;
  throw new InputError(`${source}: the image ${holds}, not the release ${version}`);
}
