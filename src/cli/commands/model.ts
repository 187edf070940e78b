import { Option, type Command } from 'commander';
import type { LiveShape } from '../../model/scenario.ts';
import { wholeNumber } from '../options.ts';
import { LIVE_SHAPES } from '../../model/scenario.ts';

interface ModelOptions {
  portConfig: string;
  firmware?: string;
  heap?: number;
  live: number;
  object: string;
  shape: LiveShape;
  coefficients?: string;
  json?: boolean;
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
    .option(
      '--heap <bytes>',
      "bytes given to gc_init (default: the preset's, a Pico's 245888-byte GC heap)",
      wholeNumber(0),
    )
    .option('--live <n>', 'live objects to build', wholeNumber(0), 0)
    .option(
      '--object <spec>',
      'float, int, bigint(BITS), bytearray(N), bytes(N), str(N), list(N), tuple(N), instance(K), bound_method',
      'bytearray(48)',
    )
    .addOption(new Option('--shape <shape>', 'how they are held').choices(LIVE_SHAPES).default('list'))
    .option(
      '--coefficients <file>',
      "a run's report.json, or JSON {c0, c_mark, c_sweep, c_rescan} (µs), to predict the pause",
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: ModelOptions) => {
      const { readCoefficients } = await import('../../model/coefficients-file.ts');
      const { parseObjectSpec } = await import('../../model/object-sizes.ts');
      const { portConfigByName } = await import('../../model/port-config.ts');
      const { formatModelReport, simulateCollection } = await import('../../model/simulate.ts');
      const report = simulateCollection({
        config: portConfigByName(options.portConfig, options.firmware),
        ...(options.heap !== undefined ? { heapBytes: options.heap } : {}),
        live: options.live,
        object: parseObjectSpec(options.object),
        shape: options.shape,
        coefficients: options.coefficients === undefined ? null : readCoefficients(options.coefficients),
      });
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatModelReport(report));
    });
}
