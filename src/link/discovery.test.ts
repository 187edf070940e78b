import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PICO_PORT, UART_PORT } from '../../test/support/serial-ports.ts';
import { LinkError, UsageError } from '../errors.ts';
import { describePort, listPorts, resolveAutoPort, type PortInfo } from './discovery.ts';

/** A sysfs tree shaped like a real one: a Pico on ttyACM0, an FTDI adapter, UART slots, a pty. */
function fakeSysfs(root: string): void {
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${text}\n`);
  };
  const tty = (name: string, device?: string, type?: string) => {
    mkdirSync(join(root, 'class/tty', name), { recursive: true });
    if (device) {
      mkdirSync(join(root, device), { recursive: true });
      symlinkSync(join('../../..', device), join(root, 'class/tty', name, 'device'));
    }
    if (type) file(`class/tty/${name}/type`, type);
  };
  const pico = 'devices/pci0000:00/0000:00:14.0/usb1/1-2';
  file(`${pico}/idVendor`, PICO_PORT.vendorId);
  file(`${pico}/idProduct`, PICO_PORT.productId);
  file(`${pico}/serial`, PICO_PORT.serialNumber);
  file(`${pico}/manufacturer`, PICO_PORT.manufacturer);
  tty('ttyACM0', `${pico}/1-2:1.0`);
  const ftdi = 'devices/pci0000:00/0000:00:14.0/usb1/1-3';
  file(`${ftdi}/idVendor`, '0403');
  file(`${ftdi}/idProduct`, '6001');
  file(`${ftdi}/serial`, 'A10KZ3');
  tty('ttyUSB0', `${ftdi}/1-3:1.0/ttyUSB0`);
  tty('ttyS0', 'devices/platform/serial8250/tty/ttyS0', '4');
  tty('ttyS1', 'devices/platform/serial8250/tty/ttyS1', '0');
  tty('ttyACM1'); // no device link: gone or virtual
  tty('tty0');
}

describe('listPorts', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'picogc-sysfs-'));
    fakeSysfs(join(root, 'sys'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads USB identity from sysfs when udev is not used, and marks the Pico', async () => {
    const ports = await listPorts({ sysfsRoot: join(root, 'sys'), useUdev: false, platform: 'linux' });
    expect(ports).toEqual([
      PICO_PORT,
      UART_PORT,
      { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', serialNumber: 'A10KZ3', isPico: false },
    ]);
  });

  it('fills in what an empty udev database left out, and survives a failing udev', async () => {
    const sysfsRoot = join(root, 'sys');
    const bare = () => Promise.resolve([{ path: '/dev/ttyACM0', manufacturer: 'udev name' } as never]);
    const merged = await listPorts({ sysfsRoot, useUdev: true, platform: 'linux', udevList: bare });
    expect(merged.find((p) => p.path === '/dev/ttyACM0')).toMatchObject({
      vendorId: '2e8a',
      manufacturer: 'udev name',
      isPico: true,
    });
    const broken = () => Promise.reject(new Error('spawn udevadm ENOENT'));
    const fallback = await listPorts({ sysfsRoot, useUdev: true, platform: 'linux', udevList: broken });
    expect(fallback.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyS0', '/dev/ttyUSB0']);
  });

  it('does not call udev when udevadm is not on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = join(root, 'empty-bin');
    try {
      const never = () => Promise.reject(new Error('udev must not be asked'));
      const ports = await listPorts({ sysfsRoot: join(root, 'sys'), platform: 'linux', udevList: never });
      expect(ports).toHaveLength(3);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('finds the sysfs entry behind a /dev/serial/by-id style symlink', async () => {
    const dev = join(root, 'dev');
    mkdirSync(join(dev, 'serial/by-id'), { recursive: true });
    writeFileSync(join(dev, 'ttyACM0'), '');
    symlinkSync(join(dev, 'ttyACM0'), join(dev, 'serial/by-id/usb-MicroPython_Board-if00'));
    const port = await describePort(join(dev, 'serial/by-id/usb-MicroPython_Board-if00'), join(root, 'sys'));
    expect(port?.serialNumber).toBe(PICO_PORT.serialNumber);
    expect(await describePort(join(dev, 'missing'), join(root, 'sys'))).toBeUndefined();
  });
});

describe('resolveAutoPort', () => {
  const pico = (path: string, serialNumber: string): PortInfo => ({
    path,
    vendorId: '2e8a',
    productId: '0005',
    serialNumber,
    isPico: true,
  });

  it('picks the single Pico', async () => {
    expect(
      await resolveAutoPort(() => Promise.resolve([UART_PORT, pico('/dev/ttyACM0', 'AB')])),
    ).toMatchObject({
      path: '/dev/ttyACM0',
    });
  });

  it('refuses with a link error and advice when there is none', async () => {
    const error = await resolveAutoPort(() => Promise.resolve([UART_PORT])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(/no Raspberry Pi Pico found.*BOOTSEL.*--device sim/);
  });

  it('refuses with a usage error listing them when there are several', async () => {
    const error = await resolveAutoPort(() =>
      Promise.resolve([pico('/dev/ttyACM0', 'AB'), pico('/dev/ttyACM1', 'CD')]),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toContain('/dev/ttyACM0 (serial AB), /dev/ttyACM1 (serial CD)');
  });
});
