import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCli } from '../../../test/support/in-process-cli.ts';
import { fakeMicroPythonImage, writeUf2 } from '../../firmware/uf2-writer.ts';

const cli = new InProcessCli();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-firmware-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('picogc firmware info', () => {
  it('prints family, flash range, sha256, version and board of a valid image; exit 0', async () => {
    const path = await file('build.uf2', writeUf2(fakeMicroPythonImage({ size: 32 * 1024 })));
    expect(await cli.run('firmware', 'info', path)).toBe(0);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('rp2040 (0xe48bff56, Raspberry Pi RP2040), 128 blocks');
    expect(cli.stdout).toContain('0x10000000..0x10008000 (32768 bytes, contiguous)');
    expect(cli.stdout).toMatch(/^micropython +v1\.28\.0 on 2026-04-06 \(GNU 12\.2\.1 MinSizeRel\)$/m);
    expect(cli.stdout).toMatch(/^board +Raspberry Pi Pico with RP2040$/m);
    expect(cli.stdout).toMatch(/^sha256 +[0-9a-f]{64}$/m);
  });

  it('--json prints one object with the same facts', async () => {
    const path = await file(
      'json.uf2',
      writeUf2(fakeMicroPythonImage({ size: 4096, version: 'v1.28.0-dirty' })),
    );
    expect(await cli.run('firmware', 'info', path, '--json')).toBe(0);
    const info = JSON.parse(cli.stdout) as Record<string, unknown>;
    expect(info).toMatchObject({
      schema: 'picogc.firmware/1',
      file: path,
      fileSize: 16 * 512,
      family: { name: 'rp2040', id: '0xe48bff56' },
      flash: { start: '0x10000000', end: '0x10001000', size: 4096, holes: 0 },
      micropython: { version: 'v1.28.0-dirty', buildDate: '2026-04-06' },
      conflicts: [],
    });
    expect(info.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says so when the image carries no MicroPython version, still exit 0', async () => {
    const path = await file('plain.uf2', writeUf2(new Uint8Array(1024)));
    expect(await cli.run('firmware', 'info', path)).toBe(0);
    expect(cli.stdout).toContain('no MicroPython version string found');
  });

  it.each([
    ['not a UF2 at all', Buffer.from('just text\n'.repeat(100)), 'not-uf2'],
    ['truncated', writeUf2(new Uint8Array(2048)).subarray(0, 1000), 'truncated'],
    ['an ESP32 image', writeUf2(new Uint8Array(512), { family: 0x1c5f21b0 }), 'wrong-family'],
  ])('exits 2 with one line naming the reason: %s', async (_label, bytes, reason) => {
    const path = await file(`${reason}.uf2`, bytes);
    expect(await cli.run('firmware', 'info', path)).toBe(2);
    expect(cli.stdout).toBe('');
    expect(cli.stderr.startsWith(`picogc: Uf2Error: ${path}: ${reason}: `)).toBe(true);
    expect(cli.stderr).toMatch(/^[^\n]+\n$/); // one line
  });

  it('exits 2 for a wrong --family, a missing file, and an unknown family name', async () => {
    const path = await file('pico.uf2', writeUf2(new Uint8Array(512)));
    expect(await cli.run('firmware', 'info', path, '--family', 'rp2350-arm-s')).toBe(2);
    expect(cli.stderr).toMatch(/^picogc: Uf2Error: .*wrong-family: the image is for rp2040 \(0xe48bff56\)/);
    expect(await cli.run('firmware', 'info', join(dir, 'absent.uf2'))).toBe(2);
    expect(cli.stderr).toBe(`picogc: InputError: cannot read ${join(dir, 'absent.uf2')}: ENOENT\n`);
    expect(await cli.run('firmware', 'info', path, '--family', 'esp32')).toBe(2);
    expect(cli.stderr).toMatch(/^picogc: UsageError: --family must be one of rp2040, /);
  });

  it('exits 2 on a missing argument', async () => {
    expect(await cli.run('firmware', 'info')).toBe(2);
    expect(cli.stderr).toContain("missing required argument 'file'");
  });
});
