import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { FIRMWARE_VERSION_HELP, firmwareFile } from '../options.ts';

interface EmuOptions {
  pty?: boolean;
  path?: string;
  firmware?: string;
  bootrom?: string;
}

const GUIDANCE = `picogc emu serves your firmware on an emulated RP2040 (rp2040js): its USB serial port on a
pseudo-terminal, for picogc's --port and any other serial tool.

  picogc emu --pty --firmware FW.uf2 [--bootrom ROM.bin]
                                   (or --firmware v1.28.0: that official release, cached; without
                                   --bootrom the chip runs picogc's written boot ROM)
                                   print the path of a pseudo-terminal (first line of stdout) and
                                   serve it until SIGINT/SIGTERM
  picogc validate --port PATH      then judge the build there, through the serial stack a board gets

Other commands reach the same emulated chip in-process with --device emu --firmware F [--bootrom R].
`;

/** `picogc emu --pty --firmware F [--bootrom R] [--path P]`: an emulated RP2040 on a pseudo-terminal. */
export function register(program: Command): void {
  program
    .command('emu')
    .description('serve your firmware on an emulated RP2040 (rp2040js) on a pseudo-terminal')
    .option('--pty', 'serve on a pseudo-terminal; its path is the first line of stdout')
    .option('--path <path>', 'where to create the pty link (default: a new temporary directory)')
    .option('--firmware <file|version>', `the MicroPython UF2 to run${FIRMWARE_VERSION_HELP}`)
    .option(
      '--bootrom <file>',
      "the RP2040 boot ROM read from your Pico (picogc bootrom); without it, picogc's written ROM",
    )
    .action(async (options: EmuOptions) => {
      if (!options.pty) {
        process.stdout.write(GUIDANCE);
        return;
      }
      if (!options.firmware) throw new UsageError('picogc emu --pty needs --firmware FILE.uf2');
      const { serveEmuOnPty } = await import('../../device/open-emu.ts');
      const log = (line: string) => process.stderr.write(`picogc: ${line}\n`);
      const server = await serveEmuOnPty({
        firmware: await firmwareFile(options.firmware),
        ...(options.bootrom !== undefined ? { bootrom: options.bootrom } : {}),
        ...(options.path === undefined ? {} : { path: options.path }),
        log,
      });
      process.stdout.write(`${server.path}\n`);
      log(
        `${server.description} on ${server.path} (a pty from ${server.backend}); Ctrl-C or SIGTERM to stop`,
      );
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      await server.close();
      log(`${signal}: emulated RP2040 stopped`);
    });
}
