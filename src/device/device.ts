import type { ExecOptions, ExecResult } from '../repl/raw-repl.ts';
import type { Capabilities, DeviceInfo } from './device-info.ts';
import { DeviceDataError } from './data-lines.ts';

/** One timed `gc.collect()`: how long it paused, and how that was measured. */
export interface TimedCollection {
  us: number;
  method: Capabilities['collectTiming'];
}

export interface DeviceExecOptions extends ExecOptions {
  /**
   * Running the code twice does no harm (the default): an answer damaged on the way makes it run
   * again. A step that must not run twice says false, and a try that may have run (its answer
   * damaged, or the protocol around it) then fails it with a {@link MayHaveRunError}.
   */
  idempotent?: boolean;
  /**
   * Text output the stub cannot check (mem_info's, printed by the firmware itself): says what is
   * wrong with it, if anything (a wrong answer is treated as damaged on the way), or gives the
   * output mended (put together from several copies).
   */
  validate?: (stdout: string) => string | { stdout: string } | undefined;
  /**
   * The code sent from the second try on, when it differs from the first (mem_info asks again for
   * several copies of one snapshot). A fault-free run sends only the first.
   */
  retryCode?: string;
  /** Tries before a faulty link is given up on (default 12); a damaged answer after the last throws. */
  attempts?: number;
  /**
   * The step places what outlives it (a script's functions, a live set): on a device whose
   * collections wait for the exec to return (the virtual Pico), a collection runs before its first
   * try and again before every retry, so the garbage a failed try left is gone and the step's
   * objects land where they land without the fault. A board collects inside the exec: unchanged.
   */
  collectFirst?: boolean;
  /** Code that undoes what a run of the step left behind, run before the step runs a second time. */
  undo?: string;
  /**
   * `onStdout` gets the text exactly as it came (the stub's markers, data lines with their sequence
   * number and CRC), for a reader that checks the lines itself while the code runs.
   */
  rawStdout?: boolean;
}

/** A step that must not run twice may have run on a try the link damaged: it is not run again. */
export class MayHaveRunError extends DeviceDataError {}

/** What the device did to get through a faulty link, for the report: what, why, and its cost. */
export interface Repair {
  /**
   * `resend`: the upload arrived damaged and was sent again; `again`: data lines did, and were asked
   * for again; `rerun`: the answer did, and the step ran again; `repace`: a deadline passed, and the
   * device's pace was measured again; `reupload`: a script upload that must not run twice may have
   * run, and the scripts went again into a fresh interpreter; `reset`: the device rebooted while it
   * was identified, and was asked again.
   */
  kind: 'resend' | 'again' | 'rerun' | 'repace' | 'reupload' | 'reset';
  detail: string;
  ms: number;
}

/**
 * A MicroPython device as experiments see it. Backends: a board through the raw REPL on any link
 * (USB serial, TCP, a pty), and the virtual Pico (in-process, through the same REPL client).
 * Experiments call these and never care which backend answers.
 */
export interface MemInfoOptions {
  /** With the block map (`mem_info(1)`): on a device whose collections wait, of a collected heap. */
  heapMap?: boolean;
}

export interface Device {
  info(): Promise<DeviceInfo>;
  /** Run code; throws DeviceException when the device raises. */
  exec(code: string, options?: DeviceExecOptions): Promise<ExecResult>;
  /** Time one collection with the method the device supports (probed once per connection). */
  timedCollect(options?: { timeoutMs?: number }): Promise<TimedCollection>;
  /** `micropython.mem_info()` text; with `heapMap`, `mem_info(1)` including the block map. */
  memInfo(options?: MemInfoOptions): Promise<string>;
  /** Soft reset (Ctrl-D in raw mode): fresh interpreter, heap swept, threshold kept. */
  softReset(): Promise<void>;
  close(): Promise<void>;
  /** Told of each repair the device makes to get an exec through (the runner records them). */
  onRepair?: ((repair: Repair) => void) | undefined;
}
