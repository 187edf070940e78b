import { UsageError } from '../errors.ts';
import { describePort, resolveAutoPort } from './discovery.ts';
import { openSerialLink } from './serial.ts';
import { openTcpLink } from './tcp.ts';
import type { Link } from './link.ts';
import { parseTcpSpec } from './tcp-spec.ts';

export type { Link } from './link.ts';

export interface OpenLinkOptions {
  baudRate?: number;
  connectTimeoutMs?: number;
}

/**
 * Open a link from the user's `--port` value: a device path, `auto` (the single Pico attached), or
 * `tcp://HOST:PORT` (raw TCP, as ser2net exports a serial port).
 */
export async function openLink(spec: string, options: OpenLinkOptions = {}): Promise<Link> {
  const target = spec.trim();
  if (target === '') throw new UsageError('empty --port: give a device path, "auto" or tcp://HOST:PORT');
  if (target === 'auto') {
    const port = await resolveAutoPort();
    return openSerialLink(port.path, { baudRate: options.baudRate, serialNumber: port.serialNumber });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    const { host, port } = parseTcpSpec(target);
    return openTcpLink(host, port, { connectTimeoutMs: options.connectTimeoutMs });
  }
  const known = await describePort(target);
  return openSerialLink(target, { baudRate: options.baudRate, serialNumber: known?.serialNumber });
}
