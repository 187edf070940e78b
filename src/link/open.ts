import { UsageError } from '../errors.ts';
import { describePort, resolveAutoPort } from './discovery.ts';
import { openSerialLink } from './serial.ts';
import { openTcpLink } from './tcp.ts';
import type { Link } from './link.ts';

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

/** `tcp://HOST:PORT` → host and port; anything else is a usage error that says what is accepted. */
export function parseTcpSpec(spec: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UsageError(`malformed port address "${spec}"; expected tcp://HOST:PORT`);
  }
  if (url.protocol === 'rfc2217:') {
    throw new UsageError(
      `RFC 2217 is not supported ("${spec}"); export the port as raw TCP (ser2net: accepter tcp,PORT ` +
        'without telnet) and use tcp://HOST:PORT',
    );
  }
  if (url.protocol !== 'tcp:') {
    throw new UsageError(
      `unsupported port address "${spec}"; expected a device path, "auto" or tcp://HOST:PORT`,
    );
  }
  const port = Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host || !url.port || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new UsageError(`"${spec}" needs a host and a port from 1 to 65535: tcp://HOST:PORT`);
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash || url.username) {
    throw new UsageError(`"${spec}" has more than tcp://HOST:PORT`);
  }
  return { host, port };
}
