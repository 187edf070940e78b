import { basename, resolve } from 'node:path';
import { LinkError, UsageError } from '../errors.ts';
import type { PortInfo } from '../link/discovery.ts';
import { parseTcpSpec } from '../link/tcp-spec.ts';
import { parseFaultSpec } from '../sim/faults.ts';
import type { ClockKind } from '../sim/vm-protocol.ts';

/**
 * A board of the bench as the user named it, before it is opened (labgrid's "resource"): a serial
 * device path (with its USB serial number when enumeration knows it), a raw-TCP export, or a
 * virtual Pico in this process, whose identity is its seed.
 */
export type DeviceTarget =
  | { kind: 'serial'; port: string; usbSerial?: string; record?: string }
  | { kind: 'tcp'; port: string; record?: string }
  | { kind: 'sim'; seed: number; heapBytes?: number; faults?: string[]; clock?: ClockKind; record?: string }
  /** The user's firmware on an emulated RP2040 in this process (src/emu). */
  | { kind: 'emu'; firmware: string; bootrom?: string; record?: string }
  /** A recorded conversation played back (src/link/replay-link.ts). */
  | { kind: 'replay'; file: string };

/** A board that lives in this process (no port, no lock, no power to cycle). */
export function isInProcess(
  target: DeviceTarget,
): target is Extract<DeviceTarget, { kind: 'sim' | 'emu' | 'replay' }> {
  return target.kind === 'sim' || target.kind === 'emu' || target.kind === 'replay';
}

/** What the command line said about boards. */
export interface TargetRequest {
  /** `--port`, repeatable: paths, `auto` (every Pico found), `tcp://HOST:PORT`. */
  ports: readonly string[];
  device?: 'sim' | 'serial' | 'emu' | 'replay';
  /** `--device replay:FILE`: the recording. */
  replay?: string;
  /** `--record FILE`: keep the conversation with the (one) board in FILE. */
  record?: string;
  /** `--seed`, repeatable: one virtual Pico per seed (with `--device sim`). */
  seeds: readonly number[];
  heapBytes?: number;
  faults?: readonly string[];
  /** What times the virtual Pico (`--clock`). */
  clock?: ClockKind;
  /** `--device emu`: the UF2 it runs and the boot ROM read from a Pico (none: picogc's written ROM). */
  firmware?: string;
  bootrom?: string;
}

export interface ResolveDeps {
  listPorts?: () => Promise<PortInfo[]>;
  describePort?: (path: string) => Promise<PortInfo | undefined>;
  /** Told when no board was named or found and the virtual Pico is used instead. */
  notice?: (text: string) => void;
}

/** How a board is named in progress lines, tables and reports. */
export function targetLabel(target: DeviceTarget): string {
  if (target.kind === 'sim') return `virtual Pico seed ${target.seed}`;
  if (target.kind === 'emu') return `emulated RP2040 running ${basename(target.firmware)}`;
  if (target.kind === 'replay') return `replay of ${basename(target.file)}`;
  return target.port;
}

/**
 * Turn `--port`/`--device`/`--seed` into the boards to run. `auto` is every Pico found (none is a
 * link failure: a nightly that silently ran on nothing must not pass). A board named twice is a
 * usage error (the second worker would only find the first one's lock); one that `auto` also found
 * is taken once. Nothing is opened here.
 */
export async function resolveTargets(
  request: TargetRequest,
  deps: ResolveDeps = {},
): Promise<DeviceTarget[]> {
  const targets = await unrecordedTargets(request, deps);
  if (request.record === undefined) return targets;
  if (targets.length !== 1 || targets[0]!.kind === 'replay') {
    throw new UsageError(
      targets.length !== 1
        ? `--record keeps one board's conversation, and ${targets.length} boards were named`
        : 'a replay cannot be recorded again: remake the recording instead',
    );
  }
  return [{ ...targets[0]!, record: request.record }];
}

async function unrecordedTargets(request: TargetRequest, deps: ResolveDeps): Promise<DeviceTarget[]> {
  // The serial bindings load only when a port has to be looked for.
  const list = deps.listPorts ?? (async () => (await import('../link/discovery.ts')).listPorts());
  const describe =
    deps.describePort ?? (async (path: string) => (await import('../link/discovery.ts')).describePort(path));
  const simOnly =
    request.heapBytes !== undefined || (request.faults?.length ?? 0) > 0 || request.clock === 'host';
  if (request.device !== undefined && request.device !== 'serial' && request.ports.length > 0) {
    throw new UsageError(
      `give either --port or --device ${request.device === 'replay' ? 'replay:FILE' : request.device}, not both`,
    );
  }
  if (request.device === 'replay') {
    if (
      simOnly ||
      request.seeds.length > 0 ||
      request.firmware !== undefined ||
      request.bootrom !== undefined
    ) {
      throw new UsageError(
        '--device replay:FILE plays a recording back: --heap, --fault, --seed, --clock, --firmware and --bootrom do not apply',
      );
    }
    if (!request.replay) throw new UsageError('--device replay:FILE needs the recording FILE');
    return [{ kind: 'replay', file: request.replay }];
  }
  if (request.device === 'emu') {
    if (simOnly || request.seeds.length > 0) {
      throw new UsageError(
        '--heap, --fault, --clock host and --seed apply to the virtual Pico (--device sim) only',
      );
    }
    if (!request.firmware) throw new UsageError('--device emu needs --firmware FILE.uf2');
    return [
      {
        kind: 'emu',
        firmware: request.firmware,
        ...(request.bootrom !== undefined ? { bootrom: request.bootrom } : {}),
      },
    ];
  }
  if (request.bootrom !== undefined) throw new UsageError('--bootrom applies to --device emu only');
  for (const fault of request.faults ?? []) parseFaultSpec(fault); // a typo is a usage error up front
  const targets = await boardTargets(request, list, describe, simOnly, deps);
  if (request.firmware !== undefined && targets.some((t) => t.kind !== 'serial')) {
    throw new UsageError(
      "--firmware flashes boards on this host's USB (--port PATH or auto) or runs on --device emu; " +
        'a virtual Pico in this process has no bootloader: start `picogc sim --pty` and name its path with --port',
    );
  }
  return targets;
}

