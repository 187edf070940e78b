import { CrlfCooker, rewriteBanner } from './repl-text.ts';

/**
 * What the VM prints, on its way to the serial port: cooked to a Pico's CRLF, without the `OK` of
 * the VM's classic raw REPL where a Pico's raw-paste has none, and a Ctrl-B banner held back until
 * complete so it can name a Pico.
 */
export class VmOutput {
  private readonly cooker = new CrlfCooker();
  /** Leading `OK` bytes still to be removed. */
  private dropOk = 0;
  private held: Buffer[] | undefined;
  /** Last bytes the VM printed, to see whether a friendly Ctrl-A entered raw mode. */
  private recent = '';

  constructor(private readonly write: (data: Buffer) => void) {}

  /** A new input is fed: forget the last one's output; hold this one's if it leaves for a banner. */
  startFeed(options: { holdBanner: boolean }): void {
    if (options.holdBanner) this.held = [];
    this.recent = '';
  }

  /** The next output begins with the classic raw REPL's `OK`, which a Pico's raw-paste lacks. */
  dropLeadingOk(drop: boolean): void {
    this.dropOk = drop ? 2 : 0;
  }

  /** Whether the output of this feed so far ends with `text`. */
  endsWith(text: string): boolean {
    return this.recent.endsWith(text);
  }

  fromVm(chunk: Buffer): void {
    this.recent = (this.recent + chunk.toString('latin1')).slice(-64);
    let data = chunk;
    while (this.dropOk > 0 && data.length > 0) {
      data = data.subarray(1);
      this.dropOk--;
    }
    if (data.length === 0) return;
    if (this.held) this.held.push(data);
    else this.write(this.cooker.cook(data));
  }

  /** The feed is over: what was held goes out, its banner renamed. */
  flushHeld(): void {
    const held = this.held;
    this.held = undefined;
    if (!held || held.length === 0) return;
    const text = rewriteBanner(Buffer.concat(held).toString('latin1'));
    this.write(this.cooker.cook(Buffer.from(text, 'latin1')));
  }

  /** The VM is gone: what it printed last is lost with it. */
  discard(): void {
    this.held = undefined;
    this.dropOk = 0;
  }
}
