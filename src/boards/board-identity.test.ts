import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardLockKey } from '../lock/lock-key.ts';
import { lockKeyForTarget } from './board-identity.ts';

describe('lockKeyForTarget', () => {
  it('is the USB serial where known (the same key as the unique id read over the REPL)', () => {
    const key = lockKeyForTarget({ kind: 'serial', port: '/dev/ttyACM0', usbSerial: 'E6614103E7452D2F' });
    expect(key).toBe(boardLockKey({ uniqueId: 'e6614103e7452d2f' }));
    // The same board on another path after re-enumeration: the same key.
    expect(lockKeyForTarget({ kind: 'serial', port: '/dev/ttyACM1', usbSerial: 'E6614103E7452D2F' })).toBe(
      key,
    );
  });

  it('is the absolute port path otherwise (not resolved through links), and none for an in-process sim', () => {
    expect(lockKeyForTarget({ kind: 'serial', port: 'pico-link' })).toBe(
      boardLockKey({ port: resolve('pico-link') }),
    );
    expect(lockKeyForTarget({ kind: 'tcp', port: 'tcp://127.0.0.1:4001' })).toBe(
      boardLockKey({ port: 'tcp://127.0.0.1:4001' }),
    );
    expect(lockKeyForTarget({ kind: 'sim', seed: 1 })).toBeUndefined();
    expect(lockKeyForTarget({ kind: 'emu', firmware: 'a.uf2', bootrom: 'rom.bin' })).toBeUndefined();
    expect(lockKeyForTarget({ kind: 'replay', file: 'a.rec.gz' })).toBeUndefined();
  });
});
