import { InputError } from '../errors.ts';
import { formatFirmwareVersion, isAtLeast, parseFirmwareVersion, type FirmwareVersion } from './version.ts';

/**
 * What the GC model needs to know about a port: the compile-time configuration that py/gc.c
 * reads (mpconfigport.h, mpconfigvariant.h) plus a few port behaviours (how `gc_collect` runs,
 * object sizes that depend on the float type). Presets are chosen by firmware version, since
 * py/gc.c changed underneath them.
 */

/**
 * `gc_sweep` walked every block of every area until v1.21.0; since then it stops at
 * `gc_last_used_block` (micropython commit 2dcd745434, first released in v1.21.0 —
 * `git describe --contains` says v1.21.0~235).
 */
export const SWEEP_TO_LAST_USED_SINCE = '1.21.0';
/** The weakref module and its WTB (1 bit a block) arrived in v1.28.0 (commit 74e945752b). */
export const WEAKREF_TABLE_SINCE = '1.28.0';

export type SweepMode = 'whole-heap' | 'up-to-last-used-block';

/**
 * `immediate`: `gc_collect()` collects at once (rp2 `main.c`). `deferred-to-top-level`: the
 * pyscript wasm variant's `gc_collect()` only sets a flag, and the collection runs when the
 * outermost call from JS returns (ports/webassembly/main.c `gc_collect_top_level`).
 */
export type CollectionTiming = 'immediate' | 'deferred-to-top-level';

export type PortName = 'rp2' | 'wasm-pyscript';

export interface PortConfig {
  name: PortName;
  firmware: FirmwareVersion;
  description: string;
  /** MICROPY_BYTES_PER_GC_BLOCK. */
  bytesPerBlock: number;
  /** Bytes in a machine word (a pointer): the unit gc_mark_subtree scans. */
  wordBytes: number;
  /** MICROPY_ENABLE_FINALISER: an FTB of 1 bit a block follows the ATB. */
  finaliserTable: boolean;
  /** MICROPY_PY_WEAKREF: a WTB of 1 bit a block follows the FTB. */
  weakrefTable: boolean;
  /** MICROPY_ALLOC_GC_STACK_SIZE. */
  markStackSize: number;
  sweepMode: SweepMode;
  collectionTiming: CollectionTiming;
  /** sizeof(mp_obj_float_t): single-precision on rp2, double on wasm. */
  floatBytes: number;
  /** `gc_alloc_threshold` after init, in blocks; null = SIZE_MAX (off). */
  thresholdDefaultBlocks: number | null;
  /** MICROPY_ENABLE_PYSTACK: Python frames live off the GC heap. */
  pystack: boolean;
  /** MICROPY_GC_SPLIT_HEAP_AUTO: a failed allocation adds an area (gc_try_add_heap). */
  splitHeapAuto: { maxNewSplit: number; areaStructBytes: number } | null;
  /** The region handed to gc_init by default: [start, end). */
  heapRegion: { start: number; end: number };
  /** Whether a different heap size keeps the region's end (rp2: the end of SRAM) or its start (a malloc). */
  heapAnchoredAt: 'end' | 'start';
  /** The `stack: … out of <limit>` figure of mem_info. */
  stackLimit: number;
}

/** RP2040 main SRAM ends here (`__GcHeapEnd` on RPI_PICO). */
const RP2040_SRAM_END = 0x2004_0000;
/**
 * `__GcHeapStart` is not printed by the firmware. Any start in [0x200028bb, 0x200028fc] gives
 * the observed `GC: total: 245888` (15368 blocks, pool from 0x20003f80) of v1.28.0 RPI_PICO
 * (facts §9); this one is 16-aligned inside that range.
 */
const RP2040_V1_28_HEAP_START = 0x2000_28c0;

/** The pyscript VM mallocs its first area here (observed on npm 1.27.0 for heaps up to ~300 KB). */
const WASM_FIRST_AREA_ADDRESS = 0x2_fa00;
/** The virtual Pico's default `heapsize`, which gives a Pico's `GC: total: 245888` (facts §8). */
export const VIRTUAL_PICO_HEAPSIZE = 251_700;

