import {
  BYTE,
  RAW_PASTE_END,
  RAW_PASTE_GRANT,
  RAW_PASTE_WINDOW,
  TEXT,
  rawErrorFrame,
  rawPasteAccept,
} from '../protocol/raw-repl-vocabulary.ts';

/**
 * The device side of one raw-paste transfer, as a Pico's `pyexec_raw_repl_process_char` does it:
 * accept with the window size, grant another window each time one has arrived, answer Ctrl-D
 * (end) and Ctrl-C (abort, with a KeyboardInterrupt frame) with `\x04`.
 */
export class RawPasteReceiver {
  private readonly bytes: number[] = [];
  private sinceGrant = 0;

  constructor(private readonly write: (bytes: Buffer) => void) {
    write(rawPasteAccept(RAW_PASTE_WINDOW));
  }

  /**
   * The whole source as input to the VM's classic raw REPL, or undefined (and an error frame sent)
   * when it holds bytes that REPL would take as commands.
   */
  vmInput(): Buffer | undefined {
    if (this.bytes.some((byte) => byte === BYTE.CTRL_A || byte === BYTE.CTRL_B)) {
      this.write(
        rawErrorFrame(
          'ValueError: picogc virtual Pico: raw-paste source with bytes 0x01/0x02 cannot reach its VM\r\n',
        ),
      );
      return undefined;
    }
    // An empty source would be an empty raw line, which the VM takes as a soft reset.
    return Buffer.from(this.bytes.length > 0 ? [...this.bytes, BYTE.CTRL_D] : [0x0a, BYTE.CTRL_D]);
  }

  take(byte: number): 'more' | 'end' | 'aborted' {
    if (byte === BYTE.CTRL_D) {
      this.write(RAW_PASTE_END);
      return 'end';
    }
    if (byte === BYTE.CTRL_C) {
      this.write(RAW_PASTE_END);
      this.write(rawErrorFrame(TEXT.KEYBOARD_INTERRUPT));
      return 'aborted';
    }
    this.bytes.push(byte);
    if (++this.sinceGrant === RAW_PASTE_WINDOW) {
      this.sinceGrant = 0;
      this.write(RAW_PASTE_GRANT);
    }
    return 'more';
  }
}
