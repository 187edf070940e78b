import type { Command } from 'commander';
import { openDevice } from '../../device/open.ts';
import { selectExperiments } from '../../experiments/index.ts';
import { runSession } from '../../run/session.ts';
import { printVerdictTable } from '../verdict-table.ts';
import { checkOverrides, parseParamOverride, resolveParams } from '../../experiments/params.ts';
import {
  addDeviceOptions,
  collect,
  deviceSpec,
  integer,
  type DeviceOptionValues,
} from '../device-options.ts';

interface RunOptions extends DeviceOptionValues {
  experiments?: string;
  quick?: boolean;
  reps?: number;
  out: string;
  json?: boolean;
  firmwareLabel?: string;
  stepTimeout: number;
  set: string[];
}

/** `picogc run`: the main job. Runs the suite, writes reports/<run-id>/, exits 0/1/3. */
export function register(program: Command): void {
  addDeviceOptions(
    program
      .command('run')
      .description('run the GC experiments on a device and write a report')
      .option('-e, --experiments <ids>', 'comma-separated experiment ids (default: all)')
      .option('-q, --quick', 'the quick profile: fewer sizes and repetitions')
      .option('--reps <n>', 'repetitions per timed configuration', integer)
      .option(
        '--set <experiment.param=json>',
        'override a parameter, repeatable (e.g. pause-vs-live.size=96)',
        collect,
        [],
      )
      .option('-o, --out <dir>', 'where run directories are written', 'reports')
      .option('--firmware-label <text>', 'a label for the firmware under test (e.g. a git describe)')
      .option('--step-timeout <ms>', 'deadline of one device call', integer, 30_000)
      .option('--json', 'print report.json to stdout instead of the verdict table'),
  ).action(async (options: RunOptions) => {
    const experiments = selectExperiments(
      options.experiments
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    const overrides = options.set.map(parseParamOverride);
    checkOverrides(overrides, experiments);
    const profile = options.quick ? 'quick' : 'default';
    // Parameters are checked before a device is touched: a typo costs nothing.
    for (const e of experiments) resolveParams(e, profile, options.reps, overrides);
    const device = await openDevice(deviceSpec(options));
    try {
      const { report, runDir } = await runSession({
        device,
        experiments,
        profile,
        ...(options.reps !== undefined ? { reps: options.reps } : {}),
        overrides,
        outDir: options.out,
        stepTimeoutMs: options.stepTimeout,
        ...(options.firmwareLabel ? { firmwareLabel: options.firmwareLabel } : {}),
      });
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printVerdictTable(report, runDir);
      process.exitCode = report.exitCode;
    } finally {
      await device.close().catch(() => undefined);
    }
  });
}
