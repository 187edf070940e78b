import { UsageError } from '../errors.ts';

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
