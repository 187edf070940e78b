import { Option, type Command } from 'commander';
import { UsageError } from '../errors.ts';
import { DEVICE_KIND_HELP, parseDeviceKind, type DeviceKind } from '../device/device-kind.ts';
import type { DeviceSpec } from '../device/open.ts';
import type { ClockKind } from '../sim/vm-protocol.ts';

/** The options every command that talks to a device shares. */
export function addDeviceOptions(command: Command): Command {
  return command
    .option('-p, --port <port>', 'serial port path, "auto" (the single Pico found) or tcp://HOST:PORT')
    .option('-d, --device <kind>', DEVICE_KIND_HELP, parseDeviceKind)
    .option(
      '--firmware <file>',
      'a MicroPython UF2: what --device emu runs (on a board: the build under test)',
    )
    .option('--bootrom <file>', 'for --device emu: the RP2040 boot ROM read from your Pico (picogc bootrom)')
    .option('--heap <bytes>', "virtual Pico heap size in bytes (default: a Pico's GC total, 245888)", integer)
    .option('--seed <n>', 'virtual Pico seed (identity and fault randomness)', integer)
    .addOption(
      new Option(
        '--clock <clock>',
        'what times the virtual Pico: work (its counted work as Pico time) or host (the host clock)',
      )
        .choices(['work', 'host'])
        .default('work'),
    )
    .option(
      '--fault <spec>',
      'virtual Pico fault injection, repeatable (e.g. drop:0.01, hang, stall:200@1000)',
      collect,
      [],
    )
    .option(
      '--record <file>',
      'keep the whole conversation with the device in FILE (replay it with --device replay:FILE)',
    );
}

export interface DeviceOptionValues {
  port?: string;
  device?: DeviceKind;
  firmware?: string;
  bootrom?: string;
  heap?: number;
  seed?: number;
  fault?: string[];
  record?: string;
  clock?: ClockKind;
}

export function deviceSpec(options: DeviceOptionValues): DeviceSpec {
  return {
    ...(options.port ? { port: options.port } : {}),
    ...(options.device ?? {}),
    ...(options.firmware !== undefined ? { firmware: options.firmware } : {}),
    ...(options.bootrom !== undefined ? { bootrom: options.bootrom } : {}),
    ...(options.heap !== undefined ? { heapBytes: options.heap } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.fault?.length ? { faults: options.fault } : {}),
    ...(options.record !== undefined ? { record: options.record } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
}

export function integer(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`not an integer: ${value}`);
  return Number(value);
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
