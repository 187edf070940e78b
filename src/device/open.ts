import type { Link } from '../link/link.ts';
import type { ClockKind } from '../sim/vm-protocol.ts';
import type { Capabilities } from './device-info.ts';
import type { RecordingNotes } from './recorded.ts';
import { ReplDevice } from './repl-device.ts';
import { resolveTarget, type DeviceTarget, type ResolveDeps } from './target.ts';

/** One device as a program names it (the command line's options for one device, as data). */
export interface DeviceSpec {
  /** A serial path, `auto`, or `tcp://HOST:PORT`. */
  port?: string;
  /**
   * `sim`: the virtual Pico in this process; `emu`: `firmware` on an emulated RP2040 (rp2040js);
   * `replay`: the device side of the recording `replay` played back.
   */
  device?: 'sim' | 'serial' | 'emu' | 'replay';
  firmware?: string;
  bootrom?: string;
  replay?: string;
  heapBytes?: number;
  seed?: number;
  faults?: string[];
  clock?: ClockKind;
  /** `--record FILE`: keep the whole conversation with the device in FILE (written at close). */
  record?: string;
}

/** A device as opened, with the notes of its recording (`--record`) when there is one. */
export interface OpenedDevice {
  device: ReplDevice;
  recording?: RecordingNotes;
  /** For a replay: what the recorder noted (the firmware block of an emulated image…). */
  recordedNotes?: Record<string, unknown>;
}

/**
 * Connect to the one device the spec names (resolveTarget: a board on a port, or the virtual Pico;
 * with neither, the single Pico found on USB, else the virtual Pico, said through `notice`).
 */
export async function openDevice(
  spec: DeviceSpec,
  notice: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<ReplDevice> {
  const target = await resolveTarget(
    {
      ports: spec.port ? [spec.port] : [],
      ...(spec.device ? { device: spec.device } : {}),
      seeds: spec.seed !== undefined ? [spec.seed] : [],
      ...(spec.heapBytes !== undefined ? { heapBytes: spec.heapBytes } : {}),
      ...(spec.faults?.length ? { faults: spec.faults } : {}),
      ...(spec.clock ? { clock: spec.clock } : {}),
      ...(spec.firmware !== undefined ? { firmware: spec.firmware } : {}),
      ...(spec.bootrom !== undefined ? { bootrom: spec.bootrom } : {}),
      ...(spec.replay !== undefined ? { replay: spec.replay } : {}),
      ...(spec.record !== undefined ? { record: spec.record } : {}),
    },
    { notice } satisfies ResolveDeps,
  );
  return (await openTarget(target, { notice })).device;
}

export interface OpenTargetOptions {
  /** Where the board is now, when it came back elsewhere after a power cycle (never recorded again). */
  port?: string;
  /** The command line, kept in a recording. */
  command?: string;
  notice?: (text: string) => void;
}

/**
 * Open a resolved target (labgrid's "driver" step): the raw REPL over its serial port or TCP
 * export, a virtual Pico in this process, an emulated RP2040, or a recording played back. A target
 * with `record` keeps the conversation of this first connection.
 */
export async function openTarget(
  target: DeviceTarget,
  options: OpenTargetOptions = {},
): Promise<OpenedDevice> {
  const notice = options.notice ?? ((text: string) => process.stderr.write(`${text}\n`));
  if (target.kind === 'replay') return openReplayTarget(target.file);
  // Each kind loads what it needs when it is opened: no serial bindings, emulator or recorder for
  // the virtual Pico (`picogc exec --device sim` starts fast).
  const recorder = target.record && options.port === undefined ? await import('./recorded.ts') : undefined;
  let recording: RecordingNotes | undefined;
  let device: ReplDevice | undefined;
  const wrap = (link: Link): Link => {
    if (!recorder || !target.record) return link;
    const recorded = recorder.recordDeviceLink(
      link,
      target.record,
      options.command ?? 'picogc',
      () => device?.knownInfo,
    );
    recording = recorded.notes;
    return recorded.link;
  };
  if (target.kind === 'emu') {
    const { openEmuDevice } = await import('./open-emu.ts');
    const session = await openEmuDevice({
      firmware: target.firmware,
      ...(target.bootrom !== undefined ? { bootrom: target.bootrom } : {}),
      log: notice,
      wrapLink: wrap,
    });
    device = session.device;
  } else {
    const link =
      target.kind === 'sim'
        ? await virtualPicoLink(target)
        : await (await import('../link/open.ts')).openLink(options.port ?? target.port);
    device = await connect(wrap(link), target.kind === 'sim' ? 'sim' : 'serial');
  }
  return { device, ...(recording ? { recording } : {}) };
}

async function openReplayTarget(file: string): Promise<OpenedDevice> {
  const { openReplay } = await import('./recorded.ts');
  const replay = openReplay(file);
  const recorded = replay.meta.device?.capabilities;
  const device = await connect(replay.link, 'replay', (reported) => ({
    ...(recorded ?? reported),
    differences: [
      ...(recorded ?? reported).differences,
      `replay: the device side of ${file} (recorded ${replay.recording.recordedAt} with picogc ` +
        `${replay.recording.tool.version} from ${replay.recording.link}) played back; nothing ran on a device now`,
    ],
  }));
  return { device, recordedNotes: replay.meta.notes };
}

async function connect(
  link: Link,
  backend: 'serial' | 'sim' | 'replay',
  declare?: (reported: Capabilities) => Capabilities,
): Promise<ReplDevice> {
  try {
    return await ReplDevice.connect(link, backend, declare ? { declare } : {});
  } catch (error) {
    await link.close().catch(() => undefined);
    throw error;
  }
}

async function virtualPicoLink(target: Extract<DeviceTarget, { kind: 'sim' }>): Promise<Link> {
  const { VirtualPico } = await import('../sim/virtual-pico.ts');
  const { parseFaultSpec } = await import('../sim/faults.ts');
  const pico = await VirtualPico.start({
    seed: target.seed,
    ...(target.heapBytes !== undefined ? { heapBytes: target.heapBytes } : {}),
    ...(target.faults?.length ? { faults: target.faults.map(parseFaultSpec) } : {}),
    ...(target.clock ? { clock: target.clock } : {}),
  });
  return {
    stream: pico.link,
    // The seed is the virtual Pico's identity (its unique id follows from it): name it with the board.
    description: `virtual Pico (in-process, seed ${target.seed})`,
    close: () => pico.close(),
  };
}
