import type { Duplex } from 'node:stream';
import { type Clock, systemClock } from '../clock.ts';
import { escapeBytes, LinkError, ProtocolError, TimeoutError } from '../errors.ts';
import { ByteChannel, type ProtocolLog } from './byte-channel.ts';
import { expectOk, sendClassic } from './classic.ts';
import {
  CTRL_B,
  CTRL_C,
  CTRL_D,
  ENTER_RAW_LINE,
  FRAME_END_PROMPT,
  FRIENDLY_PROMPT,
  INTERRUPT_LINE,
  RAW_BANNER_PROMPT,
  SOFT_REBOOT_LINE,
} from '../protocol/raw-repl-vocabulary.ts';
import { Deadline } from './deadline.ts';
import { nearMatch } from './near-match.ts';
import { FrameParser, parseDeviceException } from './frame.ts';
import { requestRawPaste, sendRawPaste } from './raw-paste.ts';
import { readFrame, readPromptAfterFrame, readPromptAfterOutput } from './output-frame.ts';
import { rejectControlBytes, type ExecOptions, type ExecResult, type PasteMode } from './exec-options.ts';
import { onAbort } from './abort-interrupt.ts';

export type { ExecOptions, ExecResult, PasteMode } from './exec-options.ts';

export interface RawReplOptions {
  clock?: Clock;
  log?: ProtocolLog;
  /** Pause between 256-byte chunks in classic mode (pyboard.py and mpremote use 10 ms). */
  classicChunkPauseMs?: number;
  /** After a timeout and Ctrl-C, how long to wait for the device to close its output frame. */
  interruptGraceMs?: number;
  /** One enter attempt (Ctrl-C, drain, Ctrl-A, banner); failed attempts repeat within the deadline. */
  enterAttemptMs?: number;
  /**
   * Ends a read of stdin that code on the device may be blocked in with Ctrl-C turned off (a
   * checking stub reading its frame): sent before the Ctrl-C of a resynchronisation, of every entry
   * attempt after a first unanswered one, and of an interrupt after a timeout.
   */
  wake?: Buffer;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A device answers the raw-paste request at once: this long without a reply, and it got none. */
const HANDSHAKE_MS = 2_000;
/** Raw-paste refused this many times in a row: the firmware has none, classic mode from then on. */
const REFUSALS_FOR_GOOD = 3;
/** Bytes of a banner that may arrive damaged, lost or added, and it is still taken for the banner. */
const BANNER_EDITS = 3;
/** After Ctrl-C, input is drained until the line has been quiet this long… */
const DRAIN_QUIET_MS = 20;
/** …but no longer than this, in case a program keeps printing. */
const DRAIN_MAX_MS = 250;

/**
 * Where the session stands: `raw` = at an empty raw prompt, its `>` consumed. `unsynced` = an
 * operation failed part-way; the next one re-enters the raw REPL first, so leftovers of the failed
 * one can never be read as the next one's output.
 */
type SessionState = 'new' | 'raw' | 'friendly' | 'unsynced' | 'closed';

/** Which part of an exec was under way when its deadline passed; decides how to recover. */
type ExecStage = 'handshake' | 'classic-upload' | 'raw-paste-upload' | 'ok' | 'frame' | 'prompt';

/**
 * A raw-REPL session with a MicroPython board over any byte stream (micropython-facts.md §1).
 * It knows bytes, not experiments: enter, exec (raw-paste with flow control, classic fallback),
 * interrupt on timeout, soft reset, leave. Operations run one at a time, in call order.
 */
export class RawRepl {
  private readonly channel: ByteChannel;
  private readonly clock: Clock;
  private readonly log: ProtocolLog | undefined;
  private readonly classicChunkPauseMs: number;
  private readonly interruptGraceMs: number;
  private readonly enterAttemptMs: number;
  private readonly wake: Buffer | undefined;
  private state: SessionState = 'new';
  private rememberedMode: PasteMode | undefined;
  /** Raw-paste refusals in a row: one may be a request damaged on the way, three are the firmware. */
  private refusals = 0;
  /** `soft reboot` lines the session knows of (channel.reboots when last accounted for). */
  private rebootsKnown = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(stream: Duplex, options: RawReplOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    this.classicChunkPauseMs = options.classicChunkPauseMs ?? 10;
    this.interruptGraceMs = options.interruptGraceMs ?? 2_000;
    this.enterAttemptMs = options.enterAttemptMs ?? 1_000;
    this.wake = options.wake;
    this.channel = new ByteChannel(stream, options.log);
  }

