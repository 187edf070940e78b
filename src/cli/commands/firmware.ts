import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { RP2_FAMILY_NAMES, isRp2FamilyName } from '../../firmware/uf2-families.ts';
import { FIRMWARE_VERSION_HELP, firmwareFile } from '../options.ts';

/**
 * `picogc firmware info FILE.uf2 [--json] [--family NAME]`: verify a build and say what it is.
 * `picogc firmware get v1.28.0 [--board RPI_PICO] [--json]`: an official release into the cache.
 */
export function register(program: Command): void {
  const firmware = program.command('firmware').description('inspect MicroPython firmware images (UF2)');
  firmware
    .command('info')
    .description('verify a UF2 image and print its family, flash range, sha256 and MicroPython version')
    .argument('<file>', `the .uf2 image${FIRMWARE_VERSION_HELP}`)
    .option('--json', 'print one JSON object (schema picogc.firmware/1)')
    .option('--family <name>', `the family the target takes (${RP2_FAMILY_NAMES.join(', ')})`)
    .action(async (file: string, options: { json?: boolean; family?: string }) => {
      const { formatFirmwareInfo, inspectFirmware } = await import('../../firmware/firmware-info.ts');
      if (options.family !== undefined && !isRp2FamilyName(options.family)) {
        throw new UsageError(
          `--family must be one of ${RP2_FAMILY_NAMES.join(', ')}, not ${JSON.stringify(options.family)}`,
        );
      }
      const { info } = await inspectFirmware(
        await firmwareFile(file),
        options.family === undefined ? {} : { family: options.family },
      );
      process.stdout.write(options.json ? `${JSON.stringify(info, null, 2)}\n` : formatFirmwareInfo(info));
    });
  firmware
    .command('get')
    .description(
      "download an official MicroPython release's UF2 from micropython.org, verify it and keep it in the " +
        'cache; print its path (no network when it is cached already)',
    )
    .argument('<version>', 'the release tag, e.g. v1.28.0 (never a preview build)')
    .option('--board <id>', "the board's id on micropython.org/download (an RP2040 board)", 'RPI_PICO')
    .option('--json', 'print the path, where it came from and the image (schema picogc.firmware/1)')
    .action(async (version: string, options: { board: string; json?: boolean }) => {
      const { getRelease } = await import('../../firmware/release-download.ts');
      const log = (line: string) => process.stderr.write(`picogc: ${line}\n`);
      const release = await getRelease({ version, board: options.board, log });
      const build = release.info.micropython;
      if (options.json) {
        const { path, board, downloadedFrom, info } = release;
        const json = { path, board, version, ...(downloadedFrom ? { downloadedFrom } : {}), firmware: info };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      log(
        `${release.downloadedFrom ? 'downloaded and verified' : 'in the cache, verified'}: ` +
          `MicroPython ${build?.unameVersion ?? version} for ${release.board}, sha256 ${release.info.sha256}`,
      );
      process.stdout.write(`${release.path}\n`);
    });
}
