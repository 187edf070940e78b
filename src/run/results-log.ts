import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/**
 * results.jsonl: one JSON object a line, appended and flushed to the disk as each sample arrives,
 * so a crash or a SIGKILL loses nothing already measured. Synchronous on purpose: when `append`
 * returns, the line is on disk.
 */
export class ResultsLog {
  #fd: number | undefined;

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'a');
  }

  append(record: object): void {
    if (this.#fd === undefined) throw new Error(`results log ${this.path} is closed`);
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
