import { z } from 'zod';

/**
 * The messages between the host (vm.ts) and the VM's thread (vm-worker.mjs). The worker is plain
 * JavaScript, so its answers are checked here, at the thread boundary.
 */

/** Pico state that survives a soft reset (`gc_init` runs once, before rp2's soft-reset loop). */
export interface GcCarryOver {
  /** `gc.threshold()` as read back: -1 (off) or a multiple of 16. */
  threshold: number;
  enabled: boolean;
}

export const PICO_GC_DEFAULTS: GcCarryOver = { threshold: -1, enabled: true };

export type ReplMode = 'friendly' | 'raw';

/**
 * What times the virtual Pico: `work`, the instrumented VM's count of wasm instructions converted
 * to Pico time (deterministic; ticks_us reads it too), or `host`, the host's monotonic clock around
 * the closing collection and the package's own VM (ticks_us from Date.now()).
 */
export type ClockKind = 'work' | 'host';

export type ClockConfig =
  | {
      kind: 'work';
      /** The instrumented VM (instrumented-vm-cache.ts). */
      wasmPath: string;
      usPerCount: number;
      /** Pico µs per `br_table` the VM counts (a C switch; work-counter-pass.mjs). */
      usPerTable: number;
      collectionFixedUs: number;
      /** Seeds the VM's random source (mp_js_random_u32), so runs repeat. */
      seed: number;
    }
  | { kind: 'host' };

export interface BootConfig {
  /** Bytes of the VM's first heap area (`loadMicroPython({heapsize})`). */
  heapBytes: number;
  /** REPL mode after boot: a Pico keeps raw mode across a soft reset. */
  mode: ReplMode;
  gc: GcCarryOver;
  /** Source of `/lib/machine.py`. */
  machineSource: string;
  /** Static part of `picogc_sim.capabilities()`; the worker adds calibration and GC total. */
  capabilities: Record<string, unknown>;
  clock: ClockConfig;
  /** Executions timed at boot to calibrate the closing-collection gap. */
  calibrationRuns: number;
  /** What `picogc_sim.resets()` answers in this VM. */
  resets: number;
  /** More `/lib` modules, by file name (e.g. the `os` of a flashed image's build). */
  libFiles?: Record<string, string>;
  /** Python run once at boot, after `/lib` is written (e.g. to install that `os`). */
  bootSource?: string;
}

export type HostMessage =
  | { type: 'boot'; config: BootConfig }
  | { type: 'feed'; seq: number; bytes: Uint8Array }
  | { type: 'gc-config' }
  /** Import these `/lib` modules in the idle VM (surface.ts: parts of a Pico loaded on demand). */
  | { type: 'load'; modules: string[] };

export const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ring') }),
  /** A running script blocks on stdin: the stdin ring's `wanted` says how many bytes it asks for. */
  z.object({ type: z.literal('stdin') }),
  /** The modules of a `load` were imported, or the import failed with `error`. */
  z.object({ type: z.literal('loaded'), error: z.string().nullable() }),
  z.object({
    type: z.literal('booted'),
    output: z.instanceof(Uint8Array),
    memInfo: z.string(),
    /** The gap of an execution that collects nothing, in the clock's unit (instructions or host ns). */
    calibration: z.number(),
    loadMs: z.number(),
    bootMs: z.number(),
  }),
  z.object({
    type: z.literal('fed'),
    seq: z.number().int(),
    consumed: z.number().int().nonnegative(),
    exitCode: z.number().int(),
    interrupted: z.boolean(),
    /** The last closing collection: Pico ns on the work clock, host ns on the host clock. */
    lastCollectNs: z.number(),
    /** Its counted wasm instructions (0 on the host clock). */
    lastCollectWork: z.number().int().nonnegative(),
    /** The execution called `machine.bootloader()`: its remaining output was dropped. */
    bootloader: z.boolean(),
  }),
  z.object({ type: z.literal('gc-config'), threshold: z.number().int(), enabled: z.boolean() }),
  z.object({ type: z.literal('crashed'), message: z.string() }),
]);

export type WorkerMessage = z.infer<typeof workerMessageSchema>;
export type Booted = Extract<WorkerMessage, { type: 'booted' }>;
export type Fed = Extract<WorkerMessage, { type: 'fed' }>;

/**
 * Output ring shared with the worker: 16 header bytes (int32 written, int32 read, int32 "host waits
 * for a doorbell"), then a power-of-two data area. The VM writes every output byte straight into it,
 * so output streams while a script runs (a Pico's `OK` arrives before a long loop ends) and nothing
 * already printed is lost when a stuck VM has to be terminated.
 */
export const RING_DATA_BYTES = 1 << 16;
export const RING_HEADER_BYTES = 16;

/**
 * Stdin ring, the other way: what the host gives a running script's `sys.stdin` reads. 16 header
 * bytes (int32 each: written by the host, read by the VM, `wanted`: bytes a blocked read in the VM
 * asks for (0 when none), `pending`: bytes the host holds that it could give, for `select.poll`),
 * then a power-of-two data area. The host writes only what a blocked read asks for, so input stays
 * the REPL's unless a script reads it; what a script left unread goes back to the REPL when the
 * execution ends (vm-stdin.mjs is the VM's side).
 */
export const STDIN_RING_BYTES = 1 << 12;
export { STDIN_HEADER_BYTES, STDIN_SLOT } from './stdin-ring-layout.mjs';
