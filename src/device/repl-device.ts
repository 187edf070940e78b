import type { Link } from '../link/link.ts';
import { systemClock } from '../clock.ts';
import { RawRepl, type ExecResult } from '../repl/raw-repl.ts';
import {
  DamagedLinkError,
  DeviceException,
  DeviceResetError,
  LinkError,
  ProtocolError,
  TimeoutError,
} from '../errors.ts';
import {
  MayHaveRunError,
  type Device,
  type DeviceExecOptions,
  type MemInfoOptions,
  type Repair,
  type TimedCollection,
} from './device.ts';
import { parseOneRecord } from './data-lines.ts';
import { boardTimedCollection, lastVmCollection, memInfoText, VM_COLLECT } from './plain-readings.ts';
import { gcTotal } from './mem-info-check.ts';
import {
  OUTPUT_END,
  UNKNOWN_LINES,
  CHECKED_CALL,
  afterReadyLine,
  FRAME_KICK,
  againFrame,
  countFrame,
  countFrom,
  checkedFrame,
  completed,
  firstLine,
  triesFor,
  stubStdin,
  triesForCode,
  CHECKED_ATTEMPTS,
  missingParts,
  readChecked,
  streamedLines,
  stubInstall,
  stubInstalled,
  STUB_INSTALL_BYTES,
  takeAgain,
  type CheckedOutcome,
  type Gaps,
} from './verified-exec.ts';
import { infoRecordSchema, type Capabilities, type DeviceInfo } from './device-info.ts';
import { uploadScripts } from './scripts.ts';
import { capabilitiesOf } from './sim-capabilities.ts';
import { measurePace } from './pace.ts';

/** The REPL client's default deadline for an exec, in device time here. */
const DEFAULT_EXEC_MS = 10_000;
/** Raw-REPL entries tried while connecting, when what came back was damaged (not silence). */
const CONNECT_ATTEMPTS = 3;
/** The deadline of each entry after the first (the first has the REPL client's 10 s). */
const CONNECT_RETRY_MS = 2_000;
/** The raw-paste request's reply, in device time. */
const HANDSHAKE_MS = 2_000;
/**
 * Collection-and-reading pairs a timed collection may take on the virtual Pico: one failed try costs
 * two or three (its garbage swept by the next collection, which is then not the one to read), so
 * as many as a checked exec's tries would end a long run on a bad link (drop:0.001 seed 19 used 12
 * in one collection of pause-vs-heap-position; corrupt:0.001 seed 10 recorded the 12th, unclean).
 */
const TIMED_COLLECT_PAIRS = 3 * CHECKED_ATTEMPTS;

/**
 * A device behind a raw REPL: a board on serial/TCP, or the virtual Pico (in-process or on a pty)
 * which speaks the same bytes. The timing method is chosen from what the device reports, so the
 * same code works on a board and on a virtual Pico opened through a pty.
 */
