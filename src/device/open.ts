import { UsageError } from '../errors.ts';
import type { Link } from '../link/link.ts';
import { parseFaultSpec } from '../sim/faults.ts';
import { VirtualPico } from '../sim/virtual-pico.ts';
import type { RecordingNotes } from './recorded.ts';
import { ReplDevice } from './repl-device.ts';
import type { Capabilities } from './device-info.ts';

export interface DeviceSpec {
  /** A serial path, `auto`, or `tcp://HOST:PORT`. */
  port?: string;
  /**
   * `sim`: the virtual Pico in this process; `emu`: `firmware` on an emulated RP2040 (rp2040js);
   * `replay`: the device side of the recording `replay` played back.
   */
  device?: 'sim' | 'serial' | 'emu' | 'replay';
  /** A UF2 image: what the emulated RP2040 runs (`emu`); for a board, the caller flashes it first. */
  firmware?: string;
  /** The boot ROM read from the user's Pico (`picogc bootrom`), for `emu`. */
  bootrom?: string;
  /** A recording made with `record`, for `replay`. */
  replay?: string;
  /** Virtual Pico only. */
  heapBytes?: number;
  seed?: number;
  faults?: string[];
  softReset?: boolean;
  /** `--record FILE`: keep the whole conversation with the device in FILE (written at close). */
  record?: string;
  /** The command line, kept in a recording. */
  command?: string;
}

/** A device as opened, with the notes of its recording (`--record`) when there is one. */
export interface OpenedDevice {
  device: ReplDevice;
  recording?: RecordingNotes;
  /** For `--device replay:FILE`: what the recorder noted (the firmware block of an emulated image…). */
  recordedNotes?: Record<string, unknown>;
}

/**
 * Connect to what the user named: a board on a port, or the virtual Pico. With neither, a single
 * Pico found on USB is used, and with none the virtual Pico is, said on stderr so nobody mistakes
 * its figures for a board's.
 */
export async function openDevice(
  spec: DeviceSpec,
  notice: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<ReplDevice> {
  return (await openRecordedDevice(spec, notice)).device;
}

/** openDevice, also returning what a recording (`record`) or a replay (`replay`) carries. */
export async function openRecordedDevice(
  spec: DeviceSpec,
  notice: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<OpenedDevice> {
  checkSpec(spec);
  // Each kind of device loads what it needs when it is opened: the serial bindings, the emulator
  // and the recorder stay unloaded for the virtual Pico (`picogc exec --device sim` starts fast).
  const recorder = spec.device === 'replay' || spec.record ? await import('./recorded.ts') : undefined;
  let recording: RecordingNotes | undefined;
  let device: ReplDevice | undefined;
  const wrap = (link: Link): Link => {
    if (!spec.record || !recorder) return link;
    const recorded = recorder.recordDeviceLink(
      link,
      spec.record,
      spec.command ?? 'picogc',
      () => device?.knownInfo,
    );
    recording = recorded.notes;
    return recorded.link;
  };
  const connect = async (
    link: Link,
    backend: 'serial' | 'sim' | 'replay',
    declare?: (reported: Capabilities) => Capabilities,
  ) => {
    const wrapped = wrap(link);
    try {
      return await ReplDevice.connect(wrapped, backend, {
        ...(spec.softReset === undefined ? {} : { softReset: spec.softReset }),
        ...(declare ? { declare } : {}),
      });
    } catch (error) {
      await wrapped.close().catch(() => undefined);
      throw error;
    }
  };

  if (spec.device === 'replay' && recorder) {
    const replay = recorder.openReplay(spec.replay ?? '');
    const recorded = replay.meta.device?.capabilities;
    device = await connect(replay.link, 'replay', (reported) => ({
      ...(recorded ?? reported),
      differences: [
        ...(recorded ?? reported).differences,
        `replay: the device side of ${spec.replay} (recorded ${replay.recording.recordedAt} with picogc ` +
          `${replay.recording.tool.version} from ${replay.recording.link}) played back; nothing ran on a device now`,
      ],
    }));
    return { device, recordedNotes: replay.meta.notes };
  }
  if (spec.device === 'emu') {
    const { openEmuDevice } = await import('../emu/open-emu.ts');
    const session = await openEmuDevice({
      firmware: spec.firmware ?? '',
      bootrom: spec.bootrom ?? '',
      log: notice,
      wrapLink: wrap,
    });
    device = session.device;
    return { device, ...(recording ? { recording } : {}) };
  }
  if (spec.port) {
    const { openLink } = await import('../link/open.ts');
    device = await connect(await openLink(spec.port), 'serial');
  } else device = await connectDefault(spec, notice, connect);
  return { device, ...(recording ? { recording } : {}) };
}

function checkSpec(spec: DeviceSpec): void {
  if (spec.device === 'replay') {
    if (!spec.replay) throw new UsageError('--device replay:FILE needs the recording FILE');
    if (spec.port) throw new UsageError('give either --port or --device replay:FILE, not both');
    if (spec.record) throw new UsageError('a replay cannot be recorded again: remake the recording instead');
    return;
  }
  if (spec.device === 'sim' && spec.port)
    throw new UsageError('give either --port or --device sim, not both');
  if (spec.device === 'emu') {
    if (spec.port) throw new UsageError('give either --port or --device emu, not both');
    return;
  }
  if (spec.bootrom !== undefined) throw new UsageError('--bootrom applies to --device emu only');
  if (spec.port && (spec.faults?.length || spec.heapBytes !== undefined)) {
    throw new UsageError('--heap and --fault apply to the virtual Pico (--device sim) only');
  }
}

async function connectDefault(
  spec: DeviceSpec,
  notice: (text: string) => void,
  connect: (link: Link, backend: 'serial' | 'sim') => Promise<ReplDevice>,
): Promise<ReplDevice> {
  if (spec.device !== 'sim') {
    const { listPorts } = await import('../link/discovery.ts');
    const { openLink } = await import('../link/open.ts');
    const picos = (await listPorts().catch(() => [])).filter((p) => p.isPico);
    if (picos.length === 1) return connect(await openLink(picos[0]!.path), 'serial');
    if (picos.length > 1) {
      throw new UsageError(
        `several Picos found (${picos.map((p) => p.path).join(', ')}): choose one with --port`,
      );
    }
    if (spec.device === 'serial') return connect(await openLink('auto'), 'serial');
    notice('picogc: no Pico found on USB; using the virtual Pico (--device sim)');
  }
  const pico = await VirtualPico.start({
    ...(spec.heapBytes !== undefined ? { heapBytes: spec.heapBytes } : {}),
    ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
    ...(spec.faults?.length ? { faults: spec.faults.map(parseFaultSpec) } : {}),
  });
  const link: Link = {
    stream: pico.link,
    // The seed is the virtual Pico's identity (its unique id follows from it): name it with the board.
    description: `virtual Pico (in-process, seed ${spec.seed ?? 0})`,
    close: () => pico.close(),
  };
  return connect(link, 'sim');
}
