import { InputError } from '../errors.ts';

export type Uf2ErrorReason =
  | 'not-uf2'
  | 'too-large'
  | 'truncated'
  | 'bad-magic'
  | 'bad-payload-size'
  | 'unsupported-block'
  | 'wrong-family'
  | 'ambiguous-family'
  | 'block-count-mismatch'
  | 'out-of-order'
  | 'missing-block'
  | 'address-outside-flash'
  | 'misaligned-address'
  | 'overlapping-blocks';

/** A UF2 file that a Pico's boot ROM would reject or only half-write. Exit code 2, like any bad input. */
export class Uf2Error extends InputError {
  constructor(
    readonly reason: Uf2ErrorReason,
    detail: string,
    /** Index of the offending 512-byte block in the file (0-based), when one block is to blame. */
    readonly blockIndex?: number,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}${reason}: ${detail}`);
  }
}

/** Throws the `Uf2Error` for one problem of one file. */
export type Fail = (reason: Uf2ErrorReason, detail: string, index?: number) => never;

/** The `Fail` of the file named `source` (a name for messages, usually its path). */
export function failFor(source: string | undefined): Fail {
  return (reason, detail, index) => {
    throw new Uf2Error(reason, detail, index, source);
  };
}
