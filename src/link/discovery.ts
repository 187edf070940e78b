import { accessSync, constants } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, delimiter, dirname, join } from 'node:path';
import { SerialPort } from 'serialport';
import { LinkError, UsageError } from '../errors.ts';

export interface PortInfo {
  path: string;
  /** USB vendor ID, 4 lowercase hex digits. */
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  /** A Raspberry Pi RP2040/RP2350 USB device (vendor 2E8A): MicroPython's CDC REPL is 2E8A:0005. */
  isPico: boolean;
}

export const PICO_VENDOR_ID = '2e8a';

/** Serial device names worth listing (the same families serialport's Linux lister keeps). */
const SERIAL_NAME = /^(ttyS|ttyACM|ttyUSB|ttyAMA|ttyMFD|ttyO|ttyXRUSB|ttyWCH|rfcomm)\d+$/;

export interface ListPortsOptions {
  /** sysfs mount point (tests point it at a fake tree). */
  sysfsRoot?: string;
  /** Ask serialport (udevadm on Linux) too. Default: on Linux only when `udevadm` is on PATH. */
  useUdev?: boolean;
  platform?: NodeJS.Platform;
  /** The udev-backed lister (serialport's); replaceable in tests. */
  udevList?: () => Promise<SerialportPortInfo[]>;
}

type SerialportPortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];

/**
 * Serial ports with their USB identity, sorted by path. On Linux, serialport's lister spawns
 * `udevadm`, which containers and CI images often lack (and a missing one crashed the process), and
 * whose database may be empty there; so sysfs is always read, udev only when present, and sysfs
 * fills in whatever udev did not say.
 */
export async function listPorts(options: ListPortsOptions = {}): Promise<PortInfo[]> {
  const platform = options.platform ?? process.platform;
  const udevList = options.udevList ?? (() => SerialPort.list());
  if (platform !== 'linux') return sortByPath((await udevList()).map(fromSerialport));
  const fromSysfs = await listSysfsPorts(options.sysfsRoot ?? '/sys');
  if (!(options.useUdev ?? isOnPath('udevadm'))) return fromSysfs;
  let fromUdev: PortInfo[];
  try {
    fromUdev = (await udevList()).map(fromSerialport);
  } catch {
    return fromSysfs;
  }
  const merged = new Map(fromUdev.map((port) => [port.path, port]));
  for (const port of fromSysfs) {
    const known = merged.get(port.path);
    merged.set(port.path, known ? withIdentity({ ...port, ...definedFields(known) }) : port);
  }
  return sortByPath([...merged.values()]);
}

/** The single Pico attached; none is a link problem (exit 3), several need the user to choose (exit 2). */
export async function resolveAutoPort(list: () => Promise<PortInfo[]> = listPorts): Promise<PortInfo> {
  const ports = await list();
  const picos = ports.filter((port) => port.isPico);
  if (picos.length === 1) return picos[0]!;
  if (picos.length === 0) {
    throw new LinkError(
      `--port auto: no Raspberry Pi Pico found (USB vendor ID 2E8A) among ${ports.length} serial ports; ` +
        'plug one in running MicroPython (not in BOOTSEL mode), check `picogc ports`, ' +
        'name a port with --port PATH, or use --device sim',
    );
  }
  const names = picos
    .map((p) => (p.serialNumber ? `${p.path} (serial ${p.serialNumber})` : p.path))
    .join(', ');
  throw new UsageError(`--port auto: ${picos.length} Picos found: ${names}; choose one with --port PATH`);
}

/** What sysfs knows about one device path (symlinks such as /dev/serial/by-id/… resolved). */
export async function describePort(path: string, sysfsRoot = '/sys'): Promise<PortInfo | undefined> {
  let name: string;
  try {
    name = basename(await realpath(path));
  } catch {
    return undefined;
  }
  return (await listSysfsPorts(sysfsRoot)).find((port) => basename(port.path) === name);
}

async function listSysfsPorts(sysfsRoot: string): Promise<PortInfo[]> {
  const classDir = join(sysfsRoot, 'class', 'tty');
  let names: string[];
  try {
    names = await readdir(classDir);
  } catch {
    return [];
  }
  const ports: PortInfo[] = [];
  for (const name of names.filter((n) => SERIAL_NAME.test(n))) {
    let device: string;
    try {
      device = await realpath(join(classDir, name, 'device'));
    } catch {
      continue; // virtual terminals and ptys have no device behind them
    }
    const usb = await findUsbDevice(device, sysfsRoot);
    // The 8250 driver registers ports that do not exist; their `type` reads 0 (PORT_UNKNOWN).
    if (!usb && (await readAttribute(join(classDir, name, 'type'))) === '0') continue;
    ports.push(
      withIdentity({
        path: `/dev/${name}`,
        vendorId: usb?.vendorId,
        productId: usb?.productId,
        serialNumber: usb?.serialNumber,
        manufacturer: usb?.manufacturer,
      }),
    );
  }
  return sortByPath(ports);
}

/** The USB device is the nearest ancestor with an `idVendor` file (ACM: the interface's parent). */
async function findUsbDevice(
  device: string,
  sysfsRoot: string,
): Promise<Omit<PortInfo, 'path' | 'isPico'> | undefined> {
  const stop = await realpath(sysfsRoot).catch(() => sysfsRoot);
  for (let dir = device, depth = 0; depth < 6 && dir.startsWith(stop) && dir !== stop; depth++) {
    const vendorId = await readAttribute(join(dir, 'idVendor'));
    if (vendorId !== undefined) {
      return {
        vendorId: vendorId.toLowerCase(),
        productId: (await readAttribute(join(dir, 'idProduct')))?.toLowerCase(),
        serialNumber: await readAttribute(join(dir, 'serial')),
        manufacturer: await readAttribute(join(dir, 'manufacturer')),
      };
    }
    dir = dirname(dir);
  }
  return undefined;
}

async function readAttribute(file: string): Promise<string | undefined> {
  try {
    const value = (await readFile(file, 'utf8')).trim();
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

function isOnPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function fromSerialport(port: SerialportPortInfo): PortInfo {
  return withIdentity({
    path: port.path,
    vendorId: port.vendorId?.toLowerCase(),
    productId: port.productId?.toLowerCase(),
    serialNumber: port.serialNumber,
    manufacturer: port.manufacturer,
  });
}

function withIdentity(port: Omit<PortInfo, 'isPico'> & { isPico?: boolean }): PortInfo {
  const info: PortInfo = { path: port.path, isPico: port.vendorId?.toLowerCase() === PICO_VENDOR_ID };
  if (port.vendorId) info.vendorId = port.vendorId.toLowerCase();
  if (port.productId) info.productId = port.productId.toLowerCase();
  if (port.serialNumber) info.serialNumber = port.serialNumber;
  if (port.manufacturer) info.manufacturer = port.manufacturer;
  return info;
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sortByPath(ports: PortInfo[]): PortInfo[] {
  return ports.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}
