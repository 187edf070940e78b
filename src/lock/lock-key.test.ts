import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardLockKey, defaultLockDir, sanitiseKey } from './lock-key.ts';

describe('boardLockKey', () => {
  it('gives a Pico the same key from its unique id and from its USB serial number', () => {
    expect(boardLockKey({ uniqueId: 'e6614103e7452d2f' })).toBe('board-e6614103e7452d2f');
    expect(boardLockKey({ usbSerial: 'E6614103E7452D2F', port: '/dev/ttyACM0' })).toBe(
      'board-e6614103e7452d2f',
    );
  });

  it('falls back to the port, sanitised into a file name that keeps distinct ports apart', () => {
    const key = boardLockKey({ port: '/dev/ttyACM0' });
    expect(key).toMatch(/^port-_dev_ttyACM0-[0-9a-f]{8}$/);
    expect(boardLockKey({ port: '/dev/tty_ACM0' })).not.toBe(boardLockKey({ port: '/dev/tty/ACM0' }));
    expect(boardLockKey({ port: 'tcp://127.0.0.1:4000' })).toMatch(
      /^port-tcp___127\.0\.0\.1_4000-[0-9a-f]{8}$/,
    );
    expect(sanitiseKey('board-abc')).toBe('board-abc');
    expect(sanitiseKey('../../etc/passwd')).not.toContain('/');
  });

  it('needs something to go on', () => {
    expect(() => boardLockKey({})).toThrow(/unique id, a USB serial number or a port/);
  });

  it('reads the lock directory from PICOGC_LOCK_DIR', () => {
    expect(defaultLockDir({ PICOGC_LOCK_DIR: '/srv/locks' })).toBe('/srv/locks');
    expect(defaultLockDir({})).toBe(join(tmpdir(), 'picogc-locks'));
  });
});
