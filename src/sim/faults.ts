import { Duplex } from 'node:stream';
import { systemClock, type Clock, type ClockTimer } from '../clock.ts';
import { LinkError, UsageError } from '../errors.ts';
import { seededRandom, type Random } from '../prng.ts';
import { BYTE, OK, TEXT } from '../protocol/raw-repl-vocabulary.ts';

/**
 * Fault injection as a wrapper around any byte link (node-serialport's lesson: a mock binding
 * cannot unplug). The wrapper sits on the host's side of the link, so the real serial port, the
 * virtual Pico and a faulty one swap freely. Randomness comes from the seed only.
 *
 * Byte counts (`@N`, `disconnect:N`) count bytes the device sent, before any fault changed them.
 */
export type FaultSpec =
  /** Each byte, in either direction, is lost with probability `rate`. */
  | { kind: 'drop'; rate: number }
  /** Each byte, in either direction, gets one random bit flipped with probability `rate`. */
  | { kind: 'corrupt'; rate: number }
  /** Every chunk, in either direction, arrives `ms` later (order kept). */
  | { kind: 'latency'; ms: number }
  /** After `afterBytes` from the device, its output pauses for `ms` (held, not lost). */
  | { kind: 'stall'; ms: number; afterBytes: number }
  /** After `afterBytes` from the device, the link fails as if unplugged. */
  | { kind: 'disconnect'; afterBytes: number }
  /** After `afterBytes` from the device, it stops answering: output and input are discarded. */
  | { kind: 'hang'; afterBytes: number }
  /** The `execution`-th raw-REPL execution is cut by a soft reset of the device (its state is lost). */
  | { kind: 'reset-mid-exec'; execution: number }
  /** `bytes` of random noise arrive before anything the device says. */
  | { kind: 'boot-noise'; bytes: number };

const SYNTAX = `fault specs: drop:RATE, corrupt:RATE (0<RATE<=1), latency:MS, stall:MS[@BYTES], disconnect:BYTES, hang[@BYTES], reset-mid-exec[@N], boot-noise[:BYTES]`;

export function parseFaultSpec(text: string): FaultSpec {
  const match = /^([a-z-]+)(?::([0-9.]+))?(?:@(\d+))?$/.exec(text.trim());
  if (!match) throw new UsageError(`bad fault spec '${text}'; ${SYNTAX}`);
  const [, kind, value, at] = match;
  const bad = (why: string) => new UsageError(`bad fault spec '${text}': ${why}; ${SYNTAX}`);
  const rate = () => {
    const r = Number(value);
    if (value === undefined || !Number.isFinite(r) || r <= 0 || r > 1) throw bad('RATE must be in (0, 1]');
    return r;
  };
  const count = (field: string | undefined, name: string, fallback?: number) => {
    if (field === undefined) {
      if (fallback === undefined) throw bad(`${name} is required`);
      return fallback;
    }
    if (!/^\d+$/.test(field)) throw bad(`${name} must be a whole number`);
    return Number(field);
  };
  const none = (field: string | undefined, part: string) => {
    if (field !== undefined) throw bad(`${kind} takes no ${part}`);
  };
  switch (kind) {
    case 'drop':
      none(at, '@BYTES');
      return { kind, rate: rate() };
    case 'corrupt':
      none(at, '@BYTES');
      return { kind, rate: rate() };
    case 'latency':
      none(at, '@BYTES');
      return { kind, ms: count(value, 'MS') };
    case 'stall':
      return { kind, ms: count(value, 'MS'), afterBytes: count(at, 'BYTES', 0) };
    case 'disconnect':
      none(at, '@BYTES');
      return { kind, afterBytes: count(value, 'BYTES') };
    case 'hang':
      none(value, ':VALUE');
      return { kind, afterBytes: count(at, 'BYTES', 0) };
    case 'reset-mid-exec': {
      none(value, ':VALUE');
      const execution = count(at, 'N', 1);
      if (execution < 1) throw bad('N counts executions from 1');
      return { kind, execution };
    }
    case 'boot-noise':
      none(at, '@BYTES');
      return { kind, bytes: count(value, 'BYTES', 64) };
    default:
      throw bad(`unknown fault '${kind}'`);
  }
}

export function formatFaultSpec(spec: FaultSpec): string {
  switch (spec.kind) {
    case 'drop':
    case 'corrupt':
      return `${spec.kind}:${spec.rate}`;
    case 'latency':
      return `latency:${spec.ms}`;
    case 'stall':
      return `stall:${spec.ms}@${spec.afterBytes}`;
    case 'disconnect':
      return `disconnect:${spec.afterBytes}`;
    case 'hang':
      return `hang@${spec.afterBytes}`;
    case 'reset-mid-exec':
      return `reset-mid-exec@${spec.execution}`;
    case 'boot-noise':
      return `boot-noise:${spec.bytes}`;
  }
}

