import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { reportSchema } from '../../src/report/schema.ts';
import { runCli, spawnCli } from '../support/cli.ts';
import { EMU_DIFFERENCES, EMULATED_RP2040_KIND } from '../../src/device/emu-capabilities.ts';
import { openEmuDevice } from '../../src/device/open-emu.ts';
import { romHooks } from '../../src/emu/rp2040-emu.ts';
import { HOOK } from '../../src/emu/emu-protocol.ts';
import { pauseVsLive } from '../../src/experiments/pause-vs-live.ts';
import { EXPERIMENTS } from '../../src/experiments/index.ts';
import { runSession } from '../../src/run/session.ts';
import { silentProgress } from '../../src/run/progress.ts';
import { fakeMicroPythonImage, writeUf2 } from '../../src/firmware/uf2-writer.ts';
import { BOOTROM, FIRMWARE, NO_IMAGES, SKIP_REASON } from '../support/firmware-images.ts';

/**
 * The emulated RP2040 (`--device emu`). The tests that boot a firmware need a MicroPython image and
 * the RP2040 boot ROM, which picogc never ships or fetches: they run when PICOGC_TEST_FIRMWARE and
 * PICOGC_TEST_BOOTROM name them (and rp2040js is installed), and are skipped, saying so, otherwise.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-emu-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

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

/** Live-set sizes around the mark stack's 64 entries. */
const SIZES = [0, 16, 32, 48, 56, 60, 62, 64, 96];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

describe('--device emu: bad input is refused before anything boots', () => {
  it('exits 2 without --firmware, naming what is missing (--bootrom is optional)', async () => {
    const noFirmware = await picogc('exec', '--device', 'emu', 'print(1)');
    expect(noFirmware.code).toBe(2);
    expect(noFirmware.stderr).toContain('--device emu needs --firmware FILE.uf2');
  });

  it('picogc emu --pty exits 2 without --firmware, and explains itself without --pty', async () => {
    const bare = await picogc('emu');
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('picogc validate --port PATH');
    expect(bare.stdout).toContain("picogc's written boot ROM");
    const noFirmware = await picogc('emu', '--pty', '--bootrom', 'rom.bin');
    expect(noFirmware.code).toBe(2);
    expect(noFirmware.stderr).toContain('picogc emu --pty needs --firmware FILE.uf2');
  });

  it('exits 2 on a boot ROM file that is not one', async () => {
    const image = join(dir, 'fw2.uf2');
    await writeFile(image, writeUf2(fakeMicroPythonImage({ size: 4096 })));
    const rom = join(dir, 'not-a-rom.bin');
    await writeFile(rom, new Uint8Array(16 * 1024));
    const result = await picogc('exec', '--device', 'emu', '--firmware', image, '--bootrom', rom, 'print(1)');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^picogc: BootromError: .*not-a-rom\.bin: no boot ROM magic "Mu\\x01" at 0x10/,
    );
  });

  it('maps the ROM flash routines found through its function table onto the host-side hooks', () => {
    const facts = {
      sha256: '0'.repeat(64),
      version: 'B1',
      initialStackPointer: 0x20041f00,
      resetVector: 0xef,
      functions: { RE: 0x237d, RP: 0x23c5, IF: 0x24a1, EX: 0x23f5, FC: 0x2361, CX: 0x2331, P3: 0x2d9 },
    };
    expect(romHooks(facts)).toEqual([
      [0x237d, HOOK.erase],
      [0x23c5, HOOK.program],
      [0x24a1, HOOK.return],
      [0x23f5, HOOK.return],
      [0x2361, HOOK.return],
      [0x2331, HOOK.return],
    ]);
  });
});

