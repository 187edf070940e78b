import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../src/analysis/stats.ts';
import { parseMemInfo, summarizeHeapMap } from '../src/meminfo/index.ts';
import { reportSchema } from '../src/report/schema.ts';
import { VM_PACKAGE, VM_VERSION } from '../src/sim/capabilities.ts';
import {
  CALIBRATION_ENV,
  CALIBRATION_FILE,
  workClockCalibration,
  workClockCalibrationSchema,
  type WorkClockCalibration,
} from '../src/sim/work-clock.ts';
import { extendedTo, minimaxFit, predict, setAside, type FitPoint } from './work-clock-fit.ts';

/**
 * The fit of the work clock (work-clock.calibration.json): for every configuration of the default
 * profile's timed experiments (pause-vs-live, pause-vs-heap-position, mark-overflow), the closing
 * collection's counted instructions on the virtual Pico against the pause a stock MicroPython
 * v1.28.0 RPI_PICO build took on the emulated RP2040, as its golden recording holds it
 * (test/golden/v1.28.0/validate.rec.gz, replayed). A plane,
 * pause = collectionFixedUs + (instructions × cyclesPerCount + tables × cyclesPerTable) / picoHz,
 * chosen to make the largest relative error over the configurations as small as it can be (the
 * goal is a Pico's curves within ±15%). Configurations where the build swept far past the blocks
 * the virtual Pico did are kept out of the fit (work-clock-fit.ts, `setAside`), and listed.
 *
 * The counts come from `picogc run` itself, so they are taken in the state a run measures in: the
 * runs are made with identity conversions (1 µs per instruction, or 1 µs per table, nothing
 * fixed), so their pauses are the counts.
 *
 *   npx tsx scripts/fit-work-clock.ts           print the fit
 *   npx tsx scripts/fit-work-clock.ts --write   and write it to work-clock.calibration.json
 */
export const FIT_EXPERIMENTS = ['pause-vs-live', 'pause-vs-heap-position', 'mark-overflow'];
export const GOLDEN_V1_28 = 'test/golden/v1.28.0/validate.rec.gz';

const PICO_HZ = 125_000_000; // machine.freq() of a stock RPI_PICO build (facts §9)
const REPO = fileURLToPath(new URL('../', import.meta.url));

interface RunFigures {
  /** Median pause (µs) of every timed configuration, by metric id. */
  pauses: Map<string, number>;
  /** The highest block in use in each configuration's heap map, by metric id. */
  highestUsed: Map<string, number>;
}

