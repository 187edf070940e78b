import { z } from 'zod';
import type { FlashResult, FlashedImage } from './flash-result.ts';
import { verifyImage } from './verify-image.ts';
import { boardRunsBuild } from './micropython-build.ts';

/**
 * The `firmware` block of a report's device card: which image the run was about (sha256, version,
 * label), how it got onto the device, and whether the device was confirmed to run it (its
 * `os.uname().version` matched the image's). A run without `--firmware` has no block.
 */
export const firmwareBlockSchema = z.object({
  /** `--firmware-label`, else the file's name. */
  label: z.string(),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().positive(),
  /** UF2 family name, e.g. `rp2040`. */
  family: z.string(),
  /** MicroPython tag in the image, e.g. `v1.28.0`. */
  version: z.string(),
  buildDate: z.string(),
  /** The `os.uname().version` (or `<tag> on <date>` prefix) the device must report. */
  expectedBuild: z.string(),
  /** A bench board flashed through its boot ROM, or the image loaded into the emulated RP2040. */
  target: z.enum(['board', 'emulator']),
  method: z.enum(['drive', 'picotool', 'emulator']),
  /** ISO time the flash (or load) started. */
  flashedAt: z.string(),
  /** What the device reported after the flash; null when it reported none. */
  deviceBuild: z.string().nullable(),
  confirmed: z.boolean(),
  /** On the emulated RP2040: the boot ROM it ran, `hle (picogc)` (picogc's written ROM) or `B1 sha256 …`. */
  bootRom: z.string().optional(),
  /** Each flash step with its duration, for the report's log. */
  steps: z.array(z.object({ step: z.string(), ms: z.number().nonnegative(), detail: z.string() })),
});
export type FirmwareBlock = z.infer<typeof firmwareBlockSchema>;

/** The block for a flash that finished (confirmed) or a `FirmwareMismatchError`'s result (not confirmed). */
export function firmwareReportBlock(result: FlashResult): FirmwareBlock {
  return {
    ...imageFields(result.image),
    target: 'board',
    method: result.method,
    flashedAt: result.startedAt,
    deviceBuild: result.after.buildString ?? null,
    confirmed: result.confirmed,
    steps: result.steps.map((step) => ({ ...step })),
  };
}

/** The block for an image run on the emulated RP2040 (`--device emu`): loaded, not flashed. */
export function emulatorFirmwareBlock(
  image: FlashedImage,
  loadedAt: string,
  deviceBuild: string | undefined,
  confirmed: boolean,
): FirmwareBlock {
  return {
    ...imageFields(image),
    target: 'emulator',
    method: 'emulator',
    flashedAt: loadedAt,
    deviceBuild: deviceBuild ?? null,
    confirmed,
    steps: [],
  };
}

function imageFields(image: FlashedImage) {
  return {
    label: image.label,
    file: image.file,
    sha256: image.sha256,
    size: image.size,
    family: image.family,
    version: image.build.version,
    buildDate: image.build.buildDate,
    expectedBuild: image.expected,
  };
}

/**
 * For `--device emu --firmware FILE`: the block from the file and what the emulated chip reported
 * (`DeviceInfo.firmware.buildString`); confirmed when that is the image's build.
 */
export async function emulatorFirmwareBlockFor(
  file: string,
  deviceBuild: string | undefined,
  options: { label?: string; loadedAt?: string; bootRom?: string } = {},
): Promise<FirmwareBlock> {
  const image = await verifyImage(file, options.label);
  return {
    ...emulatorFirmwareBlock(
      image,
      options.loadedAt ?? new Date().toISOString(),
      deviceBuild,
      deviceBuild !== undefined && boardRunsBuild(image.build, deviceBuild),
    ),
    ...(options.bootRom !== undefined ? { bootRom: options.bootRom } : {}),
  };
}