/**
 * Wrap `stream` (the host's end of a link). The wrapper owns it: destroying one destroys both.
 * Latency and stalls are kept on `clock`.
 */
export function withFaults(
  stream: Duplex,
  faults: FaultSpec[],
  seed: number,
  clock: Clock = systemClock,
): Duplex {
  return new FaultyLink(stream, faults, seed, clock);
}

/** One independent stream per fault and direction, so adding a fault does not reshuffle another's. */
function streamSeed(seed: number, index: number, direction: number): number {
  return (
    (Math.imul(seed >>> 0, 0x9e3779b1) ^
      Math.imul(index + 1, 0x85ebca6b) ^
      Math.imul(direction + 1, 0xc2b2ae35)) >>>
    0
  );
}

class FaultyLink extends Duplex {
  private deviceBytes = 0;
  private hung = false;
  private stalledUntilRelease = false;
  private stallDone = false;
  private readonly stallQueue: Buffer[] = [];
  private readonly timers = new Set<ClockTimer>();
  private readonly fromDeviceRandom: Random[];
  private readonly toDeviceRandom: Random[];
  private hostLineHasData = false;
  private executions = 0;
  /** The reset's Ctrl-D has been sent (after the interrupted frame ended). */
  private rebootAsked = false;
  private resetState: 'armed' | 'started' | 'cutting' | 'done' = 'armed';
  private resetWindow = '';
  private previousDeviceByte = -1;
  private readonly onData = (chunk: Buffer) => this.fromDevice(chunk);
  private readonly onEnd = () => this.push(null);
  private readonly onError = (error: Error) => this.destroy(error);

  constructor(
    private readonly inner: Duplex,
    private readonly faults: FaultSpec[],
    seed: number,
    private readonly clock: Clock,
  ) {
    super();
    this.fromDeviceRandom = faults.map((_, i) => seededRandom(streamSeed(seed, i, 0)));
    this.toDeviceRandom = faults.map((_, i) => seededRandom(streamSeed(seed, i, 1)));
    faults.forEach((fault, i) => {
      if (fault.kind !== 'boot-noise') return;
      const random = this.fromDeviceRandom[i]!;
      this.push(Buffer.from(Array.from({ length: fault.bytes }, () => random.int(256))));
    });
    // A device that hangs from the start never answers, not even its banner.
    this.hung = faults.some((f) => f.kind === 'hang' && f.afterBytes === 0);
    inner.on('data', this.onData);
    inner.on('end', this.onEnd);
    inner.on('error', this.onError);
  }