/** What a picogc command's report says of every timed configuration. */
function figuresOf(args: string[], env: NodeJS.ProcessEnv = {}): RunFigures {
  const dir = mkdtempSync(join(tmpdir(), 'picogc-fit-'));
  try {
    const out = join(dir, 'reports');
    const run = spawnSync(process.execPath, ['bin/picogc.js', ...args, '--out', out], {
      cwd: REPO,
      env: { ...process.env, CI: 'true', ...env },
      encoding: 'utf8',
    });
    if (run.status !== 0 && run.status !== 1) throw new Error(`picogc ${args[0]} failed: ${run.stderr}`);
    const runDir = join(out, readlinkSync(join(out, 'latest')));
    const report = reportSchema.parse(JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')));
    const pauses = new Map<string, number>();
    for (const experiment of report.experiments) {
      if (!FIT_EXPERIMENTS.includes(experiment.id)) continue;
      for (const metric of experiment.metrics)
        if (metric.unit === 'µs') pauses.set(metric.id, median(metric.values));
    }
    return { pauses, highestUsed: heapMapExtents(readFileSync(join(runDir, 'results.jsonl'), 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The highest used block of each heap map pause-vs-live and heap-position recorded, by metric id. */
function heapMapExtents(resultsJsonl: string): Map<string, number> {
  const extents = new Map<string, number>();
  for (const line of resultsJsonl.split('\n')) {
    if (!line) continue;
    const entry = JSON.parse(line) as { experiment?: string; sample?: Record<string, unknown> };
    const sample = entry.sample;
    if (sample?.['type'] !== 'heap' || typeof sample['memInfo'] !== 'string') continue;
    const config =
      entry.experiment === 'pause-vs-live'
        ? `pause-vs-live/n=${String(sample['nLive'])}`
        : entry.experiment === 'pause-vs-heap-position'
          ? `heap-position/n=${String(sample['nLive'])}/${String(sample['position'])}`
          : undefined;
    const map = parseMemInfo(sample['memInfo']).map;
    if (!config || !map) continue;
    const highest = summarizeHeapMap(map.areas.map((area) => area.blocks)).highestUsedBlock;
    if (highest) extents.set(config, highest.block);
  }
  return extents;
}

/** The real firmware's pauses and heap maps: the golden v1.28.0 recording of `validate` (default profile), replayed. */
export function goldenFigures(): RunFigures {
  return figuresOf(['validate', '--device', `replay:${GOLDEN_V1_28}`]);
}

/** The virtual Pico's counted instructions and tables for the same configurations (default profile). */
export function defaultProfileCounts(): Map<string, { vmCounts: number; vmTables: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'picogc-identity-'));
  try {
    const run = (cyclesPerCount: number, cyclesPerTable: number) => {
      const identity: WorkClockCalibration = {
        ...workClockCalibration(),
        cyclesPerCount,
        cyclesPerTable,
        collectionFixedUs: 0,
      };
      const calibration = join(dir, 'identity.json');
      writeFileSync(calibration, JSON.stringify(identity));
      return figuresOf(
        ['run', '--device', 'sim', '--clock', 'work', '--no-history', '-e', FIT_EXPERIMENTS.join(',')],
        { [CALIBRATION_ENV]: calibration },
      ).pauses;
    };
    const oneUs = PICO_HZ / 1e6;
    const instructions = run(oneUs, 0);
    const tables = run(0, oneUs);
    return new Map(
      [...instructions].map(([config, vmCounts]) => [
        config,
        { vmCounts, vmTables: tables.get(config) ?? NaN },
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The golden pauses and the virtual Pico's counts, configuration by configuration. */
export function fitPoints(
  real: ReadonlyMap<string, number>,
  counts: ReadonlyMap<string, { vmCounts: number; vmTables: number }>,
): FitPoint[] {
  return [...real].map(([config, picoUs]) => {
    const vm = counts.get(config);
    if (vm === undefined) throw new Error(`the virtual Pico measured no pause for ${config}`);
    return { config, picoUs, ...vm };
  });
}

/** A free block's walk on the virtual Pico: the same empty heap swept to its top against packed. */
export function freeBlockWork(counts: ReadonlyMap<string, { vmCounts: number; vmTables: number }>): {
  instructions: number;
} {
  const packed = counts.get('heap-position/n=0/packed');
  const pinned = counts.get('heap-position/n=0/pinned');
  if (!packed || !pinned)
    throw new Error('heap-position n=0 packed and pinned are needed to price a free block');
  return { instructions: (pinned.vmCounts - packed.vmCounts) / (pinned.vmTables - packed.vmTables) };
}

export function fit(
  points: readonly FitPoint[],
  picoHighestUsed: ReadonlyMap<string, number>,
  freeBlock: { instructions: number },
  date: string,
): WorkClockCalibration {
  const aside = setAside(points, picoHighestUsed);
  const asideConfigs = new Set(aside.map((s) => s.config));
  const { a, b, c, worst } = minimaxFit(points.filter((p) => !asideConfigs.has(p.config)));
  const line = { a, b, c };
  const fittedTo = points
    .filter((p) => !asideConfigs.has(p.config))
    .map((p) => ({ ...p, fittedUs: Math.round(predict(line, p)) }));
  const setAsideRows = aside.map((s) => {
    const p = points.find((q) => q.config === s.config)!;
    return {
      ...p,
      ...s,
      fittedUs: Math.round(predict(line, p)),
      fittedAtPicoSweepUs: Math.round(predict(line, extendedTo(p, s.picoSweptTo, freeBlock))),
    };
  });
  const perMhz = PICO_HZ / 1e6;
  return workClockCalibrationSchema.parse({
    schema: 'picogc.work-clock-calibration/2',
    picoHz: PICO_HZ,
    cyclesPerCount: b * perMhz,
    cyclesPerTable: c * perMhz,
    collectionFixedUs: a,
    provenance: {
      summary:
        `Fitted to ${fittedTo.length} of the ${points.length} timed configurations of the default profile ` +
        '(pause-vs-live, pause-vs-heap-position, mark-overflow): the closing collection of the virtual Pico ' +
        '(counted wasm instructions, and br_tables among them) against the median pause of gc.collect() timed ' +
        'with ticks_us on a stock MicroPython v1.28.0 RPI_PICO build on an emulated RP2040 ' +
        `(${GOLDEN_V1_28}). The plane that makes the largest relative error least: ±${(worst * 100).toFixed(1)}%. ` +
        `Set aside (${aside.length}): configurations whose heap map on the build reaches more than 256 blocks ` +
        "past the virtual Pico's sweep, a false root of that build (the raw REPL's raw-paste window reply, " +
        '0x0080, under a stack half-word 0x2001 left from boot, is the head of block 3088) keeping one object ' +
        'alive above the live set; each is shown with the fit at the sweep the build really did.',
      fittedTo,
      setAside: setAsideRows,
      freeBlockInstructions: freeBlock.instructions,
      worstRelativeError: worst,
      firmware: 'MicroPython v1.28.0 RPI_PICO, a stock build, on an emulated RP2040 (machine.freq() 125 MHz)',
      vm: `${VM_PACKAGE} ${VM_VERSION}, instrumented by src/sim/instrument-vm.mjs`,
      date,
    },
  });
}

function main(): void {
  const golden = goldenFigures();
  const counts = defaultProfileCounts();
  const calibration = fit(
    fitPoints(golden.pauses, counts),
    golden.highestUsed,
    freeBlockWork(counts),
    new Date().toISOString().slice(0, 10),
  );
  const text = `${JSON.stringify(calibration, null, 2)}\n`;
  process.stdout.write(text);
  if (process.argv.includes('--write')) writeFileSync(CALIBRATION_FILE, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
