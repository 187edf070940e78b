import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, UsageError } from '../../errors.ts';
import type { CollectionWork } from '../../model/collector.ts';
import type { PauseCoefficients } from '../../model/pause-cost.ts';
import { LIVE_SHAPES, type LiveShape } from '../../model/scenario.ts';

interface ModelOptions {
  portConfig: string;
  firmware?: string;
  heap?: string;
  live: string;
  object: string;
  shape: string;
  coefficients?: string;
  json?: boolean;
}

export interface ModelReport {
  port: string;
  firmware: string;
  /** Bytes of the region gc_init was given. */
  heapBytes: number;
  gcTotal: number;
  blocks: number;
  poolStart: number;
  live: number;
  object: string;
  shape: LiveShape;
  /** Blocks one object keeps allocated. */
  blocksPerObject: number;
  /** Blocks in use after the collection (live set plus the globals table). */
  blocksUsed: number;
  work: CollectionWork;
  /** `micropython.mem_info(1)` as a device with this heap would print it after the collection. */
  memInfo: string;
  coefficients: PauseCoefficients | null;
  predictedPauseUs: number | null;
}

/**
 * `picogc model`: simulate a live set on the GC model without a device and show what one
 * collection of it does — blocks used, GC total, the heap map, the work counters and, given
 * fitted coefficients, the predicted pause.
 */
export function register(program: Command): void {
  program
    .command('model')
    .description('simulate a live set on the GC model (py/gc.c in TypeScript) and one collection of it')
    .option('--port-config <name>', 'port preset: rp2 or wasm-pyscript', 'rp2')
    .option(
      '--firmware <version>',
      'MicroPython version the preset follows (default: 1.28.0 for rp2, 1.27.0 for wasm)',
    )
    .option('--heap <bytes>', "bytes given to gc_init (default: the preset's, a Pico's 245888-byte GC heap)")
    .option('--live <n>', 'live objects to build', '0')
    .option(
      '--object <spec>',
      'float, int, bigint(BITS), bytearray(N), bytes(N), str(N), list(N), tuple(N), instance(K), bound_method',
      'bytearray(48)',
    )
    .option('--shape <shape>', `how they are held: ${LIVE_SHAPES.join(', ')}`, 'list')
    .option(
      '--coefficients <file>',
      "a run's report.json, or JSON {c0, c_mark, c_sweep, c_rescan} (µs), to predict the pause",
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: ModelOptions) => {
      const report = await runModel(options);
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatModelReport(report));
    });
}

export async function runModel(options: ModelOptions): Promise<ModelReport> {
  // Loaded here, not at start: `picogc --help` need not load the model.
  const { heapToMemInfo } = await import('../../model/heap-map.ts');
  const { formatMemInfo } = await import('../../meminfo/format.ts');
  const { formatObjectSpec, objectBlocks, parseObjectSpec } = await import('../../model/object-sizes.ts');
  const { predictPause } = await import('../../model/pause-cost.ts');
  const { heapRegionOfSize, portConfigByName } = await import('../../model/port-config.ts');
  const { buildLiveSet } = await import('../../model/scenario.ts');
  const { formatFirmwareVersion } = await import('../../model/version.ts');
  const config = portConfigByName(options.portConfig, options.firmware);
  const live = nonNegativeInt('--live', options.live);
  const shape = LIVE_SHAPES.find((s) => s === options.shape);
  if (shape === undefined)
    throw new UsageError(`--shape ${options.shape}: expected ${LIVE_SHAPES.join(', ')}`);
  const object = parseObjectSpec(options.object);
  const heapBytes =
    options.heap === undefined
      ? config.heapRegion.end - config.heapRegion.start
      : nonNegativeInt('--heap', options.heap);
  heapRegionOfSize(config, heapBytes);
  const coefficients =
    options.coefficients === undefined ? null : await readCoefficients(options.coefficients);

  const { heap } = buildLiveSet({ config, heapBytes, live, object, shape });
  const { work } = heap.collectNow('explicit');
  const info = heapToMemInfo(heap);
  const first = heap.areas[0]!.layout;
  return {
    port: config.name,
    firmware: formatFirmwareVersion(config.firmware),
    heapBytes,
    gcTotal: info.gc.total,
    blocks: heap.totalBlocks,
    poolStart: first.poolStart,
    live,
    object: formatObjectSpec(object),
    shape,
    blocksPerObject: objectBlocks(config, object),
    blocksUsed: info.gc.used / config.bytesPerBlock,
    work,
    memInfo: formatMemInfo(info, config.bytesPerBlock).replaceAll('\r\n', '\n'),
    coefficients,
    predictedPauseUs: coefficients === null ? null : predictPause(coefficients, work),
  };
}

export function formatModelReport(r: ModelReport): string {
  const w = r.work;
  const lines = [
    `model: ${r.port} preset, MicroPython ${r.firmware}`,
    `heap: ${r.heapBytes} bytes given to gc_init -> GC total ${r.gcTotal} bytes (${r.blocks} blocks), pool from 0x${r.poolStart.toString(16)}`,
    `live set: ${r.live} x ${r.object} held as a ${r.shape}, ${r.blocksPerObject} blocks each; ` +
      `${r.blocksUsed} blocks used after the collection (${r.blocksUsed * 16} bytes)`,
    '',
    r.memInfo.trimEnd(),
    '',
    `one collection: ${w.roots} roots, ${w.objectsMarked} objects marked, ${w.wordsScanned} words scanned, ` +
      `${w.rescans} overflow rescans (${w.blocksRescanned} blocks walked, ${w.overflowedPushes} pushes refused), ` +
      `${w.blocksSwept} blocks swept, ${w.blocksFreed} blocks freed`,
  ];
  if (r.coefficients !== null && r.predictedPauseUs !== null) {
    const c = r.coefficients;
    lines.push(
      `predicted pause: ${r.predictedPauseUs.toFixed(1)} us ` +
        `(c0 ${c.c0} + c_mark ${c.c_mark} x words + c_sweep ${c.c_sweep} x swept + c_rescan ${c.c_rescan} x rescanned)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function readCoefficients(path: string): Promise<PauseCoefficients> {
  const { z } = await import('zod');
  const { pauseCoefficientsSchema } = await import('../../model/pause-cost.ts');
  const fittedReportSchema = z.object({
    schema: z.literal('picogc.report/1'),
    model: z.object({ pauseCost: z.object({ coefficients: pauseCoefficientsSchema.strip() }) }),
  });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`--coefficients ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`--coefficients ${path}: not JSON (${(error as Error).message})`, { cause: error });
  }
  // A run's report.json carries the coefficients fitted on its device's pauses.
  const report = fittedReportSchema.safeParse(json);
  if (report.success) return report.data.model.pauseCost.coefficients;
  const parsed = pauseCoefficientsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
      .join('; ');
    throw new InputError(
      `--coefficients ${path}: expected a run's report.json with a fitted pause-cost model, or {c0, c_mark, c_sweep, c_rescan} numbers (${problems})`,
    );
  }
  return parsed.data;
}

function nonNegativeInt(flag: string, text: string): number {
  if (!/^\d{1,12}$/.test(text)) throw new UsageError(`${flag} ${text}: expected a whole number`);
  return Number(text);
}
