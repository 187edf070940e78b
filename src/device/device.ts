import type { ExecOptions, ExecResult } from '../repl/raw-repl.ts';
import type { Capabilities, DeviceInfo } from './device-info.ts';

/** One timed `gc.collect()`: how long it paused, and how that was measured. */
export interface TimedCollection {
  us: number;
  method: Capabilities['collectTiming'];
}

/**
 * A MicroPython device as experiments see it. Backends: a board through the raw REPL on any link
 * (USB serial, TCP, a pty), and the virtual Pico (in-process, through the same REPL client).
 * Experiments call these and never care which backend answers.
 */
export interface Device {
  info(): Promise<DeviceInfo>;
  /** Run code; throws DeviceException when the device raises. */
  exec(code: string, options?: ExecOptions): Promise<ExecResult>;
  /** Time one collection with the method the device supports (probed once per connection). */
  timedCollect(options?: { timeoutMs?: number }): Promise<TimedCollection>;
  /** `micropython.mem_info()` text; with `heapMap`, `mem_info(1)` including the block map. */
  memInfo(options?: { heapMap?: boolean }): Promise<string>;
  /** Soft reset (Ctrl-D in raw mode): fresh interpreter, heap swept, threshold kept. */
  softReset(): Promise<void>;
  close(): Promise<void>;
}
