import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { RP2_FAMILY_NAMES, isRp2FamilyName } from '../../firmware/uf2-families.ts';

/** `picogc firmware info FILE.uf2 [--json] [--family NAME]`: verify a build and say what it is. */
export function register(program: Command): void {
  const firmware = program.command('firmware').description('inspect MicroPython firmware images (UF2)');
  firmware
    .command('info')
    .description('verify a UF2 image and print its family, flash range, sha256 and MicroPython version')
    .argument('<file>', 'the .uf2 image')
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
        file,
        options.family === undefined ? {} : { family: options.family },
      );
      process.stdout.write(options.json ? `${JSON.stringify(info, null, 2)}\n` : formatFirmwareInfo(info));
    });
}
