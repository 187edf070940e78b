import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { DEVICE_KIND_HELP, parseDeviceKind, type DeviceKind } from '../device/device-kind.ts';
import { UsageError } from '../errors.ts';
import type { BoardRunOptions } from './board-run.ts';
import type { BoardRequest } from './board-target.ts';
import type { ClockKind } from '../sim/vm-protocol.ts';

/**
 * The options of the commands that run a bench of boards (`run`, `validate`, `nightly`): which boards, how to
 * share them with other processes, how to get a hung one back, and where the history goes.
 */
export function addBenchOptions(command: Command, historyDefault: string): Command {
  return command
    .option(
      '-p, --port <port>',
      'a board: serial path, "auto" (every Pico found) or tcp://HOST:PORT; repeatable',
      collect,
      [],
    )
    .option('-d, --device <kind>', DEVICE_KIND_HELP, parseDeviceKind)
    .option(
      '--firmware <file>',
      'the MicroPython UF2 under test: flashed onto each USB board (and confirmed) before its run, or run by --device emu',
    )
    .option('--bootrom <file>', 'for --device emu: the RP2040 boot ROM read from your Pico (picogc bootrom)')
    .option(
      '--seed <n>',
      'virtual Pico seed (its identity); repeat for several virtual Picos in parallel',
      collectInteger('--seed'),
      [],
    )
    .option(
      '--heap <bytes>',
      "virtual Pico heap size in bytes (default: a Pico's GC total, 245888)",
      integer('--heap'),
    )
    .option(
      '--fault <spec>',
      'virtual Pico fault injection, repeatable (e.g. drop:0.01, hang, stall:200@1000)',
      collect,
      [],
    )
    .option(
      '--record <file>',
      'keep the whole conversation with the board in FILE (one board; replay it with --device replay:FILE)',
    )
    .addOption(
      new Option(
        '--clock <clock>',
        'what times the virtual Pico: work (its counted work as Pico time) or host (the host clock)',
      )
        .choices(['work', 'host'])
        .default('work'),
    )
    .option('--firmware-label <text>', 'a label for the firmware under test (e.g. a git describe)')
    .option(
      '--lock-wait <seconds>',
      'wait this long for a board another picogc holds, then exit 3 naming the holder',
      nonNegative('--lock-wait'),
      0,
    )
    .option(
      '--power-cycle <cmd>',
      'shell command that power-cycles a hung board; {port} and {serial} are substituted (e.g. "uhubctl -a cycle -l 1-1 -p 2")',
    )
    .option(
      '--power-cycle-timeout <seconds>',
      'deadline of the power-cycle command',
      nonNegative('--power-cycle-timeout'),
      60,
    )
    .option(
      '--reconnect-timeout <seconds>',
      'how long a power-cycled board has to come back',
      nonNegative('--reconnect-timeout'),
      30,
    )
    .option(
      '--history <path>',
      `history file one record per board is appended to (default: ${historyDefault})`,
    )
    .option('--no-history', 'do not append to the history');
}

export interface BenchOptionValues {
  port: string[];
  device?: DeviceKind;
  firmware?: string;
  bootrom?: string;
  record?: string;
  seed: number[];
  heap?: number;
  fault: string[];
  clock?: ClockKind;
  firmwareLabel?: string;
  lockWait: number;
  powerCycle?: string;
  powerCycleTimeout: number;
  reconnectTimeout: number;
  /** A path, `false` for --no-history, or undefined for the default. */
  history?: string | false;
}

export function boardRequest(options: BenchOptionValues): BoardRequest {
  return {
    ports: options.port,
    ...(options.device ?? {}),
    ...(options.record !== undefined ? { record: options.record } : {}),
    seeds: options.seed,
    ...(options.heap !== undefined ? { heapBytes: options.heap } : {}),
    faults: options.fault,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.firmware !== undefined ? { firmware: options.firmware } : {}),
    ...(options.bootrom !== undefined ? { bootrom: options.bootrom } : {}),
  };
}

/** What `run`, `validate` and `nightly` hand every board of the bench alike. */
export function boardRunSettings(
  options: BenchOptionValues & { out: string; stepTimeout: number },
  command: string,
): Pick<
  BoardRunOptions,
  | 'outDir'
  | 'firmwareLabel'
  | 'firmware'
  | 'stepTimeoutMs'
  | 'lockWaitSeconds'
  | 'command'
  | 'powerCycle'
  | 'powerCycleTimeoutMs'
  | 'reconnectTimeoutMs'
> {
  return {
    outDir: options.out,
    ...(options.firmwareLabel ? { firmwareLabel: options.firmwareLabel } : {}),
    ...(options.firmware ? { firmware: options.firmware } : {}),
    stepTimeoutMs: options.stepTimeout,
    lockWaitSeconds: options.lockWait,
    command,
    ...(options.powerCycle ? { powerCycle: options.powerCycle } : {}),
    powerCycleTimeoutMs: options.powerCycleTimeout * 1000,
    reconnectTimeoutMs: options.reconnectTimeout * 1000,
  };
}

/** The history file: `--history PATH`, else the command's default; undefined with `--no-history`. */
export function historyPath(options: BenchOptionValues, fallback: string): string | undefined {
  if (options.history === false) return undefined;
  if (typeof options.history === 'string') {
    if (options.history.trim() === '') throw new UsageError('--history needs a path');
    return options.history;
  }
  return fallback;
}

/** `picogc run`'s history when none is named: the one `picogc history` reads by default. */
export const DEFAULT_HISTORY = join('reports', 'history.jsonl');

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function integer(flag: string): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value)))
      throw new UsageError(`${flag}: not an integer: ${value}`);
    return Number(value);
  };
}

function collectInteger(flag: string): (value: string, previous: number[]) => number[] {
  const parse = integer(flag);
  return (value, previous) => [...previous, parse(value)];
}

export function nonNegative(flag: string, unit = 'seconds'): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new UsageError(`${flag} must be a number of ${unit} ≥ 0, not ${JSON.stringify(value)}`);
    }
    return n;
  };
}
