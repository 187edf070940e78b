import { z } from 'zod';
import { paceSchema } from './pace.ts';

/**
 * What a device can and cannot show. A board measures everything in place; the virtual Pico differs
 * in declared ways, and experiments consult these flags to report a check as skipped (with the
 * reason) rather than pass something the device cannot show.
 */
export const capabilitiesSchema = z.object({
  /** A Pico, the virtual Pico (wasm VM), or the user's firmware on an emulated RP2040 (rp2040js). */
  kind: z.enum(['board', 'virtual-pico', 'emulated-rp2040']),
  /**
   * How a collection is timed: `ticks_us` around `gc.collect()` on the device; `work-clock`, the
   * virtual Pico's counted work as Pico time (deterministic, an estimate); `host-timed`, the host
   * clock around the virtual Pico's closing collection.
   */
  collectTiming: z.enum(['ticks_us', 'work-clock', 'host-timed']),
  /** Collections run only when an execution returns (wasm VM), never inside a script. */
  deferredCollect: z.boolean(),
  /** The heap grows instead of raising MemoryError (wasm split heap). */
  heapGrows: z.boolean(),
  ticksUsResolutionUs: z.number().positive(),
  floatBits: z.union([z.literal(32), z.literal(64)]),
  /** Ctrl-C replaces the VM (globals lost) instead of raising KeyboardInterrupt. */
  interruptResetsVm: z.boolean(),
  /** Every way this device differs from a Pico, in words, for the report. */
  differences: z.array(z.string()),
});
export type Capabilities = z.infer<typeof capabilitiesSchema>;

/** How reports name each kind of device. */
export const DEVICE_KIND_NAMES: Record<Capabilities['kind'], string> = {
  board: 'board',
  'virtual-pico': 'virtual Pico',
  'emulated-rp2040': 'emulated RP2040',
};

export const deviceInfoSchema = z.object({
  backend: z.enum(['serial', 'sim', 'emu', 'replay']),
  /** Port path, tcp:// address or `virtual Pico (in-process)`. */
  description: z.string(),
  serialNumber: z.string().optional(),
  /** `machine.unique_id()` in hex, when the device has it. */
  uniqueId: z.string().optional(),
  firmware: z.object({
    name: z.string(),
    /** e.g. `1.28.0` */
    version: z.string(),
    /** `sys.implementation._machine`, e.g. `Raspberry Pi Pico with RP2040`. */
    machine: z.string(),
    /** `sys.implementation._build`, e.g. `RPI_PICO`. */
    build: z.string().nullable(),
    /** `os.uname().version`, e.g. `v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)`. */
    buildString: z.string().optional(),
  }),
  /** Bytes in the GC pool of the first heap area (`GC: total:`). */
  heapTotal: z.number().int().positive(),
  /** `gc.threshold()` as found after connecting. */
  thresholdDefault: z.number().int(),
  pasteMode: z.enum(['raw-paste', 'classic']).optional(),
  capabilities: capabilitiesSchema,
  /** How fast the device runs against the host's clock, and so how its deadlines are stretched. */
  pace: paceSchema.optional(),
});
export type DeviceInfo = z.infer<typeof deviceInfoSchema>;

/** The record device-scripts/info.py prints. */
export const infoRecordSchema = z.object({
  kind: z.literal('info'),
  name: z.string(),
  version: z.array(z.number().int()).min(2),
  machine: z.string(),
  build: z.string().nullable(),
  mpy: z.number().int().nullable(),
  platform: z.string(),
  threshold: z.number().int(),
  float_bits: z.union([z.literal(32), z.literal(64)]),
  uname_version: z.string().optional(),
  unique_id: z.string().optional(),
  sim: z.record(z.string(), z.unknown()).optional(),
});
export type InfoRecord = z.infer<typeof infoRecordSchema>;
