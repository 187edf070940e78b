import { describe, expect, it } from 'vitest';
import { parseObjectSpec } from './object-sizes.ts';
import { rp2Config, wasmPyscriptConfig } from './port-config.ts';
import { buildArgvList, firstOverflowingArgvLength } from './scenario.ts';

const bytearray16 = parseObjectSpec('bytearray(16)');

describe('sys.argv as the one root of a wide graph', () => {
  it('overflows the 64-entry mark stack at exactly 65 children, on a Pico and on the VM', () => {
    expect(firstOverflowingArgvLength(rp2Config('1.28.0'), bytearray16)).toBe(65);
    expect(firstOverflowingArgvLength(wasmPyscriptConfig(), bytearray16)).toBe(65);
  });

  it('follows the stack size (a PSRAM build has 1024 entries; here a 32-entry one)', () => {
    expect(firstOverflowingArgvLength({ ...rp2Config('1.28.0'), markStackSize: 32 }, bytearray16)).toBe(33);
  });

  it('keeps every child and its data alive, and 64 of them cost no rescan', () => {
    const { heap, items } = buildArgvList({ config: rp2Config('1.28.0'), live: 64, object: bytearray16 });
    expect(items.refs).toHaveLength(64);
    const work = heap.collectNow('explicit').work;
    expect(work.rescans).toBe(0);
    expect(work.maxStackDepth).toBe(64);
    // The item array, 64 headers and 64 data blocks.
    expect(work.objectsMarked).toBe(1 + 2 * 64);
  });
});
