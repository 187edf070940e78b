import { describe, expect, it } from 'vitest';
import { boardRunsBuild, cStrings, findMicroPythonBuild } from './micropython-build.ts';
import { parseUf2 } from './uf2.ts';
import { fakeMicroPythonImage, writeUf2 } from './uf2-writer.ts';

/** Filler with C strings placed at the given offsets, NUL before and after each. */
function imageWith(strings: readonly string[], size = 8192): Uint8Array {
  const image = new Uint8Array(size).fill(0x01);
  let at = 64;
  for (const text of strings) {
    image[at - 1] = 0;
    image.set(Buffer.from(text, 'latin1'), at);
    image[at + text.length] = 0;
    at += text.length + 97; // crosses 256-byte pages, as strings in a real image do
  }
  return image;
}

describe('findMicroPythonBuild', () => {
  it('finds version, date, build type and board in a generated UF2 image that embeds them', () => {
    const image = parseUf2(writeUf2(fakeMicroPythonImage()));
    const { build, conflicts } = findMicroPythonBuild(image.flash.bytes);
    expect(conflicts).toEqual([]);
    expect(build).toEqual({
      version: 'v1.28.0',
      buildDate: '2026-04-06',
      unameVersion: 'v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)',
      buildType: 'GNU 12.2.1 MinSizeRel',
      banner: 'MicroPython v1.28.0 on 2026-04-06',
      machine: 'Raspberry Pi Pico with RP2040',
      boardName: 'Raspberry Pi Pico',
      mcu: 'RP2040',
    });
  });

  it('reads preview and dirty tags whole', () => {
    const version = 'v1.29.0-preview.45.g1a2b3c4d5-dirty';
    const { build } = findMicroPythonBuild(
      fakeMicroPythonImage({ version, machine: 'Raspberry Pi Pico 2 with RP2350' }),
    );
    expect(build?.version).toBe(version);
    expect(build?.unameVersion).toBe(`${version} on 2026-04-06 (GNU 12.2.1 MinSizeRel)`);
    expect(build?.mcu).toBe('RP2350');
  });

  it('works from the banner alone (no os.uname string, no build type)', () => {
    const { build } = findMicroPythonBuild(fakeMicroPythonImage({ omitUnameVersion: true, machine: null }));
    expect(build).toEqual({
      version: 'v1.28.0',
      buildDate: '2026-04-06',
      banner: 'MicroPython v1.28.0 on 2026-04-06',
    });
  });

  it('reads the older one-string banner that carries the machine', () => {
    const { build } = findMicroPythonBuild(
      imageWith(['MicroPython v1.19.1 on 2022-06-18; Raspberry Pi Pico with RP2040']),
    );
    expect(build).toMatchObject({
      version: 'v1.19.1',
      buildDate: '2022-06-18',
      machine: 'Raspberry Pi Pico with RP2040',
    });
  });

  it('reads the machine from the banner tail a v1.28.0 RPI_PICO build stores (`; <board> with RP2040`)', () => {
    const { build } = findMicroPythonBuild(
      imageWith([
        '3.4.0; MicroPython v1.28.0 on 2026-04-06',
        'v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)',
        '; Raspberry Pi Pico with RP2040',
      ]),
    );
    expect(build).toMatchObject({
      version: 'v1.28.0',
      unameVersion: 'v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)',
      machine: 'Raspberry Pi Pico with RP2040',
      boardName: 'Raspberry Pi Pico',
      mcu: 'RP2040',
    });
  });

  it('finds nothing in an image without MicroPython strings', () => {
    expect(findMicroPythonBuild(imageWith(['hello world, this is not it', 'v1.28.0']))).toEqual({
      found: [],
      conflicts: [],
    });
  });

  it('matches whole C strings only: no version inside longer text, none without a NUL', () => {
    const notWhole = imageWith([
      'Release notes for v1.28.0 on 2026-04-06',
      'MicroPython v1.28.0 on 2026-04-06 and more',
      'built with RP2040 support enabled by x',
    ]);
    expect(findMicroPythonBuild(notWhole).found).toEqual([]);
    const unterminated = new Uint8Array(200).fill(0x01);
    unterminated.set(Buffer.from('MicroPython v1.28.0 on 2026-04-06'), 100);
    unterminated[99] = 0; // no NUL after it: a byte 0x01 follows
    expect(findMicroPythonBuild(unterminated).build).toBeUndefined();
  });

  it('does not accept a bare commit hash or a malformed date as a version', () => {
    const image = imageWith([
      'MicroPython 1a2b3c4d on 2026-04-06',
      'MicroPython v1.28.0 on 26-04-06',
      'v1.28 on 2026-4-6',
    ]);
    expect(findMicroPythonBuild(image).build).toBeUndefined();
  });

  it('refuses to choose between two different versions and says why', () => {
    const scan = findMicroPythonBuild(
      imageWith(['MicroPython v1.28.0 on 2026-04-06', 'v1.27.0 on 2025-12-09']),
    );
    expect(scan.build).toBeUndefined();
    expect(scan.conflicts).toEqual(['different versions: v1.28.0 on 2026-04-06 | v1.27.0 on 2025-12-09']);
    expect(scan.found).toHaveLength(2);
  });

  it('keeps the version but drops a machine string that is not unique', () => {
    const scan = findMicroPythonBuild(
      imageWith(['MicroPython v1.28.0 on 2026-04-06', 'Board A with RP2040', 'Board B with RP2040']),
    );
    expect(scan.build?.version).toBe('v1.28.0');
    expect(scan.build?.machine).toBeUndefined();
    expect(scan.conflicts).toEqual(['different machine strings: Board A with RP2040 | Board B with RP2040']);
  });

  it('lists C strings of printable ASCII ended by NUL', () => {
    const bytes = Uint8Array.from(
      Buffer.from('\x00abcdefghijklmn\x00short\x00\xffopqrstuvwxyzabcd\x00tail-no-nul', 'latin1'),
    );
    expect([...cStrings(bytes)]).toEqual(['abcdefghijklmn', 'opqrstuvwxyzabcd']);
  });
});

describe('boardRunsBuild', () => {
  const full = findMicroPythonBuild(fakeMicroPythonImage()).build!;
  const bannerOnly = findMicroPythonBuild(fakeMicroPythonImage({ omitUnameVersion: true })).build!;

  it('needs the exact os.uname().version when the image holds it', () => {
    expect(boardRunsBuild(full, 'v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)')).toBe(true);
    expect(boardRunsBuild(full, 'v1.28.0 on 2026-04-06 (GNU 13.2.1 MinSizeRel)')).toBe(false);
    expect(boardRunsBuild(full, 'v1.28.0 on 2026-04-07 (GNU 12.2.1 MinSizeRel)')).toBe(false);
  });

  it('checks tag and date when the image has only the banner', () => {
    expect(boardRunsBuild(bannerOnly, 'v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)')).toBe(true);
    expect(boardRunsBuild(bannerOnly, 'v1.28.0 on 2026-04-06')).toBe(true);
    expect(boardRunsBuild(bannerOnly, 'v1.28.0-dirty on 2026-04-06')).toBe(false);
    expect(boardRunsBuild(bannerOnly, 'v1.28.0 on 2026-04-066')).toBe(false);
  });
});
