import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinkError } from '../errors.ts';
import { INDEX_FILE, INFO_UF2_FILE, parseInfoUf2 } from '../firmware/bootsel-drive.ts';
import { fakeMicroPythonImage, writeUf2 } from '../firmware/uf2-writer.ts';
import { RawRepl } from '../repl/raw-repl.ts';
import { VirtualBootselDrive, flashedBuildOf } from './bootsel.ts';
import { PTY_BACKEND_ROWS } from '../../test/support/pty-backends.ts';
import { servePty, type PtyServer } from './pty.ts';
import { ReplDriver } from './testing.ts';
import { VirtualPico } from './virtual-pico.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-bootsel-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function waitFor<T>(check: () => T | undefined | false, what: string, limitMs = 15_000): Promise<T> {
  const until = performance.now() + limitMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('VirtualBootselDrive', () => {
  it('presents INFO_UF2.TXT and INDEX.HTM as an RP2040 ROM does', async () => {
    const drive = await VirtualBootselDrive.present(join(dir, 'RPI-RP2'));
    const info = parseInfoUf2(await readFile(join(drive.path, INFO_UF2_FILE), 'latin1'));
    expect(info).toMatchObject({ model: 'Raspberry Pi RP2', boardId: 'RPI-RP2' });
    expect(await readFile(join(drive.path, INDEX_FILE), 'latin1')).toMatch(
      /^<html><head><meta http-equiv="refresh"/,
    );
    await drive.remove();
    expect(existsSync(drive.path)).toBe(false);
  });

  it('ignores what the boot ROM would ignore, then takes a valid RP2040 image', async () => {
    const log: string[] = [];
    const drive = await VirtualBootselDrive.present(join(dir, 'RPI-RP2'), {
      log: (l) => log.push(l),
      pollMs: 10,
    });
    const taking = drive.waitForImage();
    await writeFile(join(drive.path, 'notes.txt'), 'not a UF2\n');
    await writeFile(join(drive.path, 'esp32.uf2'), writeUf2(new Uint8Array(1024), { family: 0x1c5f21b0 }));
    await writeFile(
      join(drive.path, 'cut.uf2'),
      writeUf2(fakeMicroPythonImage({ size: 4096 })).subarray(0, 5000),
    );
    await waitFor(() => log.length >= 3, 'three files judged');
    expect(log.sort()).toEqual([
      expect.stringMatching(
        /^BOOTSEL drive: ignored cut\.uf2, as the boot ROM would \(cut\.uf2: truncated: /,
      ) as string,
      expect.stringMatching(
        /^BOOTSEL drive: ignored esp32\.uf2, as the boot ROM would \(esp32\.uf2: wrong-family: /,
      ) as string,
      expect.stringMatching(
        /^BOOTSEL drive: ignored notes\.txt, as the boot ROM would \(notes\.txt: not-uf2: /,
      ) as string,
    ]);
    const good = writeUf2(fakeMicroPythonImage({ version: 'v1.28.0-5-g1234567', size: 8192 }));
    await writeFile(join(drive.path, 'good.uf2'), good);
    const taken = (await taking)!;
    expect(taken.file).toBe(join(drive.path, 'good.uf2'));
    expect(flashedBuildOf(taken)).toEqual({
      unameVersion: 'v1.28.0-5-g1234567 on 2026-04-06 (GNU 12.2.1 MinSizeRel)',
      sha256: taken.image.sha256,
      version: 'v1.28.0-5-g1234567',
    });
    await drive.remove();
  });

  it('an image without a MicroPython build is taken, but gives no build to report', async () => {
    const drive = await VirtualBootselDrive.present(join(dir, 'RPI-RP2'), { pollMs: 10 });
    const taking = drive.waitForImage();
    await writeFile(join(drive.path, 'blink.uf2'), writeUf2(new Uint8Array(2048).fill(0x46)));
    const taken = (await taking)!;
    expect(taken.build).toBeUndefined();
    expect(flashedBuildOf(taken)).toBeUndefined();
    await drive.remove();
  });
});

describe('the virtual Pico in this process', () => {
  let pico: VirtualPico | undefined;
  afterEach(async () => {
    await pico?.close();
    pico = undefined;
  });

  it('reports a flashed build as os.uname().version, the VM still the wasm one', async () => {
    pico = await VirtualPico.start({
      seed: 4,
      build: {
        unameVersion: 'v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)',
        sha256: 'ab'.repeat(32),
        version: 'v1.28.0',
      },
    });
    const repl = new RawRepl(pico.link);
    await repl.enter();
    const { stdout } = await repl.exec(
      'import os, sys\nprint(os.uname().version)\nprint(os.uname().release)\nprint(sys.implementation.version[:2])\nprint(sorted(os.listdir("/"))[0])',
    );
    expect(stdout).toBe('v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)\r\n1.28.0\r\n(1, 27)\r\ndev\r\n');
    // And after a soft reset (a fresh VM) too.
    await repl.softReset();
    expect((await repl.exec('import os\nprint(os.uname().version)')).stdout).toMatch(
      /^v1\.28\.0 on 2026-04-06/,
    );
  });

  it('machine.bootloader() ends the link, as a USB serial port disappears', async () => {
    pico = await VirtualPico.start({ seed: 5 });
    const repl = new RawRepl(pico.link);
    await repl.enter();
    const error = await repl
      .exec('import machine\nprint("going")\nmachine.bootloader()\nprint("still here")')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).message).toMatch(/link/);
  });
});

describe.each(PTY_BACKEND_ROWS)(
  'servePty on a pty from %s: the BOOTSEL cycle',
  (_title, { backend, available }) => {
    let server: PtyServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it.skipIf(!available)(
      'drops the pty, ignores an invalid image, reboots on a valid one at the same path',
      async () => {
        const states: string[] = [];
        server = await servePty({
          seed: 6,
          backend,
          driveDir: join(dir, 'drive'),
          onState: (s) => states.push(s),
        });
        const { SerialPort } = await import('serialport');
        const port = new SerialPort({ path: server.path, baudRate: 115200, autoOpen: false });
        await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
        const repl = new ReplDriver(port, 15_000);
        await repl.enterRaw();
        const uid = (
          await repl.exec('import machine, binascii\nprint(binascii.hexlify(machine.unique_id()).decode())')
        ).stdout;
        repl.write('import machine\nmachine.bootloader()\x04');
        await waitFor(() => server!.state === 'bootsel', 'BOOTSEL');
        await new Promise<void>((resolve) => port.close(() => resolve()));
        expect(existsSync(server.path)).toBe(false);
        expect(existsSync(join(dir, 'drive', INFO_UF2_FILE))).toBe(true);

        await writeFile(
          join(dir, 'drive', 'rp2350.uf2'),
          writeUf2(fakeMicroPythonImage({ size: 4096 }), { family: 'rp2350-arm-s' }),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(server.state).toBe('bootsel');

        await writeFile(
          join(dir, 'drive', 'fw.uf2'),
          writeUf2(fakeMicroPythonImage({ version: 'v1.28.0-9-gcafe', size: 4096 })),
        );
        await waitFor(() => server!.state === 'repl', 'the reboot');
        expect(states).toEqual(['rebooting', 'bootsel', 'repl']);
        expect(existsSync(join(dir, 'drive'))).toBe(false);
        const again = new SerialPort({ path: server.path, baudRate: 115200, autoOpen: false });
        await new Promise<void>((resolve, reject) => again.open((e) => (e ? reject(e) : resolve())));
        try {
          const repl2 = new ReplDriver(again, 15_000);
          await repl2.enterRaw();
          expect(
            (
              await repl2.exec(
                'import machine, binascii\nprint(binascii.hexlify(machine.unique_id()).decode())',
              )
            ).stdout,
          ).toBe(uid);
          expect((await repl2.exec('import os\nprint(os.uname().version)')).stdout).toBe(
            'v1.28.0-9-gcafe on 2026-04-06 (GNU 12.2.1 MinSizeRel)\r\n',
          );
        } finally {
          await new Promise<void>((resolve) => again.close(() => resolve()));
        }
      },
      30_000,
    );

    it.skipIf(!available)(
      'RESET pressed while it is leaving serial is not lost: the old firmware comes back',
      async () => {
        const states: string[] = [];
        server = await servePty({
          seed: 7,
          backend,
          driveDir: join(dir, 'drive'),
          onState: (s) => {
            states.push(s);
            // The earliest moment a user (or a test's SIGUSR1) can press RESET.
            if (s === 'rebooting') void server!.reset();
          },
        });
        const { SerialPort } = await import('serialport');
        const port = new SerialPort({ path: server.path, baudRate: 115200, autoOpen: false });
        await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
        const repl = new ReplDriver(port, 15_000);
        await repl.enterRaw();
        repl.write('import machine\nmachine.bootloader()\x04');
        await waitFor(() => states.includes('repl'), 'the reset');
        await new Promise<void>((resolve) => port.close(() => resolve()));
        expect(states).toEqual(['rebooting', 'bootsel', 'repl']);
        expect(server.build).toBeUndefined();
        expect(existsSync(join(dir, 'drive'))).toBe(false);
        expect(existsSync(server.path)).toBe(true);
      },
      30_000,
    );
  },
);
