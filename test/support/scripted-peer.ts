import type { Duplex } from 'node:stream';
import { escapeBytes } from '../../src/errors.ts';
import {
  BYTE,
  RAW_PASTE_END,
  RAW_PASTE_GRANT,
  RAW_PASTE_WINDOW,
  TEXT,
  rawErrorFrame,
  rawFrame,
  rawPasteAccept,
} from '../../src/protocol/raw-repl-vocabulary.ts';
import type { Exchange } from './fixtures.ts';

/**
 * Scripted DEVICE sides for testing hosts of the raw REPL over any Duplex (an in-memory pair, a
 * pseudo-terminal, a TCP socket). `TranscriptPeer` replays a real capture byte for byte;
 * `ScriptedDevice` is a small model of the rp2 REPL's byte behaviour (micropython-facts.md §1)
 * whose code execution is scripted by the test. Neither runs Python.
 */

export const FRIENDLY_BANNER = `MicroPython v1.28.0 on 2026-04-06; Raspberry Pi Pico with RP2040\r\n${TEXT.FRIENDLY_BANNER_END}\r\n`;
const STDIN_TRACEBACK_KI = `Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\n${TEXT.KEYBOARD_INTERRUPT}`;

/**
 * Plays the device side of a transcript: checks each host byte against the capture and, when an
 * exchange's host bytes are complete, writes that exchange's device bytes. Records every chunk in
 * both directions, in the order they happened, for flow-control checks.
 */
export class TranscriptPeer {
  readonly log: Array<{ dir: 'host' | 'device'; bytes: Buffer }> = [];
  mismatch: string | undefined;
  private exchange = 0;
  private offset = 0;

  constructor(
    private readonly stream: Duplex,
    private readonly exchanges: Exchange[],
  ) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    this.answerEmptyExchanges();
  }

  /** Every host byte of the transcript has been received (and every answer sent). */
  get finished(): boolean {
    return this.exchange >= this.exchanges.length;
  }

  private onData(chunk: Buffer): void {
    this.log.push({ dir: 'host', bytes: Buffer.from(chunk) });
    for (const byte of chunk) {
      if (this.mismatch) return;
      const current = this.exchanges[this.exchange];
      if (!current) {
        this.mismatch = `unexpected extra host byte ${escapeBytes(Buffer.from([byte]))} after the transcript`;
        return;
      }
      const expected = current.host[this.offset]!;
      if (byte !== expected) {
        const seen = escapeBytes(current.host.subarray(0, this.offset), 40);
        this.mismatch =
          `exchange ${this.exchange}, host byte ${this.offset} (after "${seen}"): expected ` +
          `"${escapeBytes(Buffer.from([expected]))}", got "${escapeBytes(Buffer.from([byte]))}"`;
        return;
      }
      this.offset++;
      if (this.offset === current.host.length) {
        this.send(current.device);
        this.exchange++;
        this.offset = 0;
        this.answerEmptyExchanges();
      }
    }
  }

  private answerEmptyExchanges(): void {
    while (this.exchanges[this.exchange]?.host.length === 0) {
      this.send(this.exchanges[this.exchange]!.device);
      this.exchange++;
    }
  }

  private send(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.log.push({ dir: 'device', bytes });
    this.stream.write(bytes);
  }
}

/** What the scripted device does with one piece of code. */
export type ExecBehaviour =
  /** Print stdout, then the exception text (as the device prints it, `\r\n` lines), then the prompt. */
  | { stdout?: string; stderr?: string }
  /** Print stdout and keep running until Ctrl-C (KeyboardInterrupt) or `finishRunning()`. */
  | { hang: true; stdout?: string }
  /** Stop answering anything, for ever. */
  | { silent: true }
  /** Close the stream (the board was unplugged). */
  | { disconnect: true }
  /** Raise SystemExit: the frame closes, then the board soft-reboots. */
  | { sysExit: true; stdout?: string }
  /** Send these bytes instead of a well-formed answer (after any `OK`). */
  | { raw: Buffer };

