import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INFO_UF2_FILE } from '../../src/firmware/bootsel-drive.ts';
import { fakeMicroPythonImage, writeUf2 } from '../../src/firmware/uf2-writer.ts';
import { reportSchema } from '../../src/report/schema.ts';
import { VIRTUAL_INFO_UF2 } from '../../src/sim/bootsel.ts';
import { collect, spawnCli } from '../support/cli.ts';

/**
 * "Validate this build" in one command, end to end on the virtual Pico behind a pty, every part
 * a separate process as on a bench: `picogc validate --firmware build.uf2 --port PTY` flashes
 * (bootloader, BOOTSEL drive, copy, reconnect, build confirmed), runs the suite, and writes a
 * report that carries the image.
 */
let dir: string;
let sim: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-validate-fw-'));
});
afterEach(async () => {
  if (!sim) return;
  const exited = new Promise((resolve) => sim!.once('exit', resolve));
  sim.kill('SIGTERM');
  await exited;
  sim = undefined;
});

async function startSim(seed: number): Promise<string> {
  sim = spawnCli(['sim', '--pty', '--seed', String(seed)]);
  return new Promise<string>((resolve, reject) => {
    createInterface({ input: sim!.stdout! }).once('line', resolve);
    sim!.once('exit', (code) => reject(new Error(`picogc sim exited ${code}`)));
  });
}

async function image(name: string, version: string) {
  const bytes = writeUf2(fakeMicroPythonImage({ version, size: 16 * 1024 }));
  const file = join(dir, name);
  await writeFile(file, bytes);
  return { file, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** `picogc validate --firmware FILE --port PTY`, the quick profile of one experiment. */
function validate(firmware: string, port: string, out: string, env: Record<string, string> = {}) {
  return spawnCli(
    ['validate', '--firmware', firmware, '--port', port, '--quick', '-e', 'alloc-sizes', '--out', out],
    { env },
  );
}

describe('picogc validate --firmware on the virtual Pico behind a pty', () => {
  it('flashes, confirms the build, runs the suite and reports the image', async () => {
    const path = await startSim(31);
    const build = await image('build.uf2', 'v1.28.0-7-gabcdef0');
    const out = join(dir, 'good');
    const child = validate(build.file, path, out);
    const r = await collect(child, 120_000);
    expect(r.stderr).toMatch(/flash: load: copied .* and synced/);
    expect(r.stderr).toMatch(/flash: confirm: /);
    expect(r.stdout).toContain('validate: PASS');
    expect(r.code, r.stderr).toBe(0);
    const runDir = join(out, readlinkSync(join(out, 'latest')));
    const report = reportSchema.parse(JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')));
    expect(report.firmware).toMatchObject({
      sha256: build.sha256,
      version: 'v1.28.0-7-gabcdef0',
      target: 'board',
      method: 'drive',
      confirmed: true,
    });
    expect(report.device.firmware.buildString).toBe(report.firmware!.expectedBuild);
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain(build.sha256.slice(0, 16));
  }, 150_000);

  it('exits 1 naming both builds when the board comes back running another one', async () => {
    const path = await startSim(32);
    const build = await image('other.uf2', 'v1.29.0-preview-9-g1234567');
    // The copy lands on another board's drive; RESET then boots the firmware our board has.
    const decoy = join(dir, 'decoy', 'RPI-RP2');
    await mkdir(decoy, { recursive: true });
    await writeFile(join(decoy, INFO_UF2_FILE), VIRTUAL_INFO_UF2);
    const child = validate(build.file, path, join(dir, 'bad'), { PICOGC_BOOTSEL_DRIVE: decoy });
    const done = collect(child, 120_000);
    for (let i = 0; i < 400 && !existsSync(join(decoy, 'other.uf2')); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(decoy, 'other.uf2'))).toBe(true);
    sim!.kill('SIGUSR1');
    const r = await done;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('v1.29.0-preview-9-g1234567');
    expect(r.stderr).toMatch(/step confirm: the board at .* reports build/);
    expect(existsSync(join(dir, 'bad', 'latest'))).toBe(false);
  }, 150_000);
});