export function rp2Config(firmware: string | FirmwareVersion = '1.28.0'): PortConfig {
  const version = typeof firmware === 'string' ? parseFirmwareVersion(firmware) : firmware;
  return {
    name: 'rp2',
    firmware: version,
    description: `rp2 RPI_PICO (RP2040), MicroPython ${formatFirmwareVersion(version)}`,
    bytesPerBlock: 16,
    wordBytes: 4,
    finaliserTable: true,
    weakrefTable: false,
    markStackSize: 64,
    sweepMode: isAtLeast(version, SWEEP_TO_LAST_USED_SINCE) ? 'up-to-last-used-block' : 'whole-heap',
    collectionTiming: 'immediate',
    floatBytes: 8,
    thresholdDefaultBlocks: null,
    pystack: false,
    splitHeapAuto: null,
    heapRegion: { start: RP2040_V1_28_HEAP_START, end: RP2040_SRAM_END },
    heapAnchoredAt: 'end',
    stackLimit: 8192 - 256,
  };
}

export function wasmPyscriptConfig(firmware: string | FirmwareVersion = '1.27.0'): PortConfig {
  const version = typeof firmware === 'string' ? parseFirmwareVersion(firmware) : firmware;
  const weakref = isAtLeast(version, WEAKREF_TABLE_SINCE);
  return {
    name: 'wasm-pyscript',
    firmware: version,
    description: `webassembly pyscript variant (the virtual Pico's VM), MicroPython ${formatFirmwareVersion(version)}`,
    bytesPerBlock: 16,
    wordBytes: 4,
    finaliserTable: true,
    weakrefTable: weakref,
    markStackSize: 64,
    sweepMode: isAtLeast(version, SWEEP_TO_LAST_USED_SINCE) ? 'up-to-last-used-block' : 'whole-heap',
    collectionTiming: 'deferred-to-top-level',
    floatBytes: 16,
    // mp_js_init sets 16 KiB / MICROPY_BYTES_PER_GC_BLOCK.
    thresholdDefaultBlocks: 1024,
    pystack: true,
    // gc_get_max_new_split() is 128 MiB; mp_state_mem_area_t is 8 words (9 with the WTB pointer).
    splitHeapAuto: { maxNewSplit: 128 * 1024 * 1024, areaStructBytes: weakref ? 36 : 32 },
    heapRegion: { start: WASM_FIRST_AREA_ADDRESS, end: WASM_FIRST_AREA_ADDRESS + VIRTUAL_PICO_HEAPSIZE },
    heapAnchoredAt: 'start',
    stackLimit: 32768,
  };
}

/** The region gc_init gets for a heap of `bytes`, keeping the port's fixed end of the region. */
export function heapRegionOfSize(config: PortConfig, bytes: number): { start: number; end: number } {
  if (!Number.isSafeInteger(bytes) || bytes < 64) throw new InputError(`heap size ${bytes} is too small`);
  const { start, end } = config.heapRegion;
  return config.heapAnchoredAt === 'end' ? { start: end - bytes, end } : { start, end: start + bytes };
}

/** What a device says about itself (`sys.implementation`), enough to pick a preset. */
export interface DeviceIdentity {
  /** `sys.implementation._machine`, e.g. `Raspberry Pi Pico with RP2040`, `JS with Emscripten`. */
  machine: string;
  /** e.g. `1.28.0`. */
  version: string;
  /** `sys.implementation._build`, e.g. `RPI_PICO`, `pyscript`. */
  build?: string;
}

export function choosePortConfig(device: DeviceIdentity): PortConfig {
  if (/RP2040/.test(device.machine)) return rp2Config(device.version);
  if (/Emscripten/.test(device.machine) && device.build === 'pyscript')
    return wasmPyscriptConfig(device.version);
  throw new InputError(
    `no GC model preset for "${device.machine}"${device.build ? ` (${device.build})` : ''}: ` +
      'presets exist for rp2 on RP2040 and the webassembly pyscript variant',
  );
}

export function portConfigByName(name: string, firmware?: string): PortConfig {
  if (name === 'rp2') return rp2Config(firmware);
  if (name === 'wasm-pyscript') return wasmPyscriptConfig(firmware);
  throw new InputError(`unknown port config "${name}" (expected rp2 or wasm-pyscript)`);
}
