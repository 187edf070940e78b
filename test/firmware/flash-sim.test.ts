import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ReplDevice } from '../../src/device/repl-device.ts';
import { INFO_UF2_FILE } from '../../src/firmware/bootsel-drive.ts';
import { firmwareBlockSchema } from '../../src/firmware/report-block.ts';
import { fakeMicroPythonImage, writeUf2 } from '../../src/firmware/uf2-writer.ts';
import { openLink } from '../../src/link/open.ts';
import { VIRTUAL_INFO_UF2 } from '../../src/sim/bootsel.ts';
import { servePty, type PtyServer } from '../../src/sim/pty.ts';
import { runCli, spawnCli } from '../support/cli.ts';

/**
 * `picogc flash` end to end against `picogc sim --pty` in its own process: the real serial
 * bindings on a real pty, the virtual Pico's bootloader dropping the pty and presenting its BOOTSEL
 * drive, the copy, the reboot onto the same path, and the build check.
 */

let dir: string;
let sim: { child: ChildProcess; path: string; stderr: () => string } | undefined;
let server: PtyServer | undefined;
let simLog: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-flash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
  simLog = [];
  if (!sim) return;
  const { child } = sim;
  sim = undefined;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
});

async function startSim(seed: number): Promise<{ child: ChildProcess; path: string; stderr: () => string }> {
  const child = spawnCli(['sim', '--pty', '--seed', String(seed)]);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const path = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sim did not start: ${stderr}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n')[0]!;
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`sim exited ${code}: ${stderr}`)));
  });
  sim = { child, path, stderr: () => stderr };
  return sim;
}

/** The virtual Pico on a real pty in this process (the bindings and the pty are still real). */
async function serveSim(seed: number): Promise<PtyServer> {
  server = await servePty({ seed, log: (line) => simLog.push(line) });
  return server;
}

/** `picogc ARGS` in this process (main() as bin/picogc.js calls it), output captured. */
async function picogc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

async function image(
  name: string,
  version: string,
): Promise<{ file: string; sha256: string; expected: string }> {
  const bytes = writeUf2(fakeMicroPythonImage({ version, size: 16 * 1024 }));
  const file = join(dir, name);
  await writeFile(file, bytes);
  return {
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    expected: `${version} on 2026-04-06 (GNU 12.2.1 MinSizeRel)`,
  };
}

/** A second BOOTSEL drive (another board's): what the copy lands on when the user names the wrong one. */
async function decoyDrive(name: string): Promise<string> {
  const drive = join(dir, name, 'RPI-RP2');
  await mkdir(drive, { recursive: true });
  await writeFile(join(drive, INFO_UF2_FILE), VIRTUAL_INFO_UF2);
  return drive;
}

async function boardInfo(path: string) {
  const device = await ReplDevice.connect(await openLink(path), 'serial');
  try {
    return await device.info();
  } finally {
    await device.close();
  }
}

