import { z } from 'zod';
import { DATA_MARK, parseOneRecord } from '../device/data-lines.ts';
import { memInfoProblem } from '../device/mem-info-check.ts';
import { freeRunLengths, heapGeometry, type HeapGeometry } from './heap-geometry.ts';
import { defineExperiment } from './experiment.ts';
import {
  paramsSchema,
  fragmentationSampleSchema,
  type FragmentationParams,
  type FragmentationSample,
} from './fragmentation.schema.ts';
import { analyseFragmentation } from './fragmentation.analysis.ts';

const filledSchema = z.object({
  kind: z.literal('filled'),
  n: z.number().int(),
  size: z.number().int(),
  mem_alloc: z.number(),
});
const largestFitSchema = z.object({ kind: z.literal('largest_fit'), bytes: z.number().int() });

/**
 * How many `bytearray(size)` `fill()` allocates: as many as the free runs of area 0 hold, less the
 * margin for the exec's own garbage. Each is a 1-block header plus its data, and the list holding
 * them takes a word each. First-fit puts them in every run they fit, the low ones first: sized from
 * the longest run alone, the fill would stop short of the top of the heap and leave a run as long
 * as the gap, which the check would then take for an unfragmented heap.
 */
export function fillCount(geometry: Pick<HeapGeometry, 'blocks'>, params: FragmentationParams): number {
  const perObject = 1 + Math.ceil(params.size / 16) + 0.25;
  const room = freeRunLengths(geometry).reduce((sum, run) => sum + Math.floor(run / perObject), 0);
  return room - Math.ceil((params.marginBlocks + 1) / perObject);
}

/**
 * When does an allocation fail with free RAM? Fill the heap with equal bytearrays, free every
 * other one, collect: half the heap is free, in holes of one bytearray each.
 */
export const fragmentation = defineExperiment<FragmentationParams, FragmentationSample>({
  id: 'fragmentation',
  title: 'Fragmentation',
  question: 'When does an allocation fail although the heap has free RAM?',
  scripts: ['fragmentation'],
  paramsSchema,
  defaults: { size: 200, marginBlocks: 48 },
  quick: { size: 200, marginBlocks: 48 },
  sampleSchema: fragmentationSampleSchema,
  totalSteps: () => 3,
  async run({ device, info, params, record, step, timeoutMs }) {
    const exec = (code: string) => device.exec(code, { timeoutMs });
    // Sized from a collected heap (memInfo collects first on the virtual Pico, where garbage of
    // earlier execs would leave part of the free RAM unfilled; a board collects as the fill runs short).
    const geometry = heapGeometry(await device.memInfo({ heapMap: true }));
    const n = fillCount(geometry, params);
    const filled = parseOneRecord(
      (await device.exec(`fill(${n}, ${params.size})`, { timeoutMs, collectFirst: true })).stdout,
      'filled',
      filledSchema,
    );
    record({ type: 'filled', n: filled.n, size: filled.size, memAlloc: filled.mem_alloc });
    step(`filled ${n} x bytearray(${params.size})`);

    await exec('punch()');
    // The virtual Pico grows its heap instead of failing, so only a board can answer by trying;
    // there, the map and the probe come from one exec, so they describe the same heap.
    if (info.capabilities.heapGrows) {
      await device.timedCollect({ timeoutMs });
      record({ type: 'heap', memInfo: await device.memInfo({ heapMap: true }) });
      step('every other one freed');
    } else {
      // The map is the firmware's own text: checked by its own figures, the step runs again if damaged.
      const mapOf = (stdout: string) => stdout.slice(0, Math.max(0, stdout.indexOf(DATA_MARK)));
      const { stdout } = await device.exec(`map_and_probe(${info.heapTotal})`, {
        timeoutMs,
        validate: (text) => memInfoProblem(mapOf(text)),
      });
      record({ type: 'heap', memInfo: mapOf(stdout) });
      step('every other one freed');
      const fit = parseOneRecord(stdout, 'largest_fit', largestFitSchema);
      record({ type: 'largest-fit', bytes: fit.bytes });
    }
    step('largest allocation probed');
    await exec('release()');
  },
  analyse: analyseFragmentation,
});
