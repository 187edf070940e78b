import { runPicogc } from './picogc-child.ts';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmuDevice } from '../src/device/open-emu.ts';
import type { Device } from '../src/device/device.ts';
import { reportSchema } from '../src/report/schema.ts';
import type { BenchModule } from './bench-module.ts';

/** The RP2040's system clock as MicroPython's rp2 port sets it: emulated µs × 125 = emulated cycles. */
const CYCLES_PER_US = 125;
/** Two spins of emulated time: their difference cancels the exec's own round trip. */
const SHORT_SPIN_MS = 500;
const LONG_SPIN_MS = 2500;
const IDLE_MS = Number(process.env.PICOGC_BENCH_EMU_IDLE_MS ?? 10_000);

/** A CPU-bound loop on the device for `ms` of emulated time (integer work plus a ticks_us check). */
function spin(ms: number): string {
  return `import time
_t = time.ticks_us()
_n = 0
while time.ticks_diff(time.ticks_us(), _t) < ${ms * 1000}:
    _n += 1
print(time.ticks_diff(time.ticks_us(), _t), _n)`;
}

/**
 * The emulated RP2040 (`--device emu`) against the host: (a) emulated cycles per host second while
 * MicroPython runs a CPU-bound loop (and per host CPU second, which a loaded host moves less), (b)
 * host CPU used per wall second while the REPL sits idle, and what emulated time did meanwhile,
 * (c) the wall time of `picogc run --quick --device emu`, with its pauses (emulated µs) so two
 * builds of the emulator can be held to the same figures. Needs PICOGC_BENCH_FIRMWARE (a
 * MicroPython UF2); with PICOGC_BENCH_BOOTROM (a boot ROM read with `picogc bootrom`) the chip runs
 * that ROM, else picogc's written one. Skipped, saying so, without a firmware. PICOGC_BENCH_EMU_QUICK=0 leaves out (c).
 */
export const emuBench: BenchModule = {
  name: 'emu',
  async run() {
    const firmware = process.env.PICOGC_BENCH_FIRMWARE;
    const bootrom = process.env.PICOGC_BENCH_BOOTROM;
    if (!firmware) {
      return {
        skipped:
          'set PICOGC_BENCH_FIRMWARE to a MicroPython RP2040 UF2 (and PICOGC_BENCH_BOOTROM to a boot ROM read with picogc bootrom, else the written ROM runs)',
      };
    }
    const host = {
      cpuCount: availableParallelism(),
      loadAverageAtStart: rounded(loadavg()),
      rom: bootrom ? 'file' : 'hle',
    };
    const { device } = await openEmuDevice({ firmware, ...(bootrom ? { bootrom } : {}) });
    let speed;
    let idle;
    try {
      speed = await measureSpeed(device);
      idle = await measureIdle(device);
    } finally {
      await device.close();
    }
    const quick = process.env.PICOGC_BENCH_EMU_QUICK === '0' ? 'left out' : await quickRun(firmware, bootrom);
    return { ...host, speed, idle, quick, loadAverageAtEnd: rounded(loadavg()) };
  },
};

async function timedSpin(device: Device, ms: number) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { stdout } = await device.exec(spin(ms), { timeoutMs: 60_000 });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const [us, loops] = stdout.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(us) || !Number.isFinite(loops)) throw new Error(`the spin printed ${stdout}`);
  return { emulatedUs: us!, loops: loops!, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** Emulated MHz: the long spin's extra emulated cycles over its extra host time. */
async function measureSpeed(device: Device) {
  await timedSpin(device, 100); // warm the JIT of the emulator's thread
  const short = await timedSpin(device, SHORT_SPIN_MS);
  const long = await timedSpin(device, LONG_SPIN_MS);
  const cycles = (long.emulatedUs - short.emulatedUs) * CYCLES_PER_US;
  const wallS = (long.wallMs - short.wallMs) / 1000;
  const cpuS = (long.cpuMs - short.cpuMs) / 1000;
  return {
    emulatedMHz: round(cycles / wallS / 1e6),
    realTime: round(cycles / wallS / 125e6, 3),
    emulatedMHzPerCpuSecond: round(cycles / cpuS / 1e6),
    loopsPerEmulatedSecond: round((long.loops - short.loops) / ((long.emulatedUs - short.emulatedUs) / 1e6)),
    spins: { short, long },
  };
}

/** The REPL waits for the host: how much host CPU does that cost, and how far does emulated time move? */
async function measureIdle(device: Device) {
  const before = await ticksMs(device);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const after = await ticksMs(device);
  return {
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((used.user + used.system) / 1000),
    cpuPerWallSecondMs: round((used.user + used.system) / 1000 / (wallMs / 1000)),
    // Emulated time across the idle spell (plus the two short execs that read it).
    emulatedMs: (after - before) >>> 0,
  };
}

async function ticksMs(device: Device): Promise<number> {
  const { stdout } = await device.exec('import time\nprint(time.ticks_ms())');
  return Number(stdout.trim());
}

async function quickRun(firmware: string, bootrom: string | undefined) {
  const out = mkdtempSync(join(tmpdir(), 'picogc-bench-emu-'));
  const argv = ['bin/picogc.js', 'run', '--quick', '--device', 'emu', '--firmware', firmware];
  if (bootrom) argv.push('--bootrom', bootrom);
  argv.push('--no-history', '--out', out);
  try {
    const { code, ms: wallMs } = await runPicogc(argv.slice(1));
    const report = reportSchema.parse(
      JSON.parse(readFileSync(join(out, readlinkSync(join(out, 'latest')), 'report.json'), 'utf8')),
    );
    return {
      command: `node ${argv.slice(0, -2).join(' ')}`,
      exitCode: code,
      verdict: report.verdict,
      wallS: round(wallMs / 1000),
      // Emulated µs of every timed pause, in order: the same emulator behaviour gives the same list.
      pauses: report.experiments.flatMap((e) =>
        e.samples.filter((s) => typeof s.us === 'number').map((s) => s.us as number),
      ),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function rounded(load: number[]): number[] {
  return load.map((x) => round(x, 2));
}