  override _read(): void {
    // Push-based: device output is delivered as it arrives (a serial port does not wait either).
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.toDevice(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
    this.inner.off('data', this.onData);
    this.inner.off('end', this.onEnd);
    this.inner.off('error', this.onError);
    this.inner.destroy();
    callback(error);
  }

  private later(ms: number, action: () => void): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (!this.destroyed) action();
    }, ms);
    this.timers.add(timer);
  }

  private toDevice(chunk: Buffer): void {
    if (this.hung) return;
    const data = this.mangle(chunk, this.toDeviceRandom);
    if (data.length === 0) return;
    this.watchHostForExecution(data);
    const latency = this.latencyMs();
    const send = () => {
      if (!this.inner.destroyed) this.inner.write(data);
    };
    if (latency > 0) this.later(latency, send);
    else send();
  }

  private fromDevice(chunk: Buffer): void {
    if (this.destroyed) return;
    const start = this.deviceBytes;
    this.deviceBytes += chunk.length;
    let data = this.cutForReset(chunk);
    for (const fault of this.faults) {
      if (fault.kind === 'hang' && this.deviceBytes > fault.afterBytes) {
        data = data.subarray(0, Math.max(0, fault.afterBytes - start));
        this.hung = true;
      }
    }
    const disconnect = this.faults.find(
      (f): f is Extract<FaultSpec, { kind: 'disconnect' }> =>
        f.kind === 'disconnect' && this.deviceBytes >= f.afterBytes,
    );
    if (disconnect) data = data.subarray(0, Math.max(0, disconnect.afterBytes - start));
    this.deliver(this.mangle(data, this.fromDeviceRandom), start);
    if (disconnect) {
      const error = new LinkError(
        `device disconnected (fault injection: disconnect:${disconnect.afterBytes})`,
      );
      const latency = this.latencyMs();
      if (latency > 0) this.later(latency, () => this.destroy(error));
      else this.destroy(error);
    }
  }

  /** Latency, then the stall gate, then the host. */
  private deliver(data: Buffer, start: number): void {
    if (data.length === 0) return;
    const stall = this.faults.find((f) => f.kind === 'stall');
    const gate = (piece: Buffer, pieceStart: number) => {
      if (stall?.kind === 'stall' && !this.stallDone && pieceStart + piece.length > stall.afterBytes) {
        const cut = Math.max(0, stall.afterBytes - pieceStart);
        if (cut > 0) this.push(piece.subarray(0, cut));
        this.stallQueue.push(piece.subarray(cut));
        if (!this.stalledUntilRelease) {
          this.stalledUntilRelease = true;
          this.later(stall.ms, () => {
            this.stallDone = true;
            this.stalledUntilRelease = false;
            for (const held of this.stallQueue.splice(0)) this.push(held);
          });
        }
        return;
      }
      if (this.stalledUntilRelease) this.stallQueue.push(piece);
      else this.push(piece);
    };
    const latency = this.latencyMs();
    if (latency > 0) this.later(latency, () => gate(data, start));
    else gate(data, start);
  }

  private latencyMs(): number {
    let ms = 0;
    for (const fault of this.faults) if (fault.kind === 'latency') ms += fault.ms;
    return ms;
  }

  private mangle(chunk: Buffer, random: Random[]): Buffer {
    let data = chunk;
    this.faults.forEach((fault, i) => {
      if (fault.kind === 'drop') {
        const kept: number[] = [];
        for (const byte of data) if (random[i]!.next() >= fault.rate) kept.push(byte);
        data = Buffer.from(kept);
      } else if (fault.kind === 'corrupt') {
        const copy = Buffer.from(data);
        for (let j = 0; j < copy.length; j++) {
          if (random[i]!.next() < fault.rate) copy[j] = copy[j]! ^ (1 << random[i]!.int(8));
        }
        data = copy;
      }
    });
    return data;
  }

  /** A raw-REPL execution starts when the host ends a non-empty line with Ctrl-D. */
  private watchHostForExecution(data: Buffer): void {
    const reset = this.faults.find((f) => f.kind === 'reset-mid-exec');
    if (reset?.kind !== 'reset-mid-exec' || this.resetState !== 'armed') return;
    for (const byte of data) {
      if (byte === BYTE.CTRL_D && this.hostLineHasData) {
        this.executions++;
        if (this.executions === reset.execution) {
          this.resetState = 'started';
          this.resetWindow = '';
          this.rebootAsked = false;
        }
      }
      this.hostLineHasData = byte > BYTE.CTRL_E || (this.hostLineHasData && byte === BYTE.CTRL_E);
    }
  }

  /**
   * Reset in the middle of an execution: let the device acknowledge it (`OK`, or the raw-paste
   * `\x04`), then make it soft-reboot (Ctrl-C, Ctrl-D on the empty raw line) and hide everything up
   * to its `MPY: soft reboot`. The host sees the execution start and the device reboot, no frame.
   */
  private cutForReset(chunk: Buffer): Buffer {
    if (this.resetState === 'started') {
      // The acknowledgement may arrive split across chunks ("O", then "K").
      let keep = -1;
      for (let i = 0; i < chunk.length && keep < 0; i++) {
        const byte = chunk[i]!;
        if (byte === BYTE.CTRL_D || (byte === OK[1] && this.previousDeviceByte === OK[0])) keep = i + 1;
        this.previousDeviceByte = byte;
      }
      if (keep < 0) return chunk;
      this.resetState = 'cutting';
      this.inner.write(Buffer.from([BYTE.CTRL_C]));
      return Buffer.concat([chunk.subarray(0, keep), this.cutForReset(chunk.subarray(keep))]);
    }
    if (this.resetState === 'cutting') {
      this.resetWindow = (this.resetWindow + chunk.toString('latin1')).slice(-4096);
      // Ctrl-D once the interrupted code's frame has ended at the raw prompt: sent with the Ctrl-C,
      // code reading stdin would take it as data, and nothing would reboot.
      if (!this.rebootAsked && this.resetWindow.includes(TEXT.FRAME_END_PROMPT)) {
        this.rebootAsked = true;
        this.inner.write(Buffer.from([BYTE.CTRL_D]));
      }
      const at = this.resetWindow.indexOf(TEXT.MPY_SOFT_REBOOT);
      if (at < 0) return Buffer.alloc(0);
      this.resetState = 'done';
      return Buffer.from(this.resetWindow.slice(at), 'latin1');
    }
    return chunk;
  }
}
