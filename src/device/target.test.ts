import { describe, expect, it } from 'vitest';
import { LinkError, UsageError } from '../errors.ts';
import type { PortInfo } from '../link/discovery.ts';
import { isInProcess, resolveTargets, targetLabel, type TargetRequest } from './target.ts';

const pico = (path: string, serialNumber?: string): PortInfo => ({
  path,
  vendorId: '2e8a',
  productId: '0005',
  ...(serialNumber ? { serialNumber } : {}),
  isPico: true,
});
const other: PortInfo = { path: '/dev/ttyUSB0', vendorId: '0403', isPico: false };

function resolveWith(request: Partial<TargetRequest>, ports: PortInfo[] = []) {
  const notices: string[] = [];
  return {
    notices,
    targets: resolveTargets(
      { ports: [], seeds: [], ...request },
      {
        listPorts: () => Promise.resolve(ports),
        describePort: (path) => Promise.resolve(ports.find((p) => p.path === path)),
        notice: (text) => notices.push(text),
      },
    ),
  };
}

describe('resolveTargets', () => {
  it('--port auto is every Pico found, with its USB serial, and nothing else', async () => {
    const { targets } = resolveWith({ ports: ['auto'] }, [
      pico('/dev/ttyACM0', 'E6614103E7452D2F'),
      other,
      pico('/dev/ttyACM1', 'E66141040396552A'),
    ]);
    expect(await targets).toEqual([
      { kind: 'serial', port: '/dev/ttyACM0', usbSerial: 'E6614103E7452D2F' },
      { kind: 'serial', port: '/dev/ttyACM1', usbSerial: 'E66141040396552A' },
    ]);
  });

  it('--port auto with no Pico attached is a link failure (exit 3), not a silent pass', async () => {
    const error = await resolveWith({ ports: ['auto'] }, [other]).targets.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).message).toMatch(/no Raspberry Pi Pico found/);
  });

  it('keeps repeated --port values in order and takes a board that auto also found once', async () => {
    const { targets } = resolveWith({ ports: ['tcp://10.0.0.5:4001', '/dev/ttyACM1', 'auto'] }, [
      pico('/dev/ttyACM0', 'AAAA'),
      pico('/dev/ttyACM1', 'BBBB'),
    ]);
    expect((await targets).map(targetLabel)).toEqual(['tcp://10.0.0.5:4001', '/dev/ttyACM1', '/dev/ttyACM0']);
  });

  it('refuses the same board named twice, rfc2217://, and --seed with a port', async () => {
    await expect(resolveWith({ ports: ['/dev/ttyACM0', '/dev/ttyACM0'] }).targets).rejects.toThrow(
      /named twice/,
    );
    const rfc = await resolveWith({ ports: ['rfc2217://bench:4000'] }).targets.catch((e: unknown) => e);
    expect(rfc).toBeInstanceOf(UsageError);
    expect((rfc as Error).message).toMatch(/RFC 2217 is not supported.*tcp:\/\/HOST:PORT/);
    await expect(resolveWith({ ports: ['/dev/ttyACM0'], seeds: [1] }).targets).rejects.toThrow(/--seed/);
    await expect(resolveWith({ ports: ['/dev/ttyACM0'], faults: ['hang'] }).targets).rejects.toThrow(
      /--fault/,
    );
  });

  it('--device sim gives one virtual Pico per seed, and refuses a seed given twice', async () => {
    const { targets } = resolveWith({ device: 'sim', seeds: [1, 2], faults: ['latency:1'] });
    expect(await targets).toEqual([
      { kind: 'sim', seed: 1, faults: ['latency:1'] },
      { kind: 'sim', seed: 2, faults: ['latency:1'] },
    ]);
    await expect(resolveWith({ device: 'sim', seeds: [4, 4] }).targets).rejects.toThrow(/same board/);
    await expect(resolveWith({ device: 'sim', faults: ['hang:2'] }).targets).rejects.toThrow(UsageError);
  });

  it('--device emu is one emulated RP2040, which needs --firmware (--bootrom optional) and nothing of a sim', async () => {
    const { targets } = resolveWith({ device: 'emu', firmware: 'fw/RPI_PICO.uf2', bootrom: 'rom.bin' });
    expect(await targets).toEqual([{ kind: 'emu', firmware: 'fw/RPI_PICO.uf2', bootrom: 'rom.bin' }]);
    expect(targetLabel((await targets)[0]!)).toBe('emulated RP2040 running RPI_PICO.uf2');
    expect(isInProcess((await targets)[0]!)).toBe(true);
    // Without --bootrom: picogc's written ROM (no bootrom in the target).
    expect(await resolveWith({ device: 'emu', firmware: 'a.uf2' }).targets).toEqual([
      { kind: 'emu', firmware: 'a.uf2' },
    ]);
    await expect(resolveWith({ device: 'emu' }).targets).rejects.toThrow(/needs --firmware/);
    await expect(
      resolveWith({ device: 'emu', firmware: 'a.uf2', bootrom: 'r', seeds: [1] }).targets,
    ).rejects.toThrow(UsageError);
  });

  it('--firmware goes with boards on this host (flashed first) or --device emu, never a sim or tcp:// board', async () => {
    expect(await resolveWith({ ports: ['/dev/ttyACM0'], firmware: 'a.uf2' }).targets).toEqual([
      { kind: 'serial', port: '/dev/ttyACM0' },
    ]);
    await expect(resolveWith({ device: 'sim', firmware: 'a.uf2' }).targets).rejects.toThrow(/no bootloader/);
    await expect(resolveWith({ ports: ['tcp://bench:4000'], firmware: 'a.uf2' }).targets).rejects.toThrow(
      UsageError,
    );
    await expect(resolveWith({ ports: ['/dev/ttyACM0'], bootrom: 'r' }).targets).rejects.toThrow(
      /--bootrom applies to --device emu only/,
    );
  });

  it('without --port: the single Pico attached, else the virtual Pico said on stderr', async () => {
    expect(await resolveWith({}, [pico('/dev/ttyACM3', 'CCCC')]).targets).toEqual([
      { kind: 'serial', port: '/dev/ttyACM3', usbSerial: 'CCCC' },
    ]);
    const none = resolveWith({}, [other]);
    expect(await none.targets).toEqual([{ kind: 'sim', seed: 0 }]);
    expect(none.notices.join('')).toMatch(/using the virtual Pico/);
    await expect(resolveWith({}, [pico('/dev/ttyACM0'), pico('/dev/ttyACM1')]).targets).rejects.toThrow(
      /several Picos found.*--port auto/,
    );
  });
});