async function boardTargets(
  request: TargetRequest,
  list: () => Promise<PortInfo[]>,
  describe: (path: string) => Promise<PortInfo | undefined>,
  simOnly: boolean,
  deps: ResolveDeps,
): Promise<DeviceTarget[]> {
  if (request.ports.length > 0) {
    if (simOnly)
      throw new UsageError('--heap, --fault and --clock host apply to the virtual Pico (--device sim) only');
    if (request.seeds.length > 0) {
      throw new UsageError(
        '--seed applies to the virtual Pico (--device sim); a `picogc sim --pty` board has the seed it was started with',
      );
    }
    return portTargets(request.ports, list, describe);
  }
  if (request.device !== 'sim') {
    const picos = (await list().catch(() => [])).filter((p) => p.isPico);
    if (picos.length === 1) return [serialTarget(picos[0]!)];
    if (picos.length > 1) {
      throw new UsageError(
        `several Picos found (${picos.map((p) => p.path).join(', ')}): name them with --port, or --port auto for all`,
      );
    }
    if (request.device === 'serial') {
      throw new LinkError(
        'no Raspberry Pi Pico found (USB vendor ID 2E8A); plug one in, name it with --port, or use --device sim',
      );
    }
    (deps.notice ?? ((text) => process.stderr.write(`${text}\n`)))(
      'picogc: no Pico found on USB; using the virtual Pico (--device sim)',
    );
  }
  return simTargets(request);
}

function simTargets(request: TargetRequest): DeviceTarget[] {
  const seeds = request.seeds.length > 0 ? request.seeds : [0];
  const seen = new Set<number>();
  for (const seed of seeds) {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new UsageError(`--seed must be a whole number ≥ 0, not ${seed}`);
    if (seen.has(seed)) {
      throw new UsageError(`--seed ${seed} given twice: two virtual Picos with one seed are the same board`);
    }
    seen.add(seed);
  }
  return seeds.map((seed) => ({
    kind: 'sim' as const,
    seed,
    ...(request.heapBytes !== undefined ? { heapBytes: request.heapBytes } : {}),
    ...(request.faults?.length ? { faults: [...request.faults] } : {}),
    ...(request.clock ? { clock: request.clock } : {}),
  }));
}

async function portTargets(
  ports: readonly string[],
  list: () => Promise<PortInfo[]>,
  describe: (path: string) => Promise<PortInfo | undefined>,
): Promise<DeviceTarget[]> {
  const targets: DeviceTarget[] = [];
  const named = new Set<string>();
  const fromAuto: DeviceTarget[] = [];
  for (const raw of ports) {
    const spec = raw.trim();
    if (spec === '') throw new UsageError('empty --port: give a device path, "auto" or tcp://HOST:PORT');
    if (spec === 'auto') {
      const picos = (await list()).filter((p) => p.isPico);
      if (picos.length === 0) {
        throw new LinkError(
          '--port auto: no Raspberry Pi Pico found (USB vendor ID 2E8A); plug one in running MicroPython ' +
            '(not in BOOTSEL mode), check `picogc ports`, or name a port with --port PATH',
        );
      }
      fromAuto.push(...picos.map(serialTarget));
      continue;
    }
    let target: DeviceTarget;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
      parseTcpSpec(spec); // refuses rfc2217:// and anything else with advice
      target = { kind: 'tcp', port: spec };
    } else {
      const known = await describe(spec);
      target = {
        kind: 'serial',
        port: spec,
        ...(known?.serialNumber ? { usbSerial: known.serialNumber } : {}),
      };
    }
    const key = sameBoardKey(target);
    if (named.has(key)) throw new UsageError(`--port ${spec} is named twice (the same board)`);
    named.add(key);
    targets.push(target);
  }
  for (const target of fromAuto) {
    const key = sameBoardKey(target);
    if (named.has(key)) continue; // named explicitly as well: once is enough
    named.add(key);
    targets.push(target);
  }
  return targets;
}

function serialTarget(port: PortInfo): DeviceTarget {
  return { kind: 'serial', port: port.path, ...(port.serialNumber ? { usbSerial: port.serialNumber } : {}) };
}

/** Two names of one board: the same USB serial, else the same absolute path or address. */
function sameBoardKey(target: DeviceTarget): string {
  if (target.kind === 'serial')
    return target.usbSerial ? `usb:${target.usbSerial}` : `path:${resolve(target.port)}`;
  if (target.kind === 'tcp') return `tcp:${target.port.toLowerCase()}`;
  if (target.kind === 'emu') return `emu:${resolve(target.firmware)}`;
  if (target.kind === 'replay') return `replay:${resolve(target.file)}`;
  return `sim:${target.seed}`;
}

/** For a command that talks to one device: several named or found is a usage error. */
export async function resolveTarget(request: TargetRequest, deps: ResolveDeps = {}): Promise<DeviceTarget> {
  const targets = await resolveTargets(request, deps);
  if (targets.length !== 1) {
    throw new UsageError(
      `${targets.length} devices were named or found (${targets.map(targetLabel).join(', ')}): ` +
        'this command talks to one; choose it with --port',
    );
  }
  return targets[0]!;
}