export type ExecMode = 'raw-paste' | 'classic';

export interface ScriptedDeviceOptions {
  /** How the device answers `\x05A\x01` (default: supported, like v1.28.0). */
  rawPaste?: 'supported' | 'refused' | 'old-firmware';
  /** Raw-paste flow-control window (rp2: 128). */
  windowSize?: number;
  /** Where the board is when the host arrives (default: at the friendly prompt). */
  start?: 'friendly' | 'raw' | 'main-running';
  /** Printed by the running main.py as soon as the device is attached (stale text for the host). */
  mainOutput?: string;
  /** How many Ctrl-C it takes to stop main.py (it may catch KeyboardInterrupt); default 1. */
  interruptsToStopMain?: number;
  /** Printed by boot.py during a soft reboot. */
  bootOutput?: string;
  /** The `\x04` that acknowledges the end of a raw paste is lost on the way to the host. */
  losePasteEcho?: boolean;
  /** The first this many Ctrl-Ds at an empty raw prompt arrive damaged (as `D`): nothing reboots. */
  damagedSoftResets?: number;
  /** Printed between Ctrl-A and the raw banner (noise on the line). */
  noiseBeforeBanner?: string;
  /** Raw-paste: never grant a window after the first two (a wedged reader; Ctrl-C still works). */
  withholdGrants?: boolean;
  /** Raw-paste: after this many code bytes, stop reading with a SyntaxError (abrupt end). */
  abortPasteAfter?: number;
  /** What running the code does (default: prints nothing, succeeds). */
  run?: (code: string, mode: ExecMode) => ExecBehaviour;
  /** Delay every answer by this many ms (order kept), like a slow USB round trip. */
  latencyMs?: number;
  /** Cut each answer into several writes (default: one write). */
  chunk?: (bytes: Buffer) => Buffer[];
}

type DeviceMode = 'friendly' | 'raw' | 'paste' | 'paste-discard' | 'running' | 'main' | 'silent';

/**
 * A scripted rp2 REPL: friendly prompt, raw mode, raw-paste with a flow-control window, classic
 * raw exec, soft reboot, Ctrl-B. It counts what a host must never do (send beyond the granted
 * window) and records what it received and ran.
 */
