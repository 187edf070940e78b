import { runPicogc } from './picogc-child.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileReportSchema } from '../src/profile/profile-report-schema.ts';
import type { BenchModule } from './bench-module.ts';

const SECONDS = Number(process.env.PICOGC_BENCH_PROFILE_SECONDS ?? 16);
const BARE_SECONDS = Number(process.env.PICOGC_BENCH_PROFILE_BARE ?? 2.5);
const EXAMPLES = ['leaky_sensor.py', 'preallocated_loop.py'];

/**
 * What `picogc profile`'s sampler costs the program it watches, on real firmware (the emulated
 * RP2040): each example runs its first BARE_SECONDS without the sampler (mark() stores its time
 * only), then with it; the figures are the loop's iterations a second and median period, and the
 * allocation rate, without and with, next to the sampler's own accounts (its CPU share from the
 * tick and heap-read costs measured at start, its flushes, its prints' bytes). Needs
 * PICOGC_BENCH_FIRMWARE and PICOGC_BENCH_BOOTROM, as the emu bench; skipped, saying so, without
 * them (the virtual Pico has no machine.Timer: there is no sampler to take away).
 */
export const profileCostBench: BenchModule = {
  name: 'profile-cost',
  async run() {
    const firmware = process.env.PICOGC_BENCH_FIRMWARE;
    const bootrom = process.env.PICOGC_BENCH_BOOTROM;
    if (!firmware || !bootrom) {
      return {
        skipped:
          'set PICOGC_BENCH_FIRMWARE to a MicroPython RP2040 UF2 and PICOGC_BENCH_BOOTROM to a boot ROM (the virtual Pico has no sampler timer)',
      };
    }
    const results: Record<string, unknown> = { seconds: SECONDS, bareSeconds: BARE_SECONDS };
    for (const example of EXAMPLES) results[example] = await profileOne(example, firmware, bootrom);
    return results;
  },
};

async function profileOne(example: string, firmware: string, bootrom: string) {
  const out = mkdtempSync(join(tmpdir(), 'picogc-bench-profile-'));
  const argv = ['bin/picogc.js', 'profile', '--device', 'emu', '--firmware', firmware, '--bootrom', bootrom];
  argv.push('--seconds', String(SECONDS), '--bare-seconds', String(BARE_SECONDS), '--out', out);
  argv.push(join('examples', example));
  try {
    const { code } = await runPicogc(argv.slice(1));
    const report = profileReportSchema.parse(
      JSON.parse(readFileSync(join(out, 'latest-profile', 'report.json'), 'utf8')),
    );
    const s = report.sampler;
    const c = s.cost;
    return {
      exitCode: code,
      without: {
        iterationsPerSecond: round(c?.withoutRateHz),
        loopP50Us: round(c?.withoutGapP50Us),
        bytesPerSecond: round(c?.withoutBytesPerSecond),
      },
      with: {
        iterationsPerSecond: round(c?.withRateHz),
        loopP50Us: round(c?.withGapP50Us),
        bytesPerSecond: round(c?.withBytesPerSecond),
        probePrintBytesPerSecond: round(report.allocation?.probeBytesPerSecond),
      },
      iterationsChange: c?.withRateHz && c.withoutRateHz ? round(c.withRateHz / c.withoutRateHz - 1) : null,
      notShown: c?.notShown ?? ['no bare phase in the report'],
      sampler: {
        periodUs: s.periodUs,
        tickUs: s.tickUs,
        heapReadUs: s.allocUs,
        readEveryTicks: s.every,
        cpuShare: round(s.cpuShare),
        flushP50Us: round(s.flushUs?.p50),
      },
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function round(x: number | undefined): number | null {
  return x === undefined ? null : Math.round(x * 1000) / 1000;
}
