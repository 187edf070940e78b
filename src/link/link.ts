import type { Duplex } from 'node:stream';

/** A byte link to a board: what the raw-REPL client talks through. */
export interface Link {
  /** Bytes to and from the board. */
  readonly stream: Duplex;
  /** e.g. `/dev/ttyACM0` or `tcp://127.0.0.1:3333`. */
  readonly description: string;
  /** USB serial number when known (finds the board again after it re-enumerates). */
  readonly serialNumber?: string;
  /** Resolves only once the port is fully released (a new open right after will not find it locked). */
  close(): Promise<void>;
}
