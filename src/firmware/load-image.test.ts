import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkError } from '../errors.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { copyToDrive, findOnPath, picotoolLoad } from './load-image.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-load-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in picotool (a shell script): the real one needs a board in BOOTSEL on USB. */
async function fakePicotool(body: string): Promise<string> {
  const path = join(dir, 'picotool');
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('copyToDrive', () => {
  it('writes the image byte for byte under its own name, with unsafe characters replaced', async () => {
    const image = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff);
    const result = await copyToDrive(image, dir, '/builds/my build;1.uf2');
    expect(result).toEqual({ target: join(dir, 'my_build_1.uf2'), bytes: 4096 });
    expect(Buffer.compare(await readFile(result.target), Buffer.from(image))).toBe(0);
  });

  it('a drive that is not there is a LinkError naming the load step (exit 3)', async () => {
    const error = await copyToDrive(new Uint8Array(512), join(dir, 'gone'), 'a.uf2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toBe(`step load: cannot open ${join(dir, 'gone', 'a.uf2')}: ENOENT`);
  });
});

describe('picotoolLoad', () => {
  it('runs `picotool load -x FILE --ser SERIAL` and keeps what it said', async () => {
    const picotool = await fakePicotool(`echo "args: $*"`);
    const result = await picotoolLoad(picotool, '/tmp/fw.uf2', { timeoutMs: 5_000, serial: 'E6614103E7' });
    expect(result.command).toEqual([picotool, 'load', '-x', '/tmp/fw.uf2', '--ser', 'E6614103E7']);
    expect(result.output).toBe('args: load -x /tmp/fw.uf2 --ser E6614103E7');
  });

  it('a failing picotool is a LinkError with its last words and the permission hint', async () => {
    const picotool = await fakePicotool(
      'echo "ERROR: Unable to access device: LIBUSB_ERROR_ACCESS" >&2; exit 253',
    );
    await expect(picotoolLoad(picotool, 'x.uf2', { timeoutMs: 5_000 })).rejects.toThrow(
      /^step load: .*picotool load -x x\.uf2 exited 253 \(permission denied: add a udev rule for 2e8a:0003 or run as root\): ERROR: Unable/,
    );
  });

  it('a picotool that hangs is killed at the deadline on its clock, and not before', async () => {
    const clock = new ManualClock();
    const started = join(dir, 'started');
    const picotool = await fakePicotool(`touch '${started}'; exec sleep 30`);
    let settled = false;
    const loading = picotoolLoad(picotool, 'x.uf2', { timeoutMs: 60_000, clock }).finally(
      () => (settled = true),
    );
    loading.catch(() => undefined);
    await vi.waitFor(() => expect(existsSync(started)).toBe(true));
    clock.advance(59_999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    clock.advance(1);
    await expect(loading).rejects.toThrow(
      /^step load: .*picotool load -x x\.uf2 did not finish within 60000 ms/,
    );
  });

  it('findOnPath finds an executable on PATH and nothing else', async () => {
    const picotool = await fakePicotool('true');
    expect(findOnPath('picotool', `/nonexistent:${dir}`)).toBe(picotool);
    expect(findOnPath('picotool', '/nonexistent')).toBeUndefined();
  });
});
