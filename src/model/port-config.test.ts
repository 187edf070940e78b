import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import {
  choosePortConfig,
  heapRegionOfSize,
  portConfigByName,
  rp2Config,
  wasmPyscriptConfig,
} from './port-config.ts';
import { isAtLeast, parseFirmwareVersion } from './version.ts';

describe('port presets', () => {
  it('are chosen from what the device reports in sys.implementation', () => {
    // Facts §9 and §8: the v1.28.0 RPI_PICO firmware and the npm pyscript VM.
    const pico = choosePortConfig({
      machine: 'Raspberry Pi Pico with RP2040',
      version: '1.28.0',
      build: 'RPI_PICO',
    });
    expect(pico).toMatchObject({
      name: 'rp2',
      collectionTiming: 'immediate',
      thresholdDefaultBlocks: null,
      floatBytes: 8,
    });
    const vm = choosePortConfig({ machine: 'JS with Emscripten', version: '1.27.0', build: 'pyscript' });
    expect(vm).toMatchObject({
      name: 'wasm-pyscript',
      collectionTiming: 'deferred-to-top-level',
      thresholdDefaultBlocks: 1024,
      pystack: true,
      weakrefTable: false,
      floatBytes: 16,
    });
    expect(vm.splitHeapAuto).toEqual({ maxNewSplit: 128 * 1024 * 1024, areaStructBytes: 32 });
    expect(() => choosePortConfig({ machine: 'ESP32 module', version: '1.28.0' })).toThrow(InputError);
    expect(() =>
      choosePortConfig({ machine: 'JS with Emscripten', version: '1.27.0', build: 'standard' }),
    ).toThrow(/no GC model preset/);
  });

  it('follow py/gc.c across versions: the sweep bound (v1.21.0) and the weakref table (v1.28.0)', () => {
    expect(rp2Config('1.20.0').sweepMode).toBe('whole-heap');
    expect(rp2Config('1.21.0').sweepMode).toBe('up-to-last-used-block');
    expect(rp2Config('1.21.0-preview').sweepMode).toBe('whole-heap');
    expect(wasmPyscriptConfig('1.27.0').weakrefTable).toBe(false);
    expect(wasmPyscriptConfig('1.28.0')).toMatchObject({
      weakrefTable: true,
      splitHeapAuto: { areaStructBytes: 36 },
    });
    expect(rp2Config('1.28.0').weakrefTable).toBe(false);
  });

  it('size a heap from the fixed end of SRAM on rp2 and from the malloc address on wasm', () => {
    expect(heapRegionOfSize(rp2Config(), 1000)).toEqual({ start: 0x20040000 - 1000, end: 0x20040000 });
    const wasm = wasmPyscriptConfig();
    expect(heapRegionOfSize(wasm, 1000)).toEqual({
      start: wasm.heapRegion.start,
      end: wasm.heapRegion.start + 1000,
    });
    expect(() => heapRegionOfSize(wasm, 10)).toThrow(InputError);
    expect(() => portConfigByName('esp32')).toThrow(InputError);
  });
});

describe('firmware versions', () => {
  it('parse release, v-prefixed and preview forms, and reject others', () => {
    expect(parseFirmwareVersion('v1.28.0')).toEqual({ major: 1, minor: 28, patch: 0, preview: false });
    expect(parseFirmwareVersion('1.29.0-preview.731.g1c3c201149')).toMatchObject({
      minor: 29,
      preview: true,
    });
    expect(() => parseFirmwareVersion('latest')).toThrow(InputError);
  });

  it('compare: a preview has not reached its own release yet', () => {
    expect(isAtLeast(parseFirmwareVersion('1.29.0-preview'), '1.28.0')).toBe(true);
    expect(isAtLeast(parseFirmwareVersion('1.28.0-preview'), '1.28.0')).toBe(false);
    expect(isAtLeast(parseFirmwareVersion('1.28.1'), '1.28.0')).toBe(true);
    expect(isAtLeast(parseFirmwareVersion('1.9.4'), '1.21.0')).toBe(false);
  });
});