  /** The exec mode this connection settled on: set by the first exec, kept after a fallback. */
  get pasteMode(): PasteMode | undefined {
    return this.rememberedMode;
  }

  /**
   * Reach an empty raw prompt from any state: a friendly prompt, a running `main.py`, raw mode
   * already, boot text still arriving. Each attempt sends `\r\x03`, drains, sends `\r\x01` and waits
   * for the banner in bytes received after that; attempts repeat until the deadline.
   */
  enter(options: { softReset?: boolean; timeoutMs?: number; handshakeMs?: number } = {}): Promise<void> {
    return this.serialise(async () => {
      await this.enterRaw(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      if (options.softReset)
        await this.softResetNow(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.handshakeMs);
    });
  }

  /**
   * Whether the device rebooted since the last look without being asked (a soft reset, a SystemExit
   * or a reboot seen as it happened are asked for or already reported): its state is gone.
   */
  unaskedReboot(): boolean {
    const unasked = this.channel.reboots > this.rebootsKnown;
    this.rebootsKnown = this.channel.reboots;
    return unasked;
  }

  /** Bytes received from the device so far: whether it said anything at all since a moment. */
  get bytesReceived(): number {
    return this.channel.bytesReceived;
  }

  /** Run code; a MicroPython exception is thrown as a DeviceException (stdout kept on it). */
  async exec(code: string, options: ExecOptions = {}): Promise<ExecResult> {
    const result = await this.execRaw(code, options);
    if (result.stderr !== '') throw parseDeviceException(result.stderr, result.stdout);
    return result;
  }

  /** Run code; the stderr part (a traceback) is returned, not thrown. */
  execRaw(code: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.serialise(() => this.execNow(code, options));
  }

  /** Ctrl-D at the raw prompt: the board reboots its VM (heap freed, boot.py run, main.py not). */
  softReset(options: { timeoutMs?: number; handshakeMs?: number } = {}): Promise<string> {
    return this.serialise(async () => {
      await this.ready();
      return this.softResetNow(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.handshakeMs);
    });
  }

  /** Ctrl-B: back to the friendly REPL. Returns its banner (`MicroPython v… on …; <board>…`). */
  leave(options: { timeoutMs?: number } = {}): Promise<string> {
    return this.serialise(async () => {
      await this.ready();
      this.discardStale();
      const deadline = new Deadline(
        this.clock,
        options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        'leaving the raw REPL',
      );
      this.state = 'unsynced';
      try {
        await this.channel.write(CTRL_B, deadline);
        const text = await this.channel.readUntil(FRIENDLY_PROMPT, deadline);
        this.state = 'friendly';
        return text
          .subarray(0, text.length - FRIENDLY_PROMPT.length)
          .toString('utf8')
          .replace(/\r\n/g, '\n')
          .trim();
      } catch (error) {
        throw this.settleAfterFailure(error);
      }
    });
  }

  /** Stop listening to the stream (it is not closed; that is the link's job). */
  close(): void {
    this.state = 'closed';
    this.channel.detach();
  }

  private serialise<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async enterRaw(timeoutMs: number): Promise<void> {
    const deadline = new Deadline(this.clock, timeoutMs, 'entering the raw REPL');
    if (this.channel.failed) throw this.channel.linkError(deadline);
    const receivedBefore = this.channel.bytesReceived;
    // Code may still be reading after a failed operation, or after a host that died mid-exec (a
    // board that did not answer the first attempt): a first entry to an answering board sends none.
    const resync = this.state === 'unsynced';
    this.state = 'unsynced';
    try {
      for (let attempt = 1; ; attempt++) {
        if (this.wake && (resync || attempt > 1)) await this.channel.write(this.wake, deadline);
        await this.channel.write(INTERRUPT_LINE, deadline);
        const drained = await this.channel.discardUntilQuiet(DRAIN_QUIET_MS, deadline.within(DRAIN_MAX_MS));
        if (drained.length > 0) this.info(`drained before Ctrl-A: ${escapeBytes(drained)}`);
        // Only bytes that arrive after this write can hold the banner: stale ones are gone.
        await this.channel.write(ENTER_RAW_LINE, deadline);
        const banner = await this.channel.readUntilNearOrNull(
          RAW_BANNER_PROMPT,
          BANNER_EDITS,
          deadline.within(this.enterAttemptMs),
        );
        if (banner) break;
        if (deadline.expired) throw this.enterFailure(deadline, attempt, receivedBefore);
        this.info(`no raw REPL banner after attempt ${attempt}; trying again`);
      }
      this.state = 'raw';
    } catch (error) {
      throw this.settleAfterFailure(error);
    }
  }

  private enterFailure(deadline: Deadline, attempts: number, receivedBefore: number): Error {
    const elapsed = Math.round(deadline.elapsed());
    if (this.channel.bytesReceived === receivedBefore) {
      return new LinkError(
        `could not enter the raw REPL: the device sent nothing in ${elapsed} ms (${attempts} attempts of ` +
          'Ctrl-C, Ctrl-A); is it a MicroPython board on this port, and is it running?',
      );
    }
    return new ProtocolError(
      `could not enter the raw REPL: no "raw REPL; CTRL-B to exit" banner after ${attempts} attempts in ` +
        `${elapsed} ms (limit ${deadline.limitMs} ms)`,
      this.channel.tail(),
    );
  }

  private async softResetNow(timeoutMs: number, handshakeMs = HANDSHAKE_MS): Promise<string> {
    this.discardStale();
    const deadline = new Deadline(this.clock, timeoutMs, 'soft reset: waiting for "soft reboot"');
    this.state = 'unsynced';
    try {
      await this.channel.write(CTRL_D, deadline);
      // A board says it reboots as soon as it reads the Ctrl-D; one damaged on the way reboots
      // nothing, and the board waits at its prompt: no use waiting for the banner all the deadline.
      const said = await this.channel.readUntilNearOrNull(
        SOFT_REBOOT_LINE,
        BANNER_EDITS,
        deadline.within(handshakeMs),
      );
      if (said === null) {
        throw new ProtocolError(
          `soft reset: no "soft reboot" within ${handshakeMs} ms of the Ctrl-D (damaged on the way?)`,
          this.channel.tail(),
        );
      }
      const text = await this.channel.readUntilNearOrNull(RAW_BANNER_PROMPT, BANNER_EDITS, deadline);
      // It did reboot: a banner damaged past recognising is the link's, and a fresh entry finds the prompt.
      if (text === null) {
        throw new ProtocolError(
          'soft reset: rebooted, but no raw REPL banner came whole',
          this.channel.tail(),
        );
      }
      const banner = nearMatch(text, RAW_BANNER_PROMPT, BANNER_EDITS)!;
      this.state = 'raw';
      this.rebootsKnown = this.channel.reboots;
      return text.subarray(0, banner.start).toString('utf8');
    } catch (error) {
      throw this.settleAfterFailure(error);
    }
  }

  private async execNow(code: string, options: ExecOptions): Promise<ExecResult> {
    rejectControlBytes(code);
    await this.ready();
    this.discardStale();
    const source = Buffer.from(code, 'utf8');
    const deadline = new Deadline(this.clock, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'exec');
    const frame = new FrameParser({ onStdout: options.onStdout, onStderr: options.onStderr });
    let mode: PasteMode = options.forceClassic ? 'classic' : (this.rememberedMode ?? 'raw-paste');
    // One budget for the whole exec; `step` names the part under way for error messages.
    let stage = 'handshake' as ExecStage;
    let step = deadline.named('exec: raw-paste handshake');
    const enterStage = (next: ExecStage, name: string) => {
      stage = next;
      step = deadline.named(`exec: ${name}`);
      return step;
    };
    this.state = 'unsynced';
    try {
      if (mode === 'raw-paste') {
        const reply = await requestRawPaste(
          this.channel,
          step.within(options.handshakeMs ?? HANDSHAKE_MS),
        ).catch((error: unknown) => {
          if (!(error instanceof TimeoutError) || deadline.expired) throw error;
          throw new ProtocolError(
            `no reply to the raw-paste request within ${options.handshakeMs ?? HANDSHAKE_MS} ms (damaged on the way?)`,
            this.channel.tail(),
          );
        });
        if (reply.kind === 'accepted') {
          const sending = enterStage('raw-paste-upload', 'sending code (raw-paste)');
          await sendRawPaste(
            this.channel,
            source,
            reply.windowSize,
            sending,
            options.handshakeMs ?? HANDSHAKE_MS,
          );
          this.rememberedMode = 'raw-paste';
          this.refusals = 0;
        } else {
          this.refusals += 1;
          const forGood = this.refusals >= REFUSALS_FOR_GOOD;
          this.info(
            `raw-paste ${reply.kind} by the device; classic raw mode for ${forGood ? 'the rest of this connection' : 'this exec'}`,
          );
          mode = 'classic';
          if (forGood) this.rememberedMode = mode;
        }
      }
      if (mode === 'classic') {
        const sending = enterStage('classic-upload', 'sending code (classic)');
        await sendClassic(this.channel, source, this.classicChunkPauseMs, sending);
        await expectOk(this.channel, enterStage('ok', 'waiting for OK'));
      }
      const stallMs = options.handshakeMs ?? HANDSHAKE_MS;
      const frameStep = enterStage('frame', 'waiting for the output frame');
      const stopAborting = onAbort(this.channel, options, frameStep, (text) => this.info(text));
      let closed: Awaited<ReturnType<typeof readFrame>>;
      try {
        closed = await readFrame(this.channel, frame, frameStep, options.outputEnd, stallMs, options.stdin);
      } finally {
        stopAborting();
      }
      const { softRebooted, synced } = await readPromptAfterOutput(
        this.channel,
        frame,
        closed,
        enterStage('prompt', 'waiting for the prompt'),
        { stallMs, outputEnd: options.outputEnd, info: (text) => this.info(text) },
      );
      if (softRebooted) {
        this.info('the code raised SystemExit; the device soft-rebooted');
        this.rebootsKnown = this.channel.reboots;
      }
      this.state = synced ? 'raw' : 'unsynced';
      return {
        stdout: frame.stdout,
        stderr: frame.stderr,
        pasteMode: mode,
        ...(softRebooted ? { softRebooted } : {}),
      };
    } catch (error) {
      if (error instanceof TimeoutError && deadline.expired && !this.channel.failed && stage !== 'prompt') {
        throw await this.interruptAfterTimeout(step, stage, frame);
      }
      throw this.settleAfterFailure(error);
    }
  }

  /**
   * The exec ran out of time: send Ctrl-C and give the device a short grace to close the frame
   * (KeyboardInterrupt) and prompt again. A frame closed in time leaves the session in sync; a
   * device that answers nothing at all is a link failure, not a slow program.
   */
  private async interruptAfterTimeout(
    deadline: Deadline,
    stage: ExecStage,
    frame: FrameParser,
  ): Promise<Error> {
    const elapsed = Math.round(deadline.elapsed());
    const grace = new Deadline(
      this.clock,
      this.interruptGraceMs,
      `${deadline.step}: Ctrl-C after the timeout`,
    );
    const receivedBefore = this.channel.bytesReceived;
    this.info(`${deadline.step} ran out of time after ${elapsed} ms; sending Ctrl-C`);
    let synced = false;
    try {
      if (this.wake && stage === 'frame') await this.channel.write(this.wake, grace);
      await this.channel.write(CTRL_C, grace);
      if (stage === 'frame') {
        await readFrame(this.channel, frame, grace);
        await readPromptAfterFrame(this.channel, grace);
        synced = true;
      } else if (stage !== 'classic-upload') {
        // Mid-handshake or mid-paste the device ends its reader with \x04, then prints the frame.
        await this.channel.readUntil(FRAME_END_PROMPT, grace);
        synced = true;
      }
      // In a classic upload Ctrl-C just empties the device's line: no answer to wait for.
    } catch (error) {
      if (this.channel.failed) return this.settleAfterFailure(error);
    }
    this.state = synced ? 'raw' : 'unsynced';
    const heard = this.channel.bytesReceived > receivedBefore;
    if (!synced && !heard && stage !== 'classic-upload' && (await this.answersCtrlA())) {
      // Already at the prompt: the frame's end came damaged past recognising. Not a dead link.
      return new ProtocolError(
        `${deadline.step}: no frame end recognised in ${elapsed} ms, and the device is at its raw prompt`,
        this.channel.tail(),
      );
    }
    if (!synced && !heard && stage !== 'classic-upload') {
      return new LinkError(
        `${deadline.step} timed out after ${deadline.limitMs} ms and the device stayed silent for ` +
          `${this.interruptGraceMs} ms after Ctrl-C; last bytes received: ${this.channel.tail()}`,
      );
    }
    return new TimeoutError(
      `${deadline.step} (${elapsed} ms elapsed; interrupted with Ctrl-C)`,
      deadline.limitMs,
      this.channel.tail(),
    );
  }

  /** Whether the device, silent after a Ctrl-C, answers Ctrl-A with the raw banner (then the state is `raw`). */
  private async answersCtrlA(): Promise<boolean> {
    const grace = new Deadline(this.clock, this.interruptGraceMs, 'raw REPL: Ctrl-A after a silent Ctrl-C');
    try {
      await this.channel.write(ENTER_RAW_LINE, grace);
      const banner = await this.channel.readUntilNearOrNull(RAW_BANNER_PROMPT, BANNER_EDITS, grace);
      if (banner) this.state = 'raw';
      return banner !== null;
    } catch {
      return false;
    }
  }

  /** Make sure the device is at an empty raw prompt before an operation. */
  private async ready(): Promise<void> {
    if (this.state === 'raw') return;
    if (this.state === 'closed' || this.channel.failed) {
      throw this.channel.linkError(new Deadline(this.clock, 0, 'raw REPL'));
    }
    if (this.state === 'unsynced') {
      this.info('the last operation failed part-way; entering the raw REPL again to resynchronise');
      await this.enterRaw(DEFAULT_TIMEOUT_MS);
      return;
    }
    throw new ProtocolError(
      this.state === 'new'
        ? 'the raw REPL has not been entered yet (call enter() first)'
        : 'the board is in the friendly REPL (call enter() first)',
    );
  }

  /** Bytes that arrive between operations belong to none of them (a late print, line noise). */
  private discardStale(): void {
    const stale = this.channel.takeAll();
    if (stale.length > 0) this.info(`discarded ${stale.length} unexpected bytes: ${escapeBytes(stale)}`);
  }

  private settleAfterFailure(error: unknown): Error {
    this.state = this.channel.failed ? 'closed' : 'unsynced';
    return error instanceof Error ? error : new Error(String(error));
  }

  private info(text: string): void {
    this.log?.('info', text);
  }
}
