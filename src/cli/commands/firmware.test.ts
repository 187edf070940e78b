import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fakeMicroPythonImage, writeUf2 } from '../../firmware/uf2-writer.ts';
import { main } from '../main.ts';

let dir: string;
let stdout: string;
let stderr: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-firmware-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function run(...argv: string[]): Promise<number> {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return await main(argv);
  } finally {
    vi.restoreAllMocks();
  }
}

async function file(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('picogc firmware info', () => {
  it('prints family, flash range, sha256, version and board of a valid image; exit 0', async () => {
    const path = await file('build.uf2', writeUf2(fakeMicroPythonImage({ size: 32 * 1024 })));
    expect(await run('firmware', 'info', path)).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('rp2040 (0xe48bff56, Raspberry Pi RP2040), 128 blocks');
    expect(stdout).toContain('0x10000000..0x10008000 (32768 bytes, contiguous)');
    expect(stdout).toMatch(/^micropython +v1\.28\.0 on 2026-04-06 \(GNU 12\.2\.1 MinSizeRel\)$/m);
    expect(stdout).toMatch(/^board +Raspberry Pi Pico with RP2040$/m);
    expect(stdout).toMatch(/^sha256 +[0-9a-f]{64}$/m);
  });

  it('--json prints one object with the same facts', async () => {
    const path = await file(
      'json.uf2',
      writeUf2(fakeMicroPythonImage({ size: 4096, version: 'v1.28.0-dirty' })),
    );
    expect(await run('firmware', 'info', path, '--json')).toBe(0);
    const info = JSON.parse(stdout) as Record<string, unknown>;
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
    expect(await run('firmware', 'info', path)).toBe(0);
    expect(stdout).toContain('no MicroPython version string found');
  });

  it.each([
    ['not a UF2 at all', Buffer.from('just text\n'.repeat(100)), 'not-uf2'],
    ['truncated', writeUf2(new Uint8Array(2048)).subarray(0, 1000), 'truncated'],
    ['an ESP32 image', writeUf2(new Uint8Array(512), { family: 0x1c5f21b0 }), 'wrong-family'],
  ])('exits 2 with one line naming the reason: %s', async (_label, bytes, reason) => {
    const path = await file(`${reason}.uf2`, bytes);
    expect(await run('firmware', 'info', path)).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.startsWith(`picogc: Uf2Error: ${path}: ${reason}: `)).toBe(true);
    expect(stderr).toMatch(/^[^\n]+\n$/); // one line
  });

  it('exits 2 for a wrong --family, a missing file, and an unknown family name', async () => {
    const path = await file('pico.uf2', writeUf2(new Uint8Array(512)));
    expect(await run('firmware', 'info', path, '--family', 'rp2350-arm-s')).toBe(2);
    expect(stderr).toMatch(/^picogc: Uf2Error: .*wrong-family: the image is for rp2040 \(0xe48bff56\)/);
    expect(await run('firmware', 'info', join(dir, 'absent.uf2'))).toBe(2);
    expect(stderr).toBe(`picogc: InputError: cannot read ${join(dir, 'absent.uf2')}: ENOENT\n`);
    expect(await run('firmware', 'info', path, '--family', 'esp32')).toBe(2);
    expect(stderr).toMatch(/^picogc: UsageError: --family must be one of rp2040, /);
  });

  it('exits 2 on a missing argument', async () => {
    expect(await run('firmware', 'info')).toBe(2);
    expect(stderr).toContain("missing required argument 'file'");
  });
});
