import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { openLink } from './open.ts';
import { parseTcpSpec } from './tcp-spec.ts';

describe('parseTcpSpec', () => {
  it('accepts tcp://HOST:PORT, IPv6 in brackets included', () => {
    expect(parseTcpSpec('tcp://127.0.0.1:3333')).toEqual({ host: '127.0.0.1', port: 3333 });
    expect(parseTcpSpec('tcp://bench-pi.local:2000/')).toEqual({ host: 'bench-pi.local', port: 2000 });
    expect(parseTcpSpec('tcp://[::1]:4000')).toEqual({ host: '::1', port: 4000 });
  });

  it.each([
    ['tcp://host', /needs a host and a port/],
    ['tcp://host:0', /needs a host and a port/],
    ['tcp://host:70000', /malformed|needs a host/],
    ['tcp://host:22/path', /more than tcp:\/\/HOST:PORT/],
    ['rfc2217://host:3333', /RFC 2217 is not supported/],
    ['ftp://host:21', /unsupported port address/],
  ])('rejects %s as a usage error', (spec, message) => {
    expect(() => parseTcpSpec(spec)).toThrow(UsageError);
    expect(() => parseTcpSpec(spec)).toThrow(message);
  });
});

describe('openLink', () => {
  it('rejects an empty port as a usage error', async () => {
    await expect(openLink('  ')).rejects.toBeInstanceOf(UsageError);
  });
});
