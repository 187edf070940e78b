import type { Link } from '../link/link.ts';
import { RawRepl, type ExecOptions, type ExecResult } from '../repl/raw-repl.ts';
import { ProtocolError, escapeBytes } from '../errors.ts';
import type { Device, TimedCollection } from './device.ts';
import { parseOneRecord } from './data-lines.ts';
import { infoRecordSchema, type Capabilities, type DeviceInfo, type InfoRecord } from './device-info.ts';
import { uploadScripts } from './scripts.ts';
import { simCapabilities } from './sim-capabilities.ts';
import { measurePace } from './pace.ts';

/** The REPL client's default deadline for an exec, in device time here. */
const DEFAULT_EXEC_MS = 10_000;

/** On a board a collection is timed in place: ticks_us around gc.collect(), inside one exec. */
const BOARD_TIMED_COLLECT =
  'import gc, time\n_t = time.ticks_us()\ngc.collect()\nprint(time.ticks_diff(time.ticks_us(), _t))';

/**
 * A device behind a raw REPL: a board on serial/TCP, or the virtual Pico (in-process or on a pty)
 * which speaks the same bytes. The timing method is chosen from what the device reports, so the
 * same code works on a board and on a virtual Pico opened through a pty.
 */
export class ReplDevice implements Device {
  #info: DeviceInfo | undefined;
  /** Every deadline given in device time is stretched by this (see pace.ts); 1 until measured. */
  #deadlineScale = 1;

  private constructor(
    private readonly link: Link,
    readonly repl: RawRepl,
    private readonly backend: DeviceInfo['backend'],
    private readonly declare: ((reported: Capabilities) => Capabilities) | undefined,
  ) {}

  /**
   * `declare`: who provides the link knows what the firmware cannot (an emulator around a real
   * firmware): it replaces the capabilities the device reports with its own declaration.
   */
  static async connect(
    link: Link,
    backend: DeviceInfo['backend'],
    options: { softReset?: boolean; declare?: (reported: Capabilities) => Capabilities } = {},
  ) {
    const repl = new RawRepl(link.stream);
    await repl.enter({ softReset: options.softReset ?? true });
    return new ReplDevice(link, repl, backend, options.declare);
  }

  /** The device's info if `info()` has run (a recording keeps it), without asking the device. */
  get knownInfo(): DeviceInfo | undefined {
    return this.#info;
  }

  /** Run code; `timeoutMs` is device time, stretched on a device slower than real time. */
  exec(code: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.repl.exec(code, { ...options, timeoutMs: this.wallMs(options.timeoutMs ?? DEFAULT_EXEC_MS) });
  }

  /** A deadline in device time as host milliseconds on this device. */
  wallMs(deviceMs: number): number {
    return Math.round(deviceMs * this.#deadlineScale);
  }

  async info(): Promise<DeviceInfo> {
    if (this.#info) return this.#info;
    await uploadScripts(this, ['info']);
    const record = parseOneRecord((await this.exec('info()')).stdout, 'info', infoRecordSchema);
    const heapTotal = gcTotal(await this.memInfo());
    const pace = await measurePace((code, options) => this.repl.exec(code, options));
    this.#deadlineScale = pace.deadlineScale;
    this.#info = {
      backend: this.backend,
      description: this.link.description,
      ...(this.link.serialNumber ? { serialNumber: this.link.serialNumber } : {}),
      ...(record.unique_id ? { uniqueId: record.unique_id } : {}),
      firmware: {
        name: record.name,
        version: record.version.slice(0, 3).join('.'),
        machine: record.machine,
        build: record.build,
        ...(record.uname_version ? { buildString: record.uname_version } : {}),
      },
      heapTotal,
      thresholdDefault: record.threshold,
      ...(this.repl.pasteMode ? { pasteMode: this.repl.pasteMode } : {}),
      capabilities: this.declare ? this.declare(capabilitiesOf(record)) : capabilitiesOf(record),
      pace,
    };
    return this.#info;
  }

  async timedCollect(options: { timeoutMs?: number } = {}): Promise<TimedCollection> {
    const { capabilities } = await this.info();
    if (capabilities.collectTiming === 'ticks_us') {
      const { stdout } = await this.exec(BOARD_TIMED_COLLECT, options);
      return { us: parseInteger(stdout, 'microseconds'), method: 'ticks_us' };
    }
    // The virtual Pico collects when an execution returns and times that (on its work clock, or on
    // the host); the next execution reads the figure.
    await this.exec('import gc\ngc.collect()', options);
    const { stdout } = await this.exec('import picogc_sim\nprint(picogc_sim.last_collect_ns())', options);
    return { us: parseInteger(stdout, 'nanoseconds') / 1000, method: capabilities.collectTiming };
  }

  async memInfo(options: { heapMap?: boolean } = {}): Promise<string> {
    const call = options.heapMap ? 'micropython.mem_info(1)' : 'micropython.mem_info()';
    return (await this.exec(`import micropython\n${call}`, { timeoutMs: 20_000 })).stdout;
  }

  async softReset(): Promise<void> {
    await this.repl.softReset({ timeoutMs: this.wallMs(DEFAULT_EXEC_MS) });
  }

  /**
   * Back to an empty raw prompt from whatever state the board is in (Ctrl-C, Ctrl-A, banner), then
   * optionally a soft reset, all within `timeoutMs`: the first two rungs of the recovery ladder.
   */
  async reenter(options: { softReset?: boolean; timeoutMs: number }): Promise<void> {
    await this.repl.enter({ softReset: options.softReset ?? false, timeoutMs: options.timeoutMs });
  }

  /** Where the board is attached and its USB serial number, as the link knows them. */
  get attachment(): { description: string; serialNumber?: string } {
    return {
      description: this.link.description,
      ...(this.link.serialNumber ? { serialNumber: this.link.serialNumber } : {}),
    };
  }

  async close(): Promise<void> {
    this.repl.close();
    await this.link.close();
  }
}

function capabilitiesOf(record: InfoRecord): Capabilities {
  if (record.sim) return simCapabilities(record.sim, record.float_bits);
  return {
    kind: 'board',
    collectTiming: 'ticks_us',
    deferredCollect: false,
    heapGrows: false,
    ticksUsResolutionUs: 1,
    floatBits: record.float_bits,
    interruptResetsVm: false,
    differences: [],
  };
}

function parseInteger(stdout: string, unit: string): number {
  const text = stdout.trim();
  if (!/^\d+$/.test(text))
    throw new ProtocolError(`a timed collection did not print ${unit}`, escapeBytes(text));
  return Number(text);
}

/** The `GC: total: N` figure of `micropython.mem_info()`. */
export function gcTotal(memInfo: string): number {
  const match = /^GC: total: (\d+),/m.exec(memInfo);
  if (!match) throw new ProtocolError('mem_info() printed no "GC: total:" line', escapeBytes(memInfo));
  return Number(match[1]);
}