async function waitFor(check: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const until = performance.now() + limitMs;
  while (!check()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('picogc flash on the virtual Pico behind a pty', () => {
  it('bootloader → drive → copy → reconnect → build confirmed; the board then reports the image', async () => {
    const { path, stderr } = await startSim(21);
    const before = await boardInfo(path);
    expect(before.firmware.buildString).toBeUndefined(); // the wasm VM has no os.uname()
    const build = await image('good.uf2', 'v1.28.0-42-gfeedbee');

    const result = await runCli(['flash', build.file, '--port', path, '--no-picotool', '--json']);
    expect(result.stderr).toMatch(/flash: bootloader: machine\.bootloader\(\) on .*the serial link dropped/);
    expect(result.stderr).toMatch(
      /flash: drive: .*RPI-RP2 \(UF2 Bootloader v3\.0, RPI-RP2; found by beside-port\)/,
    );
    expect(result.stderr).toMatch(/flash: load: copied 32768 bytes to .*good\.uf2 and synced/);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      firmware: unknown;
      before: { uniqueId: string };
      after: { uniqueId: string };
    };
    const block = firmwareBlockSchema.parse(out.firmware);
    expect(block).toMatchObject({
      label: 'good.uf2',
      sha256: build.sha256,
      version: 'v1.28.0-42-gfeedbee',
      expectedBuild: build.expected,
      deviceBuild: build.expected,
      target: 'board',
      method: 'drive',
      confirmed: true,
    });
    expect(block.steps.map((s) => s.step)).toEqual([
      'verify',
      'identify',
      'bootloader',
      'drive',
      'load',
      'reconnect',
      'confirm',
    ]);
    expect(out.after.uniqueId).toBe(before.uniqueId);
    expect(stderr()).toContain('BOOTSEL drive: took good.uf2');

    // Same path, same unique id, the image's build; the VM says it is still the wasm one.
    const after = await boardInfo(path);
    expect(after.uniqueId).toBe(before.uniqueId);
    expect(after.firmware.buildString).toBe(build.expected);
    expect(after.firmware.version).toBe('1.27.0');
    expect(after.capabilities.kind).toBe('virtual-pico');
    expect(after.capabilities.differences.some((d) => d.startsWith('flashed-image-not-executed:'))).toBe(
      true,
    );
    expect(after.capabilities.differences.join('\n')).toContain(build.sha256);
    // The drive went away with the reboot.
    expect(existsSync(join(path, '..', 'RPI-RP2'))).toBe(false);
  }, 60_000);

  it('exits 1 naming both builds when the board comes back running another one', async () => {
    const { path } = await serveSim(22);
    const first = await image('first.uf2', 'v1.28.0');
    expect((await picogc('flash', first.file, '--port', path, '--no-picotool')).code).toBe(0);

    // The second image goes to another board's drive; someone presses RESET on ours, which boots
    // the firmware it has.
    const second = await image('second.uf2', 'v1.29.0-preview-1-gabc');
    const drive = await decoyDrive('other-board');
    const flashing = picogc('flash', second.file, '--port', path, '--no-picotool', '--drive', drive);
    await waitFor(() => server!.state === 'bootsel', 'the second BOOTSEL');
    await waitFor(() => existsSync(join(drive, 'second.uf2')), 'the copy onto the other drive');
    await server!.reset();
    const result = await flashing;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('picogc: FirmwareMismatchError: step confirm:');
    expect(result.stderr).toContain(`reports build ${JSON.stringify(first.expected)}`);
    expect(result.stderr).toContain(`${second.file} is ${JSON.stringify(second.expected)}`);
    expect((await boardInfo(path)).firmware.buildString).toBe(first.expected);
  }, 60_000);

  it('exits 3 within the reconnect deadline when the board never comes back', async () => {
    const { path } = await serveSim(23);
    const build = await image('lost.uf2', 'v1.28.0');
    const drive = await decoyDrive('wrong-board');
    const started = performance.now();
    const result = await picogc(
      'flash',
      build.file,
      '--port',
      path,
      '--no-picotool',
      '--drive',
      drive,
      '--timeout-reconnect',
      '2',
    );
    const elapsed = performance.now() - started;
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^picogc: LinkError: step reconnect: the board \(.*pico\) did not come back on serial within 2\.0 s/m,
    );
    // Far below the 30 s default: the deadline given is the one honoured.
    expect(elapsed).toBeLessThan(15_000);
    expect(await readdir(drive)).toContain('lost.uf2');
    expect(server!.state).toBe('bootsel'); // still waiting in its boot ROM
  }, 60_000);

  it('loads with picotool when given one, skipping the drive step', async () => {
    const { path, driveDir } = await serveSim(26);
    // A stand-in for picotool: PICOBOOT is USB, which a virtual Pico does not have, so it writes
    // the image the way the ROM takes it here (onto the drive), and says what picotool says while
    // no board is in BOOTSEL.
    const picotool = join(dir, 'picotool');
    await writeFile(
      picotool,
      [
        '#!/bin/sh',
        `echo "$*" >> ${join(dir, 'picotool.log')}`,
        `if [ ! -f '${join(driveDir, INFO_UF2_FILE)}' ]; then echo "No accessible RP-series devices in BOOTSEL mode were found."; exit 1; fi`,
        `cp "$3" '${driveDir}/'`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const build = await image('via-picotool.uf2', 'v1.28.0-7-gaaaaaaa');
    const result = await picogc('flash', build.file, '--port', path, '--picotool', picotool, '--json');
    expect(result.code).toBe(0);
    const block = firmwareBlockSchema.parse((JSON.parse(result.stdout) as { firmware: unknown }).firmware);
    expect(block).toMatchObject({ method: 'picotool', confirmed: true, deviceBuild: build.expected });
    expect(block.steps.map((s) => s.step)).toEqual([
      'verify',
      'identify',
      'bootloader',
      'load',
      'reconnect',
      'confirm',
    ]);
    expect(block.steps.find((s) => s.step === 'load')!.detail).toBe(`${picotool} load -x ${build.file}`);
    const calls = (await readFile(join(dir, 'picotool.log'), 'utf8')).trim().split('\n');
    expect(calls.at(-1)).toBe(`load -x ${build.file}`);
  }, 60_000);

  it('exits 2 on an image without a MicroPython build, before touching the board', async () => {
    const { path } = await serveSim(24);
    const file = join(dir, 'blank.uf2');
    await writeFile(file, writeUf2(new Uint8Array(4096)));
    const result = await picogc('flash', file, '--port', path, '--no-picotool');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^picogc: InputError: .*no MicroPython version string found in the image/);
    expect(server!.state).toBe('repl');
    expect(simLog.join('\n')).not.toContain('machine.bootloader()');
    expect((await boardInfo(path)).firmware.name).toBe('micropython');
  }, 60_000);

  it('exits 3 naming the drive step when the named drive never has INFO_UF2.TXT', async () => {
    const { path } = await serveSim(25);
    const build = await image('nodrive.uf2', 'v1.28.0');
    const result = await picogc(
      'flash',
      build.file,
      '--port',
      path,
      '--no-picotool',
      '--drive',
      join(dir, 'not-mounted'),
      '--timeout-drive',
      '1',
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^picogc: LinkError: step drive: .*not-mounted does not exist after 1\.0 s/m,
    );
  }, 60_000);
});
