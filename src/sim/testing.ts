import type { Duplex } from 'node:stream';
import { ProtocolError, escapeBytes } from '../errors.ts';
import {
  BYTE,
  CTRL_D,
  ENTER_RAW_LINE,
  INTERRUPT_LINE,
  OK,
  RAW_BANNER_PROMPT,
  RAW_PASTE_ACCEPTED,
  RAW_PASTE_END,
  RAW_PASTE_REQUEST,
} from '../protocol/raw-repl-vocabulary.ts';
import { LinkReader } from './link-reader.ts';
import { VirtualPico, type VirtualPicoOptions } from './virtual-pico.ts';

/**
 * The host side of a Pico's raw REPL, driven byte by byte, for the virtual Pico's own tests. (The
 * project's REPL client lives in src/repl/; these tests must not depend on it, only on the
 * vocabulary both share.) Follows tools/pyboard.py and mpremote: enter with `\r\x03` + `\r\x01`,
 * classic exec waits for `OK`, raw-paste honours the device's flow-control window.
 */

export interface Frame {
  stdout: string;
  stderr: string;
}

export class ReplDriver {
  readonly reader: LinkReader;

  constructor(
    private readonly link: Duplex,
    private readonly limitMs = 10_000,
  ) {
    this.reader = new LinkReader(link);
  }

  write(bytes: string | Buffer): void {
    this.link.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  async until(marker: string | Buffer, limitMs = this.limitMs): Promise<string> {
    return (await this.reader.until(marker, limitMs)).toString('latin1');
  }

  async enterRaw(): Promise<void> {
    this.write(INTERRUPT_LINE);
    await this.reader.settle(50, this.limitMs);
    this.write(ENTER_RAW_LINE);
    await this.until(RAW_BANNER_PROMPT);
  }

  /** Classic raw exec: the code, Ctrl-D, `OK`, then the frame. */
  async exec(code: string): Promise<Frame> {
    this.write(Buffer.concat([Buffer.from(code, 'latin1'), CTRL_D]));
    const ok = await this.reader.bytes(OK.length, this.limitMs, 'OK');
    if (!ok.equals(OK)) throw new ProtocolError('expected OK', escapeBytes(ok));
    return this.follow();
  }

  /** Raw-paste exec as mpremote does it; returns the frame and the flow-control bytes seen. */
  async execPaste(code: string): Promise<Frame & { windowRefills: number; window: number }> {
    this.write(RAW_PASTE_REQUEST);
    const header = await this.reader.bytes(RAW_PASTE_ACCEPTED.length, this.limitMs, 'raw-paste header');
    if (!header.equals(RAW_PASTE_ACCEPTED)) throw new ProtocolError('raw-paste refused', escapeBytes(header));
    const window = (await this.reader.bytes(2, this.limitMs, 'raw-paste window')).readUInt16LE(0);
    const data = Buffer.from(code, 'latin1');
    let remaining = window;
    let refills = 0;
    for (let sent = 0; sent < data.length;) {
      while (remaining === 0 || this.reader.pending.length > 0) {
        const byte = (await this.reader.bytes(1, this.limitMs, 'raw-paste flow control'))[0];
        if (byte === BYTE.CTRL_A) {
          remaining += window;
          refills++;
        } else {
          throw new ProtocolError('unexpected byte during raw-paste', escapeBytes(Buffer.from([byte ?? 0])));
        }
      }
      const piece = data.subarray(sent, sent + remaining);
      this.write(piece);
      sent += piece.length;
      remaining -= piece.length;
    }
    this.write(RAW_PASTE_END);
    // Refills still in flight, then the device's echo of the end.
    for (;;) {
      const byte = (await this.reader.bytes(1, this.limitMs, 'raw-paste end'))[0];
      if (byte === BYTE.CTRL_D) break;
      if (byte !== BYTE.CTRL_A)
        throw new ProtocolError('unexpected byte after raw-paste', escapeBytes(Buffer.from([byte ?? 0])));
      refills++;
    }
    return { ...(await this.follow()), windowRefills: refills, window };
  }

  /** `stdout \x04 stderr \x04 >` */
  async follow(): Promise<Frame> {
    const stdout = (await this.until(CTRL_D)).slice(0, -1);
    const stderr = (await this.until(CTRL_D)).slice(0, -1);
    const prompt = await this.reader.bytes(1, this.limitMs, 'raw prompt');
    if (prompt[0] !== BYTE.PROMPT) throw new ProtocolError('expected >', escapeBytes(prompt));
    return { stdout, stderr };
  }

  /** Exec that must succeed; returns stdout with CRLF. */
  async run(code: string): Promise<string> {
    const frame = await this.exec(code);
    if (frame.stderr !== '') throw new Error(`device raised: ${frame.stderr}`);
    return frame.stdout;
  }
}

/**
 * The virtual Picos a test file starts, each handed over at the raw REPL's prompt; the file closes
 * them all after each test (`afterEach(() => picos.closeAll())`).
 */
export class StartedPicos {
  private readonly started: VirtualPico[] = [];

  async rawRepl(options: VirtualPicoOptions = {}): Promise<ReplDriver> {
    const pico = await VirtualPico.start(options);
    this.started.push(pico);
    const repl = new ReplDriver(pico.link);
    await repl.until('>>> ');
    await repl.enterRaw();
    return repl;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map((pico) => pico.close()));
  }
}
