import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEVICE_KIND_HELP, parseDeviceKind, type DeviceKind } from '../device/device-kind.ts';
import type { TargetRequest } from '../device/target.ts';
import type { BoardRunOptions } from '../boards/board-run.ts';
import { UsageError } from '../errors.ts';
import type { ClockKind } from '../sim/vm-protocol.ts';

/**
 * Every option picogc's commands share, declared once, and the one set of value parsers they use.
 * A value that does not parse is commander's InvalidArgumentError: one line naming the option and
 * the value, exit 2.
 */

/** A whole number, at least `min` (commander passes the text; the answer is the number). */
export function wholeNumber(min = 0): (text: string) => number {
  return (text) => {
    const n = Number(text.trim());
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    }
    return n;
  };
}

const UNIT_WORDS: Record<string, string> = { '%': 'a percentage', seconds: 'a number of seconds' };

/** A number within the bounds given (`above` excludes its bound, `atLeast` includes it). */
export function decimal(bounds: { above?: number; atLeast?: number; below?: number; unit?: string }) {
  const { above, atLeast, below, unit } = bounds;
  const range = [
    above !== undefined ? `> ${above}` : atLeast !== undefined ? `≥ ${atLeast}` : '',
    below !== undefined ? `< ${below}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return (text: string): number => {
    const n = Number(text.trim().replace(unit === '%' ? /%$/ : /$^/, ''));
    const ok =
      text.trim() !== '' &&
      Number.isFinite(n) &&
      (above === undefined || n > above) &&
      (atLeast === undefined || n >= atLeast) &&
      (below === undefined || n < below);
    if (!ok)
      throw new InvalidArgumentError(
        `expected ${UNIT_WORDS[unit ?? ''] ?? 'a number'}${range ? ` ${range}` : ''}`,
      );
    return n;
  };
}

/** Each use of a repeatable option adds one parsed value. */
export function repeatable<T>(parse: (text: string) => T): (text: string, previous: T[]) => T[] {
  return (text, previous) => [...previous, parse(text)];
}

export const collect = repeatable((text: string) => text);

/** How every `--firmware` (and `flash`'s and `firmware info`'s argument) takes a release tag. */
export const FIRMWARE_VERSION_HELP =
  '; or an official release by its tag (v1.28.0, RPI_PICO), downloaded once into the cache';

/**
 * A UF2 the user named as a command needs it: a file as given, a release tag (`v1.28.0`) as its
 * verified file in the cache, downloaded first when it is not there (said on stderr). The
 * downloader is loaded only here, when a command runs.
 */
export async function firmwareFile(firmware: string): Promise<string> {
  const { resolveFirmware } = await import('../firmware/resolve-firmware.ts');
  return resolveFirmware(firmware);
}

/** The options with `--firmware` resolved by `firmwareFile`, before targets and boards see it. */
export async function withFirmwareFile<T extends { firmware?: string }>(options: T): Promise<T> {
  return options.firmware === undefined
    ? options
    : { ...options, firmware: await firmwareFile(options.firmware) };
}

/** Which device(s): the same options for a command that talks to one device and for a bench. */
export function addTargetOptions(command: Command, { many }: { many: boolean }): Command {
  const port = many
    ? ['a board: serial path, "auto" (every Pico found) or tcp://HOST:PORT; repeatable', collect, []]
    : ['a board: serial path, "auto" (the single Pico found) or tcp://HOST:PORT'];
  return command
    .option('-p, --port <port>', ...(port as [string]))
    .option('-d, --device <kind>', DEVICE_KIND_HELP, parseDeviceKind)
    .option(
      '--firmware <file|version>',
      (many
        ? 'the MicroPython UF2 under test: flashed onto each USB board (and confirmed) before its run, or run by --device emu'
        : 'a MicroPython UF2: what --device emu runs (on a board: the build under test)') +
        FIRMWARE_VERSION_HELP,
    )
    .option(
      '--bootrom <file>',
      "for --device emu: the RP2040 boot ROM read from your Pico (picogc bootrom); without it, picogc's written ROM",
    )
    .option(
      '--record <file>',
      'keep the whole conversation with the board in FILE (one board; replay it with --device replay:FILE)',
    )
    .option(
      '--seed <n>',
      many
        ? 'virtual Pico seed (its identity); repeat for several virtual Picos in parallel'
        : 'virtual Pico seed (identity and fault randomness)',
      ...((many ? [repeatable(wholeNumber(0)), []] : [wholeNumber(0)]) as [(t: string) => number]),
    )
    .option(
      '--heap <bytes>',
      "virtual Pico heap size in bytes (default: a Pico's GC total, 245888)",
      wholeNumber(16 * 1024),
    )
    .option(
      '--fault <spec>',
      'virtual Pico fault injection, repeatable (e.g. drop:0.01, hang, stall:200@1000)',
      collect,
      [],
    )
    .addOption(
      new Option(
        '--clock <clock>',
        'what times the virtual Pico: work (its counted work as Pico time) or host (the host clock)',
      )
        .choices(['work', 'host'])
        .default('work'),
    );
}

export interface TargetOptionValues {
  port?: string | string[];
  device?: DeviceKind;
  firmware?: string;
  bootrom?: string;
  record?: string;
  seed?: number | number[];
  heap?: number;
  fault: string[];
  clock?: ClockKind;
}

/** What the target options said, for resolveTargets (one or many). */
export function targetRequest(options: TargetOptionValues): TargetRequest {
  const list = <T>(value: T | T[] | undefined): T[] =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
  return {
    ports: list(options.port),
    ...(options.device ?? {}),
    ...(options.record !== undefined ? { record: options.record } : {}),
    seeds: list(options.seed),
    ...(options.heap !== undefined ? { heapBytes: options.heap } : {}),
    faults: options.fault,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.firmware !== undefined ? { firmware: options.firmware } : {}),
    ...(options.bootrom !== undefined ? { bootrom: options.bootrom } : {}),
  };
}

/** The experiments a run does and how (run, validate, nightly). */
export function addSuiteOptions(command: Command): Command {
  return command
    .option('-e, --experiments <ids>', 'comma-separated experiment ids (default: all)')
    .option('-q, --quick', 'the quick profile: fewer sizes and repetitions')
    .option('--reps <n>', 'repetitions per timed configuration', wholeNumber(1))
    .option(
      '--set <experiment.param=json>',
      'override a parameter, repeatable (e.g. pause-vs-live.size=96)',
      collect,
      [],
    )
    .option('-o, --out <dir>', 'where run directories are written', 'reports')
    .option('--step-timeout <ms>', 'deadline of one device call, in device time', wholeNumber(1), 30_000);
}

export interface SuiteOptionValues {
  experiments?: string;
  quick?: boolean;
  reps?: number;
  set: string[];
  out: string;
  stepTimeout: number;
}

/**
 * The options of the commands that run a bench of boards (`run`, `validate`, `nightly`): which boards, how to
 * share them with other processes, how to get a hung one back, and where the history goes.
 */
export function addBenchOptions(command: Command, historyDefault: string): Command {
  return addSuiteOptions(addTargetOptions(command, { many: true }))
    .option('--firmware-label <text>', 'a label for the firmware under test (e.g. a git describe)')
    .option(
      '--lock-wait <seconds>',
      'wait this long for a board another picogc holds, then exit 3 naming the holder',
      decimal({ atLeast: 0, unit: 'seconds' }),
      0,
    )
    .option(
      '--power-cycle <cmd>',
      'shell command that power-cycles a hung board; {port} and {serial} are substituted (e.g. "uhubctl -a cycle -l 1-1 -p 2")',
    )
    .option(
      '--power-cycle-timeout <seconds>',
      'deadline of the power-cycle command',
      decimal({ atLeast: 0, unit: 'seconds' }),
      60,
    )
    .option(
      '--reconnect-timeout <seconds>',
      'how long a power-cycled board has to come back',
      decimal({ atLeast: 0, unit: 'seconds' }),
      30,
    )
    .option(
      '--history <path>',
      `history file one record per board is appended to (default: ${historyDefault})`,
    )
    .option('--no-history', 'do not append to the history');
}

export interface BenchOptionValues extends TargetOptionValues, SuiteOptionValues {
  port: string[];
  seed: number[];
  firmwareLabel?: string;
  lockWait: number;
  powerCycle?: string;
  powerCycleTimeout: number;
  reconnectTimeout: number;
  /** A path, `false` for --no-history, or undefined for the default. */
  history?: string | false;
}

/** The history file: `--history PATH`, else the command's default; undefined with `--no-history`. */
export function historyPath(options: { history?: string | false }, fallback: string): string | undefined {
  if (options.history === false) return undefined;
  if (typeof options.history === 'string') {
    if (options.history.trim() === '') throw new UsageError('--history needs a path');
    return options.history;
  }
  return fallback;
}

/** `picogc run`'s history when none is named: the one `picogc history` reads by default. */
export const DEFAULT_HISTORY = join('reports', 'history.jsonl');

/** What the lock's holder note (and a recording) says this process is running. */
export function commandLine(name: string): string {
  return ['picogc', name, ...process.argv.slice(3)].join(' ').slice(0, 300);
}

/** What `run`, `validate` and `nightly` hand every board of the bench alike. */
export function boardRunSettings(
  options: BenchOptionValues,
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

/** The experiments `-e`, `-q`, `--reps` and `--set` name, checked before any device is touched. */
export async function suitePlan(options: SuiteOptionValues) {
  const { planSuite } = await import('../experiments/plan.ts');
  return planSuite({
    ...(options.experiments !== undefined
      ? {
          ids: options.experiments
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    quick: options.quick === true,
    ...(options.reps !== undefined ? { reps: options.reps } : {}),
    overrides: options.set,
  });
}
