import { basename } from 'node:path';
import { InputError } from '../errors.ts';
import { inspectFirmware } from './firmware-info.ts';
import type { FlashedImage } from './flash-result.ts';

/** Verify the UF2 for an RP2040 and find the build it carries; without one nothing can be confirmed (exit 2). */
export async function verifyImage(file: string, label?: string): Promise<FlashedImage> {
  const { image, scan } = await inspectFirmware(file);
  const build = scan.build;
  if (!build) {
    const why = scan.conflicts.length > 0 ? `: ${scan.conflicts.join('; ')}` : '';
    throw new InputError(
      `${file}: no MicroPython version string found in the image${why}; picogc could not confirm ` +
        'that a board runs it after the flash',
    );
  }
  return {
    file,
    sha256: image.sha256,
    size: image.fileSize,
    family: image.family.name,
    build,
    expected: build.unameVersion ?? `${build.version} on ${build.buildDate}`,
    label: label ?? basename(file),
  };
}
