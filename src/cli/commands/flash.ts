import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import type { FlashDeadlines, FlashResult } from '../../firmware/flash-result.ts';
import { DRIVE_ENV } from '../../firmware/bootsel-drive.ts';
import { DEFAULT_FLASH_DEADLINES } from '../../firmware/flash-result.ts';
import { FIRMWARE_VERSION_HELP, firmwareFile } from '../options.ts';

interface FlashCliOptions {
  port: string;
  drive?: string;
  picotool?: string | boolean;
  label?: string;
  json?: boolean;
  timeoutIdentify?: number;
  timeoutBootloader?: number;
  timeoutDrive?: number;
  timeoutLoad?: number;
  timeoutReconnect?: number;
  timeoutConfirm?: number;
}

const TIMEOUTS: [keyof FlashCliOptions & `timeout${string}`, keyof FlashDeadlines, string][] = [
  ['timeoutIdentify', 'identifyMs', 'reading the board before the flash'],
  ['timeoutBootloader', 'bootloaderMs', 'machine.bootloader() until the serial link drops'],
  ['timeoutDrive', 'driveMs', 'until the BOOTSEL drive is there'],
  ['timeoutLoad', 'loadMs', 'copying the image (or picotool load)'],
  ['timeoutReconnect', 'reconnectMs', 'until the board answers on serial again'],
  ['timeoutConfirm', 'confirmMs', 'reading the build it now runs'],
];

/**
 * `picogc flash FILE.uf2 [--port P|auto] [--drive DIR]`: verify a MicroPython build, put it on a
 * Pico through its boot ROM, and prove the board runs it. Exit 0 confirmed, 1 the board reports
 * another build, 2 bad image or usage, 3 a step failed (named in the message).
 */
export function register(program: Command): void {
  const command = program
    .command('flash')
    .description('flash a MicroPython UF2 onto a Pico through its bootloader and confirm it runs that build')
    .argument('<file>', `the .uf2 image (RP2040)${FIRMWARE_VERSION_HELP}`)
    .option('-p, --port <port>', 'the board\'s serial port, or "auto" (the single Pico attached)', 'auto')
    .option(
      '--drive <dir>',
      `the BOOTSEL drive's directory (default: found by label RPI-RP2 and INFO_UF2.TXT, or $${DRIVE_ENV})`,
    )
    .option('--picotool <path>', 'load with this picotool (default: picotool on PATH, else the drive)')
    .option('--no-picotool', 'never use picotool: always copy onto the drive')
    .option('--label <text>', 'a name for this build in reports (default: the file name)')
    .option('--json', 'print the result as one JSON object (the report block and the steps)');
  for (const [flag, key, what] of TIMEOUTS) {
    const name = flag.replace(/^timeout/, '').toLowerCase();
    command.option(
      `--timeout-${name} <seconds>`,
      `deadline: ${what} (default ${DEFAULT_FLASH_DEADLINES[key] / 1000})`,
      seconds(`--timeout-${name}`),
    );
  }
  command.action(async (file: string, options: FlashCliOptions) => {
    const { flashFirmware } = await import('../../flash/flash.ts');
    const { firmwareReportBlock } = await import('../../firmware/report-block.ts');
    const deadlines: Partial<FlashDeadlines> = {};
    for (const [flag, key] of TIMEOUTS) {
      const value = options[flag];
      if (typeof value === 'number') deadlines[key] = value * 1000;
    }
    const result = await flashFirmware({
      image: await firmwareFile(file),
      port: options.port,
      ...(options.drive !== undefined ? { drive: options.drive } : {}),
      ...(options.picotool === false ? { picotool: false } : {}),
      ...(typeof options.picotool === 'string' ? { picotool: options.picotool } : {}),
      ...(options.label !== undefined ? { label: options.label } : {}),
      deadlines,
      log: (line) => process.stderr.write(`picogc: flash: ${line}\n`),
    });
    process.stdout.write(
      options.json ? `${JSON.stringify(flashJson(result, firmwareReportBlock), null, 2)}\n` : summary(result),
    );
  });
}

function flashJson(result: FlashResult, block: (result: FlashResult) => unknown) {
  return {
    firmware: block(result),
    before: result.before,
    after: result.after,
    steps: result.steps,
  };
}

function summary(result: FlashResult): string {
  const total = result.steps.reduce((sum, step) => sum + step.ms, 0);
  return (
    `flashed ${result.image.label} (sha256 ${result.image.sha256}) via ${result.method === 'drive' ? result.drive : 'picotool'}\n` +
    `the board at ${result.after.port} runs ${result.after.buildString} (confirmed) in ${(total / 1000).toFixed(1)} s\n`
  );
}

function seconds(flag: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(value > 0)) {
      throw new UsageError(`${flag} must be a number of seconds > 0, not ${JSON.stringify(text)}`);
    }
    return value;
  };
}
