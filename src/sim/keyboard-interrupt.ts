import { Session } from 'node:inspector/promises';
import { z } from 'zod';
import { sleep, systemClock, type Clock } from '../clock.ts';

/**
 * Ctrl-C for a VM that is busy on its own thread.
 *
 * The npm VM is built without its JS hook, so a running script never yields to JavaScript and a
 * `postMessage` to its worker waits until the script ends. The VM does export
 * `mp_sched_keyboard_interrupt` (a Pico calls it from the USB interrupt), but it must run on the VM's
 * thread. The V8 inspector can get there: from this thread it attaches to the worker
 * (NodeWorker domain), pauses it wherever it is (V8 interrupts even a wasm loop), evaluates a call to
 * the worker's guard function, which schedules the exception only while Python code is running, and
 * resumes. The VM then raises KeyboardInterrupt at its next pending-exception check, with the right
 * traceback line and its state kept, as on a Pico. Code that never reaches such a check (the wasm
 * `time.sleep` is a busy wait on the JS clock) cannot be interrupted this way; the caller's grace
 * period then replaces the VM.
 *
 * The debugger is enabled only for the moment of the interrupt: while enabled, V8 runs wasm in its
 * slower debug tier, which would distort timings.
 */
export type InterruptOutcome = 'delivered' | 'ordinary' | 'not-running' | 'unavailable';

export interface InterruptRequest {
  /** `worker.threadId` of the VM's thread (the inspector's `workerId`). */
  threadId: number;
  /**
   * Evaluated on the paused worker; must return true once the interrupt is scheduled, 'data' if
   * the Ctrl-C is an ordinary byte for the running code.
   */
  expression: string;
  /** Stop trying at this time on `clock`. */
  deadline: number;
  /** False once the execution ended by itself: nothing left to interrupt. */
  stillBusy: () => boolean;
  /** Pause between attempts while the VM is busy but not running Python (compiling, reading). */
  retryMs?: number;
  /** Default: the system clock, on which the VM (vm.ts) sets its deadlines. */
  clock?: Clock;
}

const workerEnvelope = z.object({
  id: z.number().optional(),
  method: z.string().optional(),
  result: z.unknown().optional(),
  error: z.object({ message: z.string() }).optional(),
});
const evaluateResult = z.object({ result: z.object({ value: z.unknown().optional() }) });

export async function interruptWorker(request: InterruptRequest): Promise<InterruptOutcome> {
  let session: Session;
  try {
    session = new Session();
    session.connect();
  } catch {
    return 'unavailable'; // Node built without the inspector.
  }
  const clock = request.clock ?? systemClock;
  const link = new WorkerInspectorLink(session, request.threadId, clock);
  try {
    await link.attach(request.deadline);
    if (!link.attached) return 'unavailable';
    await link.send('Debugger.enable', {}, request.deadline);
    while (request.stillBusy() && clock.now() < request.deadline) {
      const paused = link.nextPause(request.deadline);
      await link.send('Debugger.pause', {}, request.deadline);
      if (!(await paused)) break;
      const answer = evaluateResult.safeParse(
        await link.send(
          'Runtime.evaluate',
          { expression: request.expression, returnByValue: true },
          request.deadline,
        ),
      );
      await link.send('Debugger.resume', {}, request.deadline);
      if (answer.success && answer.data.result.value === true) return 'delivered';
      // The guard found the byte is data for a script reading stdin (vm-worker.mjs).
      if (answer.success && answer.data.result.value === 'data') return 'ordinary';
      await sleep(request.retryMs ?? 20, clock);
    }
    return request.stillBusy() ? 'unavailable' : 'not-running';
  } catch {
    return 'unavailable';
  } finally {
    await link.close();
    session.disconnect();
  }
}

/** One inspector session on one worker, through the main thread's NodeWorker domain. */
class WorkerInspectorLink {
  private sessionId: string | undefined;
  private nextId = 1;
  private readonly replies = new Map<number, (reply: z.infer<typeof workerEnvelope>) => void>();
  private pauseWaiter: (() => void) | undefined;

  constructor(
    private readonly session: Session,
    private readonly threadId: number,
    private readonly clock: Clock,
  ) {
    // The inspector delivers these at V8 interrupt points: in the middle of whatever JavaScript this
    // thread runs, Node's own timer code included (a reply that cleared its timer there corrupted
    // Node's timer heap; a run hung). So a handler keeps to this object's state, and what reaches
    // further (the clock, the waiting promise's code) runs in a microtask, once that code is done.
    session.on(
      'NodeWorker.attachedToWorker',
      (message: { params: { sessionId: string; workerInfo: { title: string } } }) => {
        // The inspector's workerId is its own counter; the title carries the thread id.
        const title = message.params.workerInfo.title;
        if (title === `[worker ${this.threadId}]` || title.startsWith(`[worker ${this.threadId}] `)) {
          this.sessionId = message.params.sessionId;
        }
      },
    );
    session.on(
      'NodeWorker.receivedMessageFromWorker',
      (message: { params: { sessionId: string; message: string } }) => {
        if (message.params.sessionId !== this.sessionId) return;
        const parsed = workerEnvelope.safeParse(JSON.parse(message.params.message));
        if (!parsed.success) return;
        const envelope = parsed.data;
        void Promise.resolve().then(() => {
          if (envelope.id !== undefined) this.replies.get(envelope.id)?.(envelope);
          else if (envelope.method === 'Debugger.paused') this.pauseWaiter?.();
        });
      },
    );
  }

  get attached(): boolean {
    return this.sessionId !== undefined;
  }

  async attach(deadline: number): Promise<void> {
    await this.session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    while (!this.attached && this.clock.now() < deadline) await sleep(5, this.clock);
  }

  /** Resolves true at the next `Debugger.paused`, false at the deadline. */
  nextPause(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), Math.max(0, deadline - this.clock.now()));
      this.pauseWaiter = () => {
        this.clock.clearTimeout(timer);
        this.pauseWaiter = undefined;
        resolve(true);
      };
    });
  }

  send(method: string, params: object, deadline: number): Promise<unknown> {
    const sessionId = this.sessionId;
    if (sessionId === undefined) return Promise.reject(new Error('not attached'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => reject(new Error(`${method} unanswered`)),
        Math.max(0, deadline - this.clock.now()),
      );
      this.replies.set(id, (reply) => {
        this.clock.clearTimeout(timer);
        this.replies.delete(id);
        if (reply.error) reject(new Error(reply.error.message));
        else resolve(reply.result);
      });
      this.session
        .post('NodeWorker.sendMessageToWorker', {
          sessionId,
          message: JSON.stringify({ id, method, params }),
        })
        .catch(reject);
    });
  }

  /** Detaching disables the worker's debugger, which also cancels a pause that never landed. */
  async close(): Promise<void> {
    this.pauseWaiter?.();
    try {
      if (this.sessionId !== undefined)
        await this.session.post('NodeWorker.detach', { sessionId: this.sessionId });
      await this.session.post('NodeWorker.disable');
    } catch {
      // The worker may be gone already; the session is disconnected next anyway.
    }
  }
}
