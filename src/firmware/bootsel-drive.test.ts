import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinkError, UsageError } from '../errors.ts';
import { DRIVE_ENV, INFO_UF2_FILE, findDriveOnce, parseInfoUf2, waitForDrive } from './bootsel-drive.ts';

const RP2040_INFO = 'UF2 Bootloader v3.0\r\nModel: Raspberry Pi RP2\r\nBoard-ID: RPI-RP2\r\n';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'picogc-drive-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function drive(path: string, info = RP2040_INFO): Promise<string> {
  await mkdir(path, { recursive: true });
  await writeFile(join(path, INFO_UF2_FILE), info);
  return path;
}

/** Search only inside the test's directory: no real /media, /proc/mounts or /dev/disk. */
function search(extra: object = {}) {
  return {
    mountRoots: [join(root, 'media'), join(root, 'run-media')],
    byLabelDir: join(root, 'by-label'),
    mountsFile: join(root, 'mounts'),
    env: {},
    ...extra,
  };
}

describe('parseInfoUf2', () => {
  it('reads the bootloader line and the Key: value fields (CRLF or LF)', () => {
    expect(parseInfoUf2(RP2040_INFO)).toEqual({
      bootloader: 'UF2 Bootloader v3.0',
      model: 'Raspberry Pi RP2',
      boardId: 'RPI-RP2',
      fields: { Model: 'Raspberry Pi RP2', 'Board-ID': 'RPI-RP2' },
    });
    expect(parseInfoUf2('UF2 Bootloader v2.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n')?.boardId).toBe(
      'RPI-RP2',
    );
  });

  it('is undefined for a file that is not a UF2 drive description', () => {
    expect(parseInfoUf2('hello\nBoard-ID: RPI-RP2\n')).toBeUndefined();
    expect(parseInfoUf2('')).toBeUndefined();
  });
});

describe('findDriveOnce', () => {
  it('finds a drive mounted by label under a user directory (udisks style)', async () => {
    const path = await drive(join(root, 'media', 'alice', 'RPI-RP2'));
    const found = await findDriveOnce(search());
    expect(found).toMatchObject({ path, foundBy: 'label', kind: { label: 'RPI-RP2', family: 'rp2040' } });
  });

  it('ignores a directory named RPI-RP2 without an INFO_UF2.TXT', async () => {
    await mkdir(join(root, 'media', 'RPI-RP2'), { recursive: true });
    expect(await findDriveOnce(search())).toBeUndefined();
  });

  it('finds the drive mounted elsewhere through /proc/mounts and the by-label link', async () => {
    const device = join(root, 'sdb1');
    await writeFile(device, '');
    await mkdir(join(root, 'by-label'));
    await symlink(device, join(root, 'by-label', 'RPI-RP2'));
    const path = await drive(join(root, 'my mount'));
    await writeFile(
      join(root, 'mounts'),
      `/dev/sda1 / ext4 rw 0 0\n${device} ${join(root, 'my\\040mount')} vfat rw 0 0\n`,
    );
    expect(await findDriveOnce(search())).toMatchObject({ path, foundBy: 'label' });
  });

  it('refuses to guess between two drives (two boards in BOOTSEL): a usage error', async () => {
    await drive(join(root, 'media', 'alice', 'RPI-RP2'));
    await drive(join(root, 'run-media', 'bob', 'RPI-RP2'));
    await expect(findDriveOnce(search())).rejects.toThrow(UsageError);
    await expect(findDriveOnce(search())).rejects.toThrow(
      /several BOOTSEL drives .* choose one with --drive DIR/,
    );
  });

  it('--drive and the environment variable name the only candidate', async () => {
    await drive(join(root, 'media', 'alice', 'RPI-RP2'));
    const named = await drive(join(root, 'elsewhere'));
    expect(await findDriveOnce(search({ drive: named }))).toMatchObject({ path: named, foundBy: 'option' });
    expect(await findDriveOnce(search({ env: { [DRIVE_ENV]: named } }))).toMatchObject({
      path: named,
      foundBy: 'env',
    });
    expect(await findDriveOnce(search({ drive: join(root, 'nothing') }))).toBeUndefined();
  });

  it('a virtual Pico presents its drive beside its pty; a /dev port is never looked beside', async () => {
    const path = await drive(join(root, 'sim', 'RPI-RP2'));
    expect(await findDriveOnce(search({ port: join(root, 'sim', 'pico') }))).toMatchObject({
      path,
      foundBy: 'beside-port',
    });
    expect(await findDriveOnce(search({ port: '/dev/ttyACM0' }))).toBeUndefined();
  });
});

describe('waitForDrive deadlines and advice (exit 3, step drive)', () => {
  it('says how to mount a drive that is attached but not mounted', async () => {
    const device = join(root, 'sdc1');
    await writeFile(device, '');
    await mkdir(join(root, 'by-label'));
    await symlink(device, join(root, 'by-label', 'RPI-RP2'));
    const error = await waitForDrive({ ...search(), timeoutMs: 50, pollMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(
      /^step drive: the BOOTSEL drive RPI-RP2 is attached \(.*sdc1\) but not mounted; mount it \(udisksctl mount -b/,
    );
  });

  it('names a --drive directory that never became a drive', async () => {
    await mkdir(join(root, 'empty'));
    await expect(
      waitForDrive({ ...search({ drive: join(root, 'empty') }), timeoutMs: 50, pollMs: 10 }),
    ).rejects.toThrow(/^step drive: .*empty has no INFO_UF2\.TXT of a UF2 bootloader after 0\.1 s/);
  });

  it('with nothing attached, says where it looked and what to do', async () => {
    await expect(waitForDrive({ ...search(), timeoutMs: 50, pollMs: 10 })).rejects.toThrow(
      /^step drive: no BOOTSEL drive \(label RPI-RP2 with INFO_UF2\.TXT\) appeared within 0\.1 s .*hold BOOTSEL/,
    );
  });

  it('returns as soon as the drive appears', async () => {
    const path = join(root, 'media', 'RPI-RP2');
    setTimeout(() => void drive(path), 30);
    expect(await waitForDrive({ ...search(), timeoutMs: 5_000, pollMs: 10 })).toMatchObject({ path });
  });
});
