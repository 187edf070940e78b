import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError, UsageError } from '../../errors.ts';
import { wholeNumber } from '../options.ts';

interface BootromOptions {
  port: string;
  out: string;
  chunk: number;
  force?: boolean;
}

/**
 * `picogc bootrom --port P --out FILE`: read the 16 KiB RP2040 boot ROM from the user's own Pico
 * (machine.mem32 from address 0, in checked chunks), verify it and save it, for the emulated
 * RP2040 (`--device emu --bootrom FILE`). The ROM is Raspberry Pi's; picogc never ships or fetches it.
 */
export function register(program: Command): void {
  program
    .command('bootrom')
    .description('read the RP2040 boot ROM from your Pico through the raw REPL (for --device emu)')
    .requiredOption('-p, --port <port>', 'the Pico\'s serial port, or "auto"')
    .requiredOption('-o, --out <file>', 'where to save the 16 KiB image')
    .option('--chunk <bytes>', 'bytes per read (a multiple of 4 dividing 16384)', wholeNumber(4), 1024)
    .option('--force', 'overwrite FILE if it exists')
    .action(async (options: BootromOptions) => {
      const { ReplDevice } = await import('../../device/repl-device.ts');
      const { BOOTROM_SIZE } = await import('../../firmware/bootrom.ts');
      const { readBootrom } = await import('../../flash/read-bootrom.ts');
      const { openLink } = await import('../../link/open.ts');
      if (options.chunk <= 0 || options.chunk % 4 !== 0 || BOOTROM_SIZE % options.chunk !== 0) {
        throw new UsageError(
          `--chunk must be a multiple of 4 that divides ${BOOTROM_SIZE}, not ${options.chunk}`,
        );
      }
      const device = await ReplDevice.connect(await openLink(options.port), 'serial', { softReset: false });
      let result;
      try {
        result = await readBootrom(device, {
          chunkBytes: options.chunk,
          log: (line) => process.stderr.write(`picogc: bootrom: ${line}\n`),
        });
      } finally {
        await device.close();
      }
      try {
        await writeFile(options.out, result.rom, { flag: options.force ? 'w' : 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new InputError(
          code === 'EEXIST'
            ? `${options.out} exists (--force to overwrite)`
            : `cannot write ${options.out}: ${code}`,
        );
      }
      const { facts, rereads } = result;
      process.stdout.write(
        `saved the RP2040 boot ROM (${facts.version}, ${BOOTROM_SIZE} bytes, sha256 ${facts.sha256}) to ${options.out}` +
          `${rereads.length > 0 ? `; ${rereads.length} damaged chunk(s) read again` : ''}\n` +
          "it is Raspberry Pi's code: keep it for your own use (picogc --device emu --bootrom FILE)\n",
      );
    });
}
