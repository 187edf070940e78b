import {
  FLASHED_OS_BOOT,
  PICOGC_SIM_SOURCE,
  capabilities,
  flashedOsSource,
  machineSource,
  type FlashedBuild,
} from './capabilities.ts';
import { instrumentedVm } from './instrumented-vm-cache.ts';
import { surfaceLibFiles } from './surface.ts';
import type { BootConfig, ClockConfig, ClockKind, GcCarryOver, ReplMode } from './vm-protocol.ts';
import { usPerCount, usPerTable, workClockCalibration } from './work-clock.ts';

/** Executions timed at each boot to calibrate the closing-collection measurement. */
const CALIBRATION_RUNS = 31;

/** What a virtual Pico is, whichever VM happens to serve it now. */
export interface PicoIdentity {
  heapBytes: number;
  seed: number;
  /** How long a Ctrl-C may take before the VM is replaced. */
  interruptGraceMs: number;
  /** An image the bootloader took earlier: `os.uname().version` reports its build. */
  build?: FlashedBuild;
}

/** What one VM boots with: the Pico's identity plus what a soft reset carries over. */
export function bootConfig(
  pico: PicoIdentity,
  clock: ClockConfig,
  now: { mode: ReplMode; gc: GcCarryOver; resets: number },
): BootConfig {
  const { heapBytes, seed, interruptGraceMs, build } = pico;
  return {
    heapBytes,
    mode: now.mode,
    gc: now.gc,
    clock,
    machineSource: machineSource(seed),
    capabilities: capabilities({
      heapBytes,
      seed,
      interruptGraceMs,
      clock: clock.kind,
      ...(build ? { build } : {}),
    }),
    calibrationRuns: CALIBRATION_RUNS,
    resets: now.resets,
    libFiles: {
      ...surfaceLibFiles(),
      'picogc_sim.py': PICOGC_SIM_SOURCE,
      ...(build ? { 'picogc_os.py': flashedOsSource(build) } : {}),
    },
    ...(build ? { bootSource: FLASHED_OS_BOOT } : {}),
  };
}

/** The clock a server's VMs boot with: the work clock needs its VM built (or cached) first. */
export async function clockConfig(kind: ClockKind, seed: number): Promise<ClockConfig> {
  if (kind === 'host') return { kind: 'host' };
  const calibration = workClockCalibration();
  return {
    kind: 'work',
    wasmPath: (await instrumentedVm()).path,
    usPerCount: usPerCount(calibration),
    usPerTable: usPerTable(calibration),
    collectionFixedUs: calibration.collectionFixedUs,
    seed,
  };
}