export class ScriptedDevice {
  private readonly chunks: Buffer[] = [];
  /** Every byte the host sent. */
  get received(): Buffer {
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks));
    return this.chunks[0] ?? Buffer.alloc(0);
  }
  /** Code the device was asked to run, with the mode it arrived in. */
  readonly execs: Array<{ code: string; mode: ExecMode }> = [];
  /**
   * Code bytes that arrived beyond the windows the host could have known about (must stay 0): the
   * grant with the window size, its extra `\x01`, and every `\x01` sent before the chunk arrived.
   */
  flowViolations = 0;
  /** `banner`, `soft-reboot`, `grant`, `abort`… in the order they were sent. */
  readonly events: string[] = [];
  onEvent: ((event: string) => void) | undefined;

  private mode: DeviceMode;
  private line: number[] = [];
  private paste: number[] = [];
  private credit = 0;
  private grantedDuringChunk = 0;
  private sinceGrant = 0;
  private interruptsLeft: number;
  private damagedSoftResetsLeft: number;
  private readonly windowSize: number;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(
    private readonly stream: Duplex,
    private readonly options: ScriptedDeviceOptions = {},
  ) {
    this.windowSize = options.windowSize ?? RAW_PASTE_WINDOW;
    this.interruptsLeft = options.interruptsToStopMain ?? 1;
    this.damagedSoftResetsLeft = options.damagedSoftResets ?? 0;
    this.mode = options.start === 'main-running' ? 'main' : (options.start ?? 'friendly');
    stream.on('data', this.onData);
    if (this.mode === 'main' && options.mainOutput) this.send(options.mainOutput);
  }

  /** Write bytes now, outside the protocol (stale text, line noise). */
  sendNow(bytes: string | Buffer): void {
    this.stream.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** End a `hang` run normally: print more stdout and close the frame. */
  finishRunning(stdout = ''): void {
    if (this.mode !== 'running') throw new Error('the device is not running code');
    this.mode = 'raw';
    this.send(`${rawFrame(stdout)}${TEXT.RAW_PROMPT}`);
  }

  detach(): void {
    this.stream.off('data', this.onData);
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk));
    for (const byte of chunk) this.step(byte);
    // Grants sent while this chunk was read cannot have been seen by the host when it wrote the
    // chunk: they count only for later chunks.
    this.credit += this.grantedDuringChunk;
    this.grantedDuringChunk = 0;
  }

  private step(byte: number): void {
    switch (this.mode) {
      case 'friendly':
        return this.friendly(byte);
      case 'raw':
        return this.raw(byte);
      case 'paste':
        return this.pasteByte(byte);
      case 'paste-discard':
        if (byte === BYTE.CTRL_C || byte === BYTE.CTRL_D) {
          this.mode = 'raw';
          this.send(
            rawErrorFrame(
              'Traceback (most recent call last):\r\n  File "<stdin>", line 1\r\nSyntaxError: invalid syntax\r\n',
            ),
          );
        }
        return;
      case 'running':
        if (byte === BYTE.CTRL_C) {
          this.mode = 'raw';
          this.send(rawErrorFrame(STDIN_TRACEBACK_KI));
        }
        return;
      case 'main':
        if (byte === BYTE.CTRL_C && --this.interruptsLeft <= 0) {
          this.mode = 'friendly';
          this.send(
            'Traceback (most recent call last):\r\n  File "main.py", line 4, in <module>\r\n' +
              TEXT.KEYBOARD_INTERRUPT +
              FRIENDLY_BANNER +
              TEXT.FRIENDLY_PROMPT,
          );
        } else if (byte === BYTE.CTRL_C) this.send('main.py: caught KeyboardInterrupt, carrying on\r\n');
        return;
      case 'silent':
        return;
    }
  }

  private friendly(byte: number): void {
    const empty = this.line.length === 0;
    if (byte === 0x0d) {
      this.line = [];
      this.send(`\r\n${TEXT.FRIENDLY_PROMPT}`);
    } else if (byte === BYTE.CTRL_A && empty) {
      this.mode = 'raw';
      this.send('\r\n');
      this.rawBanner();
    } else if (byte === BYTE.CTRL_B && empty) {
      this.send(`\r\n${FRIENDLY_BANNER}${TEXT.FRIENDLY_PROMPT}`);
    } else if (byte === BYTE.CTRL_C) {
      this.line = [];
      this.send(`\r\n${TEXT.FRIENDLY_PROMPT}`);
    } else if (byte === BYTE.CTRL_D && empty) {
      this.send(
        `\r\n${TEXT.MPY_SOFT_REBOOT}${this.options.bootOutput ?? ''}${FRIENDLY_BANNER}${TEXT.FRIENDLY_PROMPT}`,
      );
    } else if (byte >= 0x20) {
      this.line.push(byte);
      this.sendNow(Buffer.from([byte]));
    }
  }

  private raw(byte: number): void {
    if (byte === BYTE.CTRL_A) {
      // Ctrl-E + one command byte, then Ctrl-A: a raw-paste request (old firmware just resets).
      const [first, command] = this.line;
      const request =
        this.line.length === 2 && first === BYTE.CTRL_E && this.options.rawPaste !== 'old-firmware';
      this.line = [];
      return request ? this.startPaste(command!) : this.rawBanner();
    }
    if (byte === BYTE.CTRL_B) {
      this.line = [];
      this.mode = 'friendly';
      return this.send(`\r\n${FRIENDLY_BANNER}${TEXT.FRIENDLY_PROMPT}`);
    }
    if (byte === BYTE.CTRL_C) {
      this.line = [];
      return;
    }
    if (byte === BYTE.CTRL_D && this.line.length === 0 && this.damagedSoftResetsLeft > 0) {
      this.damagedSoftResetsLeft--;
      this.line.push(0x44);
      return;
    }
    if (byte === BYTE.CTRL_D) {
      const code = Buffer.from(this.line).toString('utf8');
      this.line = [];
      if (code === '') {
        this.send(`${TEXT.OK}\r\n`);
        return this.softReboot();
      }
      this.send(TEXT.OK);
      return this.run(code, 'classic');
    }
    this.line.push(byte);
  }

  private startPaste(command: number): void {
    if (command !== BYTE.RAW_PASTE_COMMAND || this.options.rawPaste === 'refused') {
      this.send(`${TEXT.RAW_PASTE_REFUSED}${TEXT.RAW_PROMPT}`);
      return;
    }
    const grant = rawPasteAccept(this.windowSize);
    this.mode = 'paste';
    this.paste = [];
    this.credit = 2 * this.windowSize;
    this.grantedDuringChunk = 0;
    this.sinceGrant = 0;
    this.send(grant);
  }

  private pasteByte(byte: number): void {
    if (byte === BYTE.CTRL_D) {
      if (!this.options.losePasteEcho) this.send(RAW_PASTE_END);
      return this.run(Buffer.from(this.paste).toString('utf8'), 'raw-paste');
    }
    if (byte === BYTE.CTRL_C) {
      this.mode = 'raw';
      this.send(Buffer.concat([RAW_PASTE_END, rawErrorFrame(TEXT.KEYBOARD_INTERRUPT)]));
      return;
    }
    this.credit--;
    if (this.credit < 0) this.flowViolations++;
    this.paste.push(byte);
    if (this.paste.length === this.options.abortPasteAfter) {
      this.mode = 'paste-discard';
      this.send(RAW_PASTE_END, 'abort');
      return;
    }
    if (++this.sinceGrant === this.windowSize && !this.options.withholdGrants) {
      this.sinceGrant = 0;
      this.grantedDuringChunk += this.windowSize;
      this.send(RAW_PASTE_GRANT, 'grant');
    }
  }

  private run(code: string, mode: ExecMode): void {
    this.execs.push({ code, mode });
    this.mode = 'raw';
    const behaviour = this.options.run?.(code, mode) ?? {};
    if ('hang' in behaviour) {
      this.mode = 'running';
      this.send(behaviour.stdout ?? '');
    } else if ('silent' in behaviour) {
      this.mode = 'silent';
    } else if ('disconnect' in behaviour) {
      this.stream.destroy();
    } else if ('sysExit' in behaviour) {
      this.send(rawFrame(behaviour.stdout ?? ''));
      this.softReboot();
    } else if ('raw' in behaviour) {
      this.send(behaviour.raw);
    } else {
      this.send(`${rawFrame(behaviour.stdout ?? '', behaviour.stderr ?? '')}${TEXT.RAW_PROMPT}`);
    }
  }

  /** main() prints `MPY: soft reboot`, boot.py runs, and raw mode survives (main.py is skipped). */
  private softReboot(): void {
    this.send(`${TEXT.MPY_SOFT_REBOOT}${this.options.bootOutput ?? ''}`, 'soft-reboot');
    this.rawBanner();
  }

  private rawBanner(): void {
    if (this.options.noiseBeforeBanner) this.send(this.options.noiseBeforeBanner);
    this.send(TEXT.RAW_BANNER_PROMPT, 'banner');
  }

  private event(name: string): void {
    this.events.push(name);
    this.onEvent?.(name);
  }

  /** Write an answer (after the configured latency); `event` is recorded when it actually goes out. */
  private send(data: string | Buffer, event?: string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length === 0) return;
    const write = () => {
      if (this.stream.destroyed) return;
      if (event) this.event(event);
      for (const piece of this.options.chunk?.(bytes) ?? [bytes]) this.stream.write(piece);
    };
    if (this.options.latencyMs) setTimeout(write, this.options.latencyMs);
    else write();
  }
}
