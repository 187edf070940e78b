import type { Worker } from 'node:worker_threads';
import { LinkError } from '../errors.ts';
import { startVmThread } from '../vm-thread.ts';
import {
  RING_DATA_BYTES,
  RING_HEADER_BYTES,
  STDIN_HEADER_BYTES,
  STDIN_RING_BYTES,
  STDIN_SLOT,
  workerMessageSchema,
  type BootConfig,
  type Booted,
  type Fed,
  type GcCarryOver,
  type HostMessage,
  type WorkerMessage,
} from './vm-protocol.ts';
import { interruptWorker, type InterruptOutcome } from './keyboard-interrupt.ts';

interface Waiter {
  accepts: (message: WorkerMessage) => boolean;
  resolve: (message: WorkerMessage) => void;
  reject: (error: Error) => void;
}

const WORKER_URL = new URL('./vm-worker.mjs', import.meta.url);

/** A boot, a feed or a query that did not answer within this time means the VM thread is wedged. */
const ANSWER_LIMIT_MS = 30_000;

/**
 * The host's handle on one MicroPython VM thread: boots VMs in it (a fresh wasm instance each time),
 * feeds it REPL input, streams its output, and can interrupt or terminate it. Knows bytes, not the
 * Pico protocol (that is repl-server.ts).
 */
export class MicroPythonVm {
  private readonly control: Int32Array;
  private readonly data: Uint8Array;
  private readonly stdinControl: Int32Array;
  private readonly stdinData: Uint8Array;
  private stdinListener: (() => void) | undefined;
  private readonly waiters: Waiter[] = [];
  private failure: Error | undefined;
  private readonly failureListeners = new Set<(error: Error) => void>();
  private terminated = false;

  private constructor(
    private readonly worker: Worker,
    ring: SharedArrayBuffer,
    stdin: SharedArrayBuffer,
    private readonly onOutput: (chunk: Buffer) => void,
  ) {
    this.control = new Int32Array(ring, 0, 4);
    this.data = new Uint8Array(ring, RING_HEADER_BYTES);
    this.stdinControl = new Int32Array(stdin, 0, 4);
    this.stdinData = new Uint8Array(stdin, STDIN_HEADER_BYTES);
    worker.on('message', (raw: unknown) => this.receive(raw));
    worker.on('error', (error) =>
      this.fail(new LinkError(`virtual Pico VM thread failed: ${error.message}`)),
    );
    worker.on('exit', (code) => {
      if (!this.terminated) this.fail(new LinkError(`virtual Pico VM thread exited (code ${code})`));
    });
    Atomics.store(this.control, 2, 1);
  }

