import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SystemTool } from '../support/system-tools.ts';

/** Debian's cross compiler (gcc-arm-none-eabi; its binutils-arm-none-eabi brings objcopy). */
export const ARM_GCC: SystemTool = {
  name: 'arm-none-eabi-gcc',
  command: 'arm-none-eabi-gcc',
  debianPackage: 'gcc-arm-none-eabi',
  versionArgs: ['--version'],
};
export const ARM_OBJCOPY: SystemTool = {
  name: 'arm-none-eabi-objcopy',
  command: 'arm-none-eabi-objcopy',
  debianPackage: 'binutils-arm-none-eabi',
  versionArgs: ['--version'],
};

const HERE = import.meta.dirname;

/**
 * The ROM test program as a flash image (starting with its boot2 at 0x10000000), built from
 * start.S and rom-test.c in a temporary directory: one compiler call and one objcopy.
 */
export function buildRomTestProgram(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'picogc-rom-program-'));
  try {
    const elf = join(dir, 'rom-test.elf');
    const bin = join(dir, 'rom-test.bin');
    run(ARM_GCC.command, [
      '-mcpu=cortex-m0plus',
      '-mthumb',
      '-Os',
      '-ffreestanding',
      '-nostdlib',
      '-nostartfiles',
      '--param=min-pagesize=0',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-T',
      join(HERE, 'link.ld'),
      '-o',
      elf,
      join(HERE, 'start.S'),
      join(HERE, 'rom-test.c'),
      '-lgcc',
    ]);
    run(ARM_OBJCOPY.command, ['-O', 'binary', elf, bin]);
    return new Uint8Array(readFileSync(bin));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): void {
  const done = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  if (done.status !== 0) {
    throw new Error(`${command} failed (${done.error?.message ?? `exit ${done.status}`}): ${done.stderr}`);
  }
}