export class ReplDevice implements Device {
  #info: DeviceInfo | undefined;
  /** Every deadline given in device time is stretched by this (see pace.ts); 1 until measured. */
  #deadlineScale = 1;
  /** The stub that checks uploads is defined in the device's current interpreter. */
  #stubReady = false;
  /** Not ready, but maybe only a damaged call failed: asked (probed) before it is installed again. */
  #stubUnsure = false;
  /** Tries that failed on the link so far: each left garbage in the heap until the next collection. */
  #failures = 0;
  /** `#failures` when the virtual Pico last collected with no failed try in that exec (else -1). */
  #collectedAt = 0;
  /** A deadline passed: the device's pace is measured again before the next exec. */
  #paceStale = false;
  #repairListener: ((repair: Repair) => void) | undefined;
  readonly #unheard: Repair[] = [];
  /**
   * What the device repaired on the way, for whoever listens (the runner, per experiment). A repair
   * made before anyone listened is not lost: the first listener is given it, marked as such.
   */
  get onRepair(): (repair: Repair) => void {
    return (repair) => {
      if (this.#repairListener) this.#repairListener(repair);
      else this.#unheard.push({ ...repair, detail: `while the device was identified: ${repair.detail}` });
    };
  }
  set onRepair(listener: ((repair: Repair) => void) | undefined) {
    this.#repairListener = listener;
    if (listener) for (const repair of this.#unheard.splice(0)) listener(repair);
  }

  /** `exec` as a function, for the readings that take one. */
  readonly #exec = (code: string, options?: DeviceExecOptions) => this.exec(code, options);

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
    const repl = new RawRepl(link.stream, { wake: FRAME_KICK });
    for (let attempt = 1; ; attempt++) {
      const heardBefore = repl.bytesReceived;
      try {
        // A retry is short: a device that answered damaged text answers a retry at once, and one
        // that went silent part-way (hung) must not hold the connect for a second full deadline.
        const timeoutMs = attempt > 1 ? CONNECT_RETRY_MS : undefined;
        await repl.enter({ softReset: options.softReset ?? true, ...(timeoutMs ? { timeoutMs } : {}) });
        break;
      } catch (error) {
        // A banner damaged on the way is not a silent device: the entry goes again, a few times.
        const heard = repl.bytesReceived > heardBefore;
        const damaged = error instanceof ProtocolError || (error instanceof TimeoutError && heard);
        if (!damaged || attempt >= CONNECT_ATTEMPTS) throw error;
      }
    }
    return new ReplDevice(link, repl, backend, options.declare);
  }

  /** The device's info if `info()` has run (a recording keeps it), without asking the device. */
  get knownInfo(): DeviceInfo | undefined {
    return this.#info;
  }

  /**
   * Run code, checked end to end (verified-exec.ts): the stub compiles it only if it arrived whole,
   * and its data lines must arrive whole and in order. A damaged upload is sent again; a damaged
   * answer runs the step again (unless it is not idempotent). `timeoutMs` is device time, stretched
   * on a device slower than real time.
   */
  async exec(code: string, options: DeviceExecOptions = {}): Promise<ExecResult> {
    const failuresBefore = this.#failures;
    const result = await this.execWithRetries(code, options);
    if (code === VM_COLLECT) this.#collectedAt = this.#failures === failuresBefore ? this.#failures : -1;
    return result;
  }

  private async execWithRetries(code: string, options: DeviceExecOptions): Promise<ExecResult> {
    const { idempotent, onStdout, validate, rawStdout, retryCode, attempts, collectFirst, undo, ...rest } =
      options;
    if (this.#paceStale) await this.measurePaceAgain();
    const exec = {
      ...rest,
      timeoutMs: this.wallMs(options.timeoutMs ?? DEFAULT_EXEC_MS),
      handshakeMs: this.wallMs(HANDSHAKE_MS),
      outputEnd: OUTPUT_END,
      ...(onStdout ? { onStdout: rawStdout ? afterReadyLine(onStdout) : streamedLines(onStdout) } : {}),
    };
    const started = systemClock.now();
    let ran = false;
    for (let attempt = 1; ; attempt++) {
      await this.installStub(exec.timeoutMs);
      if (ran && undo !== undefined) await this.exec(undo, { timeoutMs: options.timeoutMs });
      if (collectFirst && this.#info?.capabilities.deferredCollect)
        await this.cleanCollection(options.timeoutMs);
      const checked = await this.execChecked(attempt > 1 && retryCode ? retryCode : code, exec);
      const verdict = checked.outcome.kind === 'ok' ? validate?.(checked.outcome.stdout) : undefined;
      const problem = typeof verdict === 'string' ? verdict : undefined;
      const outcome: CheckedOutcome = problem ? { kind: 'damaged', why: problem } : checked.outcome;
      if (outcome.kind === 'damaged' || outcome.kind === 'resend') this.#failures++;
      if (outcome.kind === 'ok') {
        return { ...checked.result!, stdout: typeof verdict === 'object' ? verdict.stdout : outcome.stdout };
      }
      if (outcome.kind === 'raised') throw outcome.error;
      // Data lines lost on the way are asked for again; the step does not run twice for them.
      if (outcome.kind === 'damaged' && outcome.gaps && !problem) {
        const stdout = await this.askAgain(outcome.gaps, exec);
        // What the stub cannot check is judged as in a whole answer.
        const mended = stdout === undefined ? undefined : validate?.(stdout);
        if (stdout !== undefined && typeof mended !== 'string') {
          this.onRepair({
            kind: 'again',
            detail: `exec "${firstLine(code)}": ${outcome.why}; asked for again`,
            ms: systemClock.now() - started,
          });
          return { ...checked.result!, stdout: mended?.stdout ?? stdout };
        }
      }
      const step = `exec "${firstLine(code)}"`;
      // A try the protocol failed around may have run the step all the same (its prompt lost after a
      // whole frame, say) (corrupt:0.001 seed 10 built wide=63 twice, and sys.argv's item array,
      // grown the second time among the first set's garbage, moved wide=96's pauses for good).
      const mayHaveRun =
        outcome.kind === 'damaged' || (outcome.kind === 'resend' && outcome.mayHaveRun === true);
      if (mayHaveRun && idempotent === false) {
        throw new MayHaveRunError(
          `${step}: ${outcome.kind === 'damaged' ? 'its answer arrived damaged' : 'it may have run'} (${outcome.why}) and it must not run twice`,
        );
      }
      if (attempt >= (attempts ?? triesForCode(code))) {
        throw new DamagedLinkError(
          `${step}: ${attempt} tries, each damaged on the link (last: ${outcome.why})`,
        );
      }
      ran = mayHaveRun;
      this.onRepair({
        kind: outcome.kind === 'resend' ? 'resend' : 'rerun',
        detail: `${step}: ${outcome.why}`,
        ms: systemClock.now() - started,
      });
    }
  }

  /**
   * A collection with nothing after it: one whose own answer had to be mended (its end marker asked
   * for again) left that repair's garbage behind, so it runs once more.
   */
  private async cleanCollection(timeoutMs: number | undefined): Promise<void> {
    for (let tries = 1; ; tries++) {
      const failures = this.#failures;
      await this.exec(VM_COLLECT, { timeoutMs });
      if (this.#failures === failures || tries >= CHECKED_ATTEMPTS) return;
    }
  }

  /** Each lost part asked for again (a few tries each); undefined if one never arrives whole. */
  private async askAgain(gaps: Gaps, options: DeviceExecOptions): Promise<string | undefined> {
    let tries = 0;
    while (gaps.lines === UNKNOWN_LINES) {
      if (++tries > CHECKED_ATTEMPTS) return undefined;
      try {
        gaps.lines = countFrom((await this.checkedRound(countFrame(), options)).stdout) ?? UNKNOWN_LINES;
      } catch (error) {
        if (!(error instanceof DeviceException) && !(error instanceof ProtocolError)) throw error;
      }
    }
    for (let missing = missingParts(gaps); missing.length > 0; missing = missingParts(gaps)) {
      const { seq, part } = missing[0]!;
      if (++tries > CHECKED_ATTEMPTS * (missing.length + 1)) return undefined;
      try {
        takeAgain(gaps, (await this.checkedRound(againFrame(seq, part), options)).stdout, seq, part);
      } catch (error) {
        if (!(error instanceof DeviceException) && !(error instanceof ProtocolError)) throw error;
      }
    }
    return completed(gaps);
  }

  /** One try: the stub's call, and what came back. */
  private async execChecked(
    code: string,
    options: DeviceExecOptions,
  ): Promise<{ outcome: CheckedOutcome; result?: ExecResult }> {
    try {
      const result = await this.checkedRound(checkedFrame(code), options);
      // SystemExit rebooted the interpreter after the frame: the stub went with it.
      if (result.softRebooted) this.#stubReady = false;
      return { outcome: readChecked(result.stdout), result };
    } catch (error) {
      if (error instanceof DeviceResetError) this.#stubReady = false;
      if (error instanceof TimeoutError) this.#paceStale = true;
      // The protocol's own bytes damaged on the way (a handshake unanswered, an `OK` garbled): the
      // session resynchronises on the next exec, and this one goes again.
      if (error instanceof ProtocolError)
        return { outcome: { kind: 'resend', why: error.message, mayHaveRun: true } };
      if (!(error instanceof DeviceException)) throw error;
      const outcome = readChecked(error.stdout, error);
      // A call that failed before the script started found no stub (a reboot unseen) or arrived
      // damaged: the stub is probed, and installed again only if gone (a second install would move
      // it in the heap, and every figure after it).
      if (outcome.kind === 'resend') [this.#stubUnsure, this.#stubReady] = [this.#stubReady, false];
      return { outcome };
    }
  }

  /**
   * The stub called, reading `frame` from stdin. A reboot nobody asked for (a Ctrl-D made by the
   * link out of another byte reaches the raw prompt) took the device's state with it: reported as
   * the reset it was, whatever this exec's answer looked like.
   */
  private async checkedRound(frame: Buffer, options: DeviceExecOptions): Promise<ExecResult> {
    try {
      return await this.repl.exec(CHECKED_CALL, {
        ...options,
        outputEnd: OUTPUT_END,
        stdin: stubStdin(frame),
      });
    } finally {
      if (this.repl.unaskedReboot()) {
        this.#stubReady = false;
        throw new DeviceResetError('the device soft-rebooted unasked (a byte damaged into Ctrl-D?)');
      }
    }
  }

  /**
   * Define the stub in the device's interpreter (again after every reboot) and prove it answers:
   * the stub itself goes as plain code, so a damaged copy is caught by its first call.
   */
  private async installStub(timeoutMs: number): Promise<void> {
    let installed = this.#stubUnsure;
    this.#stubUnsure = false;
    for (let attempt = 1; !this.#stubReady; attempt++) {
      const handshakeMs = this.wallMs(HANDSHAKE_MS);
      try {
        if (!installed) {
          // Installed again (its upload refused or lost): what the failed try left (garbage, a name
          // a damaged installer made the compiler intern, a grown table) would move the stub in the
          // heap, and every figure after it. It only ever goes in after a reboot, so the device is
          // rebooted again first, from a fresh entry: a bare Ctrl-D would run what a damaged try left
          // in the REPL's line (the stub itself, when the installer died before reading it).
          if (attempt > 1) await this.repl.enter({ softReset: true, timeoutMs, handshakeMs });
          const { code, stdin } = stubInstall();
          installed = stubInstalled(
            (await this.repl.exec(code, { timeoutMs, handshakeMs, stdin: stubStdin(stdin) })).stdout,
          );
        }
        // (An install the installer refused has nothing to probe: the next try reboots first.)
        if (installed) {
          const probe = await this.checkedRound(checkedFrame(''), { timeoutMs, handshakeMs });
          this.#stubReady = readChecked(probe.stdout).kind === 'ok';
        }
      } catch (error) {
        if (!(error instanceof DeviceException) && !(error instanceof ProtocolError)) throw error;
        // A probe that finds no stub: the install that looked whole was not.
        if (error instanceof DeviceException && error.detail.includes(`'${CHECKED_CALL.slice(0, -2)}'`))
          installed = false;
      }
      if (!this.#stubReady && attempt >= triesFor(STUB_INSTALL_BYTES)) {
        throw new LinkError(
          `the checking stub could not be installed in ${attempt} tries: the link damages every upload`,
        );
      }
    }
  }

  /**
   * After a deadline passed, the pace measured at connect may no longer hold (the host got busier:
   * an emulator or a VM slows with it). Measured again, deadlines follow the device's time as it is
   * now, so a slowed device is not taken for a hung one twice; a hung one still times out.
   */
  private async measurePaceAgain(): Promise<void> {
    this.#paceStale = false;
    const before = this.#deadlineScale;
    const started = systemClock.now();
    const pace = await measurePace(this.#exec);
    this.#deadlineScale = pace.deadlineScale;
    this.onRepair({
      kind: 'repace',
      detail: `a deadline passed: pace measured again (${pace.method}); deadlines stretched ×${pace.deadlineScale}, were ×${before}`,
      ms: systemClock.now() - started,
    });
  }

  /** A deadline in device time as host milliseconds on this device. */
  wallMs(deviceMs: number): number {
    return Math.round(deviceMs * this.#deadlineScale);
  }

  async info(): Promise<DeviceInfo> {
    for (let resets = 0; ; resets++) {
      const started = systemClock.now();
      try {
        return await this.readInfo();
      } catch (error) {
        // A device that rebooted while it was asked who it is is asked again (nothing was measured).
        if (!(error instanceof DeviceResetError) || resets >= 3) throw error;
        this.onRepair({
          kind: 'reset',
          detail: `${error.message}: asked who it is again, from a fresh interpreter`,
          ms: systemClock.now() - started,
        });
      }
    }
  }

  private async readInfo(): Promise<DeviceInfo> {
    if (this.#info) return this.#info;
    await uploadScripts(this, ['info']);
    const record = parseOneRecord((await this.exec('info()')).stdout, 'info', infoRecordSchema);
    const heapTotal = gcTotal(await this.memInfo());
    const pace = await measurePace(this.#exec);
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

  /**
   * On the virtual Pico a collection sweeps whatever garbage is left: a failed try's too, if it came
   * after the collection before. Such a reading is taken again: the collection before it is then
   * the one it was to follow, as without the fault. (The first readings after a rebuild, which also
   * sweep the rebuild's garbage, are warm-ups, not recorded: doing the rebuild again would not put
   * the heap back as it was, since sys.argv's item array stays where the first rebuild grew it.)
   * A collection whose own try failed is not read at all: the repair left garbage after it, and the
   * first reading in an interpreter imports picogc_sim, whose code stays where it lands for good.
   * A link that never gives a clean pair ends it in a DamagedLinkError, never in a reading that swept
   * a failed try's garbage.
   */
  async timedCollect(options: { timeoutMs?: number } = {}): Promise<TimedCollection> {
    const { capabilities } = await this.info();
    if (!capabilities.deferredCollect) return boardTimedCollection(this.#exec, options);
    let why = 'each swept a failed try or had its own answer mended';
    for (let pair = 1; pair <= TIMED_COLLECT_PAIRS; pair++) {
      const sweepsFailures = this.#failures !== this.#collectedAt;
      try {
        await this.exec(VM_COLLECT, options);
        if (this.#collectedAt !== this.#failures) continue;
        const reading = await lastVmCollection(this.#exec, capabilities, options);
        if (!sweepsFailures) return reading;
      } catch (error) {
        if (!(error instanceof DamagedLinkError)) throw error;
        why = `last: ${error.message}`;
      }
    }
    // A reading that swept a failed try's garbage is not the pause asked for: none rather than it.
    throw new DamagedLinkError(`timed collection: ${TIMED_COLLECT_PAIRS} tries, none clean (${why})`);
  }

  async memInfo(options: MemInfoOptions = {}): Promise<string> {
    const deferredCollect = options.heapMap ? (await this.info()).capabilities.deferredCollect : false;
    return memInfoText(this.#exec, options, deferredCollect);
  }

  /** Ctrl-D at the raw prompt; if its bytes are damaged on the way, once more from a fresh entry. */
  async softReset(): Promise<void> {
    this.#stubReady = false;
    const timeoutMs = this.wallMs(DEFAULT_EXEC_MS);
    try {
      await this.repl.softReset({ timeoutMs, handshakeMs: this.wallMs(HANDSHAKE_MS) });
    } catch (error) {
      if (!(error instanceof ProtocolError) && !(error instanceof TimeoutError)) throw error;
      const started = systemClock.now();
      await this.repl.enter({ softReset: true, timeoutMs, handshakeMs: this.wallMs(HANDSHAKE_MS) });
      this.onRepair({
        kind: 'resend',
        detail: `soft reset: ${error.message}`,
        ms: systemClock.now() - started,
      });
    }
  }

  /**
   * Back to an empty raw prompt from whatever state the board is in (Ctrl-C, Ctrl-A, banner), then
   * optionally a soft reset, all within `timeoutMs`: the first two rungs of the recovery ladder.
   */
  async reenter(options: { softReset?: boolean; timeoutMs: number }): Promise<void> {
    if (options.softReset) this.#stubReady = false;
    await this.repl.enter({
      softReset: options.softReset ?? false,
      timeoutMs: options.timeoutMs,
      handshakeMs: this.wallMs(HANDSHAKE_MS),
    });
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