  /** Start a VM thread (no VM booted yet). Output of every later boot and feed goes to `onOutput`. */
  static start(onOutput: (chunk: Buffer) => void): MicroPythonVm {
    const ring = new SharedArrayBuffer(RING_HEADER_BYTES + RING_DATA_BYTES);
    const stdin = new SharedArrayBuffer(STDIN_HEADER_BYTES + STDIN_RING_BYTES);
    const worker = startVmThread(WORKER_URL, { workerData: { ring, stdin } });
    return new MicroPythonVm(worker, ring, stdin, onOutput);
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  /** Called once if the thread dies or the VM crashes (not after `terminate()`). */
  onFailure(listener: (error: Error) => void): void {
    this.failureListeners.add(listener);
  }

  /** Boot a fresh VM in this thread; its boot output (a banner) is returned, not streamed. */
  async boot(config: BootConfig): Promise<Booted> {
    this.post({ type: 'boot', config });
    return (await this.answer('booted', 'boot')) as Booted;
  }

  /**
   * Feed bytes to the VM's REPL. Resolves when they are consumed, or early when the REPL asks for a
   * soft reset (`exitCode` non-zero) or a delivered Ctrl-C dropped the rest.
   */
  async feed(seq: number, bytes: Uint8Array): Promise<Fed> {
    this.post({ type: 'feed', seq, bytes });
    // No limit here: a script may run as long as it likes, as on a Pico. The REPL server bounds it
    // with Ctrl-C and its grace period; the host's client has its own deadlines.
    return (await this.answer('fed', 'feed', Infinity)) as Fed;
  }

  /** Import `/lib` modules into the idle VM; rejects with the VM's error if an import fails. */
  async load(modules: string[]): Promise<void> {
    this.post({ type: 'load', modules });
    const answer = (await this.answer('loaded', 'load')) as Extract<WorkerMessage, { type: 'loaded' }>;
    if (answer.error !== null)
      throw new LinkError(`virtual Pico could not load ${modules.join(', ')}: ${answer.error}`);
  }

  /** Called when a running script starts waiting on stdin (see `stdinWanted`). */
  onStdinWanted(listener: () => void): void {
    this.stdinListener = listener;
  }

  /** Bytes a read of the running script is blocked on (0: no read waits). */
  get stdinWanted(): number {
    return Atomics.load(this.stdinControl, STDIN_SLOT.wanted);
  }

  /** Room in the stdin ring. */
  get stdinRoom(): number {
    const used =
      (Atomics.load(this.stdinControl, STDIN_SLOT.written) -
        Atomics.load(this.stdinControl, STDIN_SLOT.read)) |
      0;
    return this.stdinData.length - used;
  }

  /** Give the running script these bytes (no more than `stdinRoom`) and wake its read. */
  writeStdin(bytes: Uint8Array): void {
    if (bytes.length > this.stdinRoom) throw new RangeError('stdin ring overflow');
    const written = Atomics.load(this.stdinControl, STDIN_SLOT.written);
    const mask = this.stdinData.length - 1;
    for (let i = 0; i < bytes.length; i++) this.stdinData[(written + i) & mask] = bytes[i]!;
    Atomics.store(this.stdinControl, STDIN_SLOT.written, (written + bytes.length) | 0);
    Atomics.notify(this.stdinControl, STDIN_SLOT.written);
  }

  /** Bytes the host holds that a read could get: what `select.poll` on sys.stdin sees. */
  set stdinPending(count: number) {
    Atomics.store(this.stdinControl, STDIN_SLOT.pending, count);
  }

  /** Wake a blocked stdin read early (a KeyboardInterrupt was scheduled for it). */
  wakeStdin(): void {
    Atomics.notify(this.stdinControl, STDIN_SLOT.written);
  }

  /**
   * Between executions (nothing reads then): the bytes given to stdin that no script read, in
   * order, taken back so the REPL gets them.
   */
  takeBackStdin(): Buffer {
    const written = Atomics.load(this.stdinControl, STDIN_SLOT.written);
    const read = Atomics.load(this.stdinControl, STDIN_SLOT.read);
    const unread = (written - read) | 0;
    const mask = this.stdinData.length - 1;
    const back = Buffer.allocUnsafe(Math.max(0, unread));
    for (let i = 0; i < back.length; i++) back[i] = this.stdinData[(read + i) & mask]!;
    Atomics.store(this.stdinControl, STDIN_SLOT.read, written);
    return back;
  }

  /** What a Pico keeps across a soft reset, read from the current VM. */
  async gcCarryOver(): Promise<GcCarryOver> {
    this.post({ type: 'gc-config' });
    const answer = (await this.answer('gc-config', 'gc-config')) as Extract<
      WorkerMessage,
      { type: 'gc-config' }
    >;
    return { threshold: answer.threshold, enabled: answer.enabled };
  }

  /** Deliver a KeyboardInterrupt into the execution `seq`, trying until `deadline`. */
  interrupt(seq: number, deadline: number, stillBusy: () => boolean): Promise<InterruptOutcome> {
    return interruptWorker({
      threadId: this.worker.threadId,
      expression: `globalThis.__picogcKeyboardInterrupt(${seq})`,
      deadline,
      stillBusy,
    });
  }

  /** Stop the thread, whatever it is doing. Pending calls reject with a LinkError. */
  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    this.drain();
    this.rejectWaiters(new LinkError('virtual Pico VM was terminated'));
    await this.worker.terminate();
  }

  private post(message: HostMessage): void {
    if (this.failure) throw this.failure;
    if (this.terminated) throw new LinkError('virtual Pico VM was terminated');
    this.worker.postMessage(message);
  }

  private answer(
    type: WorkerMessage['type'],
    step: string,
    limitMs = ANSWER_LIMIT_MS,
  ): Promise<WorkerMessage> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer =
        limitMs === Infinity
          ? undefined
          : setTimeout(() => {
              const index = this.waiters.indexOf(waiter);
              if (index >= 0) this.waiters.splice(index, 1);
              reject(new LinkError(`virtual Pico VM did not answer ${step} within ${limitMs} ms`));
            }, limitMs);
      const waiter: Waiter = {
        accepts: (m: WorkerMessage) => m.type === type,
        resolve: (m: WorkerMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  private receive(raw: unknown): void {
    const parsed = workerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.fail(new LinkError(`virtual Pico VM sent a malformed message: ${parsed.error.message}`));
      return;
    }
    const message = parsed.data;
    // Everything the VM printed before this message is in the ring: deliver it first.
    this.drain();
    if (message.type === 'ring') return;
    if (message.type === 'stdin') {
      this.stdinListener?.();
      return;
    }
    if (message.type === 'crashed') {
      this.fail(new LinkError(`virtual Pico VM crashed: ${message.message}`));
      return;
    }
    const index = this.waiters.findIndex((w) => w.accepts(message));
    if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
  }

  /** Move whatever the worker wrote into the ring to `onOutput`, then ask for the next doorbell. */
  private drain(): void {
    for (;;) {
      this.copyOut();
      Atomics.store(this.control, 2, 1);
      if (Atomics.load(this.control, 0) === Atomics.load(this.control, 1)) return;
    }
  }

  private copyOut(): void {
    const written = Atomics.load(this.control, 0);
    let read = Atomics.load(this.control, 1);
    const available = (written - read) | 0;
    if (available <= 0) return;
    const chunk = Buffer.allocUnsafe(available);
    const mask = this.data.length - 1;
    for (let i = 0; i < available; i++) chunk[i] = this.data[(read + i) & mask]!;
    read = (read + available) | 0;
    Atomics.store(this.control, 1, read);
    Atomics.notify(this.control, 1);
    this.onOutput(chunk);
  }

  private fail(error: Error): void {
    if (this.failure || this.terminated) return;
    this.failure = error;
    this.drain();
    this.rejectWaiters(error);
    for (const listener of this.failureListeners) listener(error);
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