describe(`--device emu running the user's firmware${SKIP_REASON}`, () => {
  it.skipIf(NO_IMAGES)(
    'exec prints 42 through the emulated USB CDC',
    async () => {
      const result = await picogc(
        'exec',
        '--device',
        'emu',
        '--firmware',
        FIRMWARE!,
        '--bootrom',
        BOOTROM!,
        'print(6*7)',
      );
      expect(result.stdout).toBe('42\r\n'); // the firmware's own cooked output
      expect(result.code).toBe(0);
    },
    120_000,
  );

  it.skipIf(NO_IMAGES)(
    "declares what it is: the image's build, the emulator's differences; the filesystem works (flash hooks)",
    async () => {
      const session = await openEmuDevice({ firmware: FIRMWARE!, bootrom: BOOTROM! });
      try {
        const info = await session.device.info();
        expect(info.firmware.buildString).toBe(session.image.expected);
        expect(info.firmware.machine).toMatch(/RP2040/);
        expect(info.capabilities.collectTiming).toBe('ticks_us');
        expect(info.capabilities.differences.map((d) => d.split(':')[0])).toEqual(
          EMU_DIFFERENCES.map((d) => d.id),
        );
        expect(info.capabilities.differences[0]).toMatch(new RegExp(`^${EMULATED_RP2040_KIND}: not a board`));
        expect(info.description).toMatch(
          /^emulated RP2040 \(rp2040js 1\.4\.1, boot ROM B\d sha256 [0-9a-f]{16}\)/,
        );
        expect(info.capabilities.differences[0]).toContain('read from a Pico (run exactly)');
        // littlefs on the flash array: written through the intercepted ROM routines, read back.
        const { stdout } = await session.device.exec(
          "f = open('picogc.txt', 'w')\nf.write('flash works')\nf.close()\nprint(open('picogc.txt').read())",
          { timeoutMs: 60_000 },
        );
        expect(stdout).toBe('flash works\r\n');
      } finally {
        await session.device.close();
      }
    },
    120_000,
  );

  it.skipIf(NO_IMAGES)(
    'two boots give the same pause within 1% (emulated cycle time)',
    async () => {
      const pauses: number[] = [];
      for (let boot = 0; boot < 2; boot++) {
        const { device } = await openEmuDevice({ firmware: FIRMWARE!, bootrom: BOOTROM! });
        try {
          await device.exec('live = [bytearray(48) for _ in range(300)]', { timeoutMs: 60_000 });
          const us: number[] = [];
          for (let i = 0; i < 5; i++) us.push((await device.timedCollect({ timeoutMs: 60_000 })).us);
          pauses.push(median(us));
        } finally {
          await device.close();
        }
      }
      expect(pauses[0]).toBeGreaterThan(0);
      expect(Math.abs(pauses[0]! - pauses[1]!) / pauses[0]!).toBeLessThanOrEqual(0.01);
    },
    180_000,
  );

  it.skipIf(NO_IMAGES)(
    'an idle REPL costs no host CPU, and a sleeping chip is fast-forwarded to its timer',
    async () => {
      const { device } = await openEmuDevice({ firmware: FIRMWARE!, bootrom: BOOTROM! });
      try {
        // The REPL waits for the host: the chip sleeps (WFE) with nothing scheduled, and its thread
        // blocks instead of stepping (it used to take a zero-length USB packet every few µs).
        const cpu = process.cpuUsage();
        const started = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const used = process.cpuUsage(cpu);
        const cpuShare = (used.user + used.system) / 1000 / (performance.now() - started);
        expect(cpuShare).toBeLessThan(0.1);
        // 5 s of device sleep: the clock jumps to the timer's alarm, far faster than real time.
        const sleepStarted = performance.now();
        const { stdout } = await device.exec(
          'import time\n_t = time.ticks_ms()\ntime.sleep_ms(5000)\nprint(time.ticks_diff(time.ticks_ms(), _t))',
          { timeoutMs: 60_000 },
        );
        expect(Number(stdout.trim())).toBeGreaterThanOrEqual(5000);
        expect(performance.now() - sleepStarted).toBeLessThan(2500);
      } finally {
        await device.close();
      }
    },
    120_000,
  );

  it.skipIf(NO_IMAGES)(
    'the pause-vs-live curve shows the mark-stack cliff near 64 children (facts §9)',
    async () => {
      const { device } = await openEmuDevice({ firmware: FIRMWARE!, bootrom: BOOTROM! });
      try {
        const { report } = await runSession({
          device,
          experiments: [pauseVsLive],
          profile: 'quick',
          overrides: [
            { experiment: 'pause-vs-live', param: 'nLive', value: SIZES },
            { experiment: 'pause-vs-live', param: 'size', value: 16 },
            { experiment: 'pause-vs-live', param: 'reps', value: 3 },
            { experiment: 'pause-vs-live', param: 'rounds', value: 1 },
          ],
          outDir: join(dir, 'cliff'),
          stepTimeoutMs: 120_000,
          progress: silentProgress,
        });
        const samples = report.experiments[0]!.samples as { type: string; nLive: number; us: number }[];
        const at = (n: number) =>
          median(samples.filter((s) => s.type === 'pause' && s.nLive === n).map((s) => s.us));
        const steps = SIZES.slice(1).map((n, i) => ({
          from: SIZES[i]!,
          to: n,
          ratio: at(n) / at(SIZES[i]!),
        }));
        // One step of the curve is a cliff: the list's children no longer fit the 64-entry mark stack
        // (with whatever else is on it), and the whole heap is rescanned, several times slower. Every
        // other step grows a little per object.
        const cliffs = steps.filter((s) => s.ratio > 3);
        expect(cliffs).toHaveLength(1);
        expect(cliffs[0]!.to).toBeGreaterThan(32);
        expect(cliffs[0]!.to).toBeLessThanOrEqual(64);
        for (const step of steps.filter((s) => s !== cliffs[0])) expect(step.ratio).toBeLessThan(1.5);
      } finally {
        await device.close();
      }
    },
    300_000,
  );

  it.skipIf(NO_IMAGES)(
    'a quick run of every experiment completes',
    async () => {
      const { device } = await openEmuDevice({ firmware: FIRMWARE!, bootrom: BOOTROM! });
      try {
        const { report, runDir } = await runSession({
          device,
          experiments: EXPERIMENTS,
          profile: 'quick',
          outDir: join(dir, 'quick'),
          // Emulation runs several times slower than a Pico in host time.
          stepTimeoutMs: 180_000,
          progress: silentProgress,
        });
        expect(runDir).toContain(join(dir, 'quick'));
        expect(report.experiments.map((e) => [e.id, e.status])).toEqual(
          EXPERIMENTS.map((e) => [e.id, 'completed']),
        );
        expect(report.device.capabilities.kind).toBe('emulated-rp2040');
        expect(report.device.capabilities.differences[0]).toMatch(/^emulated-rp2040: /);
      } finally {
        await device.close();
      }
    },
    900_000,
  );

  it.skipIf(NO_IMAGES)(
    'picogc emu --pty serves the chip where --port opens it: a run through the real serial stack passes',
    async () => {
      const server = spawnCli(['emu', '--pty', '--firmware', FIRMWARE!, '--bootrom', BOOTROM!]);
      try {
        const path = await new Promise<string>((resolve, reject) => {
          server.once('exit', (code) => reject(new Error(`picogc emu --pty exited (${code})`)));
          createInterface({ input: server.stdout! }).once('line', (line) => resolve(line.trim()));
        });
        const out = join(dir, 'port');
        const run = await runCli(
          ['run', '--port', path, '--quick', '-e', 'alloc-sizes,fragmentation', '--out', out],
          { timeoutMs: 600_000 },
        );
        expect(run.code, run.stderr).toBe(0);
        const report = reportSchema.parse(
          JSON.parse(await readFile(join(out, 'latest', 'report.json'), 'utf8')),
        );
        expect(report.device.backend).toBe('serial');
        expect(report.device.description).toBe(path);
        expect(report.verdict).toBe('pass');
      } finally {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
    },
    900_000,
  );
});
