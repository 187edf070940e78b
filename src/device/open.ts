import { UsageError } from '../errors.ts';
import { listPorts } from '../link/discovery.ts';
import { openLink, type Link } from '../link/open.ts';
import { parseFaultSpec } from '../sim/faults.ts';
import { VirtualPico } from '../sim/virtual-pico.ts';
import type { ClockKind } from '../sim/vm-protocol.ts';
import { openEmuDevice } from '../emu/open-emu.ts';
import { ReplDevice } from './repl-device.ts';

export interface DeviceSpec {
  /** A serial path, `auto`, or `tcp://HOST:PORT`. */
  port?: string;
  /** `sim`: the virtual Pico in this process; `emu`: `firmware` on an emulated RP2040 (rp2040js). */
  device?: 'sim' | 'serial' | 'emu';
  /** A UF2 image: what the emulated RP2040 runs (`emu`); for a board, the caller flashes it first. */
  firmware?: string;
  /** The boot ROM read from the user's Pico (`picogc bootrom`), for `emu`. */
  bootrom?: string;
  /** Virtual Pico only. */
  heapBytes?: number;
  seed?: number;
  faults?: string[];
  /** Virtual Pico only: its work clock (default) or the host clock. */
  clock?: ClockKind;
  softReset?: boolean;
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
  if (spec.device === 'sim' && spec.port)
    throw new UsageError('give either --port or --device sim, not both');
  if (spec.device === 'emu') {
    if (spec.port) throw new UsageError('give either --port or --device emu, not both');
    const session = await openEmuDevice({
      firmware: spec.firmware ?? '',
      bootrom: spec.bootrom ?? '',
      log: notice,
    });
    return session.device;
  }
  if (spec.bootrom !== undefined) throw new UsageError('--bootrom applies to --device emu only');
  if (
    spec.device !== 'sim' &&
    (spec.faults?.length || spec.heapBytes !== undefined || spec.clock === 'host')
  ) {
    if (spec.port)
      throw new UsageError('--heap, --fault and --clock host apply to the virtual Pico (--device sim) only');
  }
  const connect = (link: Link, backend: 'serial' | 'sim') =>
    ReplDevice.connect(
      link,
      backend,
      spec.softReset === undefined ? {} : { softReset: spec.softReset },
    ).catch(async (error: unknown) => {
      await link.close().catch(() => undefined);
      throw error;
    });

  if (spec.port) return connect(await openLink(spec.port), 'serial');
  if (spec.device !== 'sim') {
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
    ...(spec.clock ? { clock: spec.clock } : {}),
  });
  const link: Link = {
    stream: pico.link,
    // The seed is the virtual Pico's identity (its unique id follows from it): name it with the board.
    description: `virtual Pico (in-process, seed ${spec.seed ?? 0})`,
    close: () => pico.close(),
  };
  return connect(link, 'sim');
}
