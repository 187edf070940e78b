import { PassThrough } from 'node:stream';
import { ReadlineParser } from '@serialport/parser-readline';
import { decodeEntries, gcFreeBytes, maxFreeBlocks, readProbeLine } from './probe-lines.ts';
import type { ResultRecord } from './results-records.ts';

/**
 * The program's stdout, as it streams from the device, turned into result records one line at a
 * time. Here the samples really are lines (the probe prints one per flush chunk while the program
 * runs, and the exec's frame closes only when it ends), so `@serialport/parser-readline` splits
 * them: a Transform over the text, holding a partial line until its `\n` comes.
 *
 * The stub's own markers (`@picogc+`, `@picogc. N`, `@picogc!`) are protocol, not output, and are
 * dropped; a data line that fails its CRC, framing or shape is recorded as damaged (its samples are
 * missing, and the report counts them); everything else is the program's log.
 */
export class ProbeStream {
  readonly #input = new PassThrough({ encoding: 'utf8' });
  readonly #lines = new ReadlineParser({ delimiter: '\n', encoding: 'utf8' });
  /** A free-run probe line arrived: mem_info()'s text follows it. */
  #probe: { t: number; freeBytes?: number } | undefined;
  #dataLines = 0;
  #done: Promise<void>;

  constructor(private readonly emit: (record: ResultRecord) => void) {
    this.#input.pipe(this.#lines);
    this.#lines.on('data', (line: string) => this.#line(line));
    this.#done = new Promise((resolve) => this.#lines.on('end', resolve));
  }

  /** Text as the device sent it (UTF-8 decoded). */
  write(text: string): void {
    this.#input.write(text);
  }

  /** The output has ended: a last line without its `\n` is read too. */
  async end(): Promise<void> {
    this.#input.end();
    await this.#done;
  }

  /** Data lines read whole so far. */
  get dataLines(): number {
    return this.#dataLines;
  }

  #line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (/^@picogc[+.!]/.test(line)) return;
    if (this.#probe && this.#freeRunLine(line)) return;
    const read = readProbeLine(line);
    if (read.kind === 'log') {
      if (line !== '') this.emit({ type: 'log', text: line });
      return;
    }
    if (read.kind === 'damaged') {
      this.emit({ type: 'damaged', why: read.why });
      return;
    }
    this.#dataLines++;
    const body = read.body;
    switch (body.k) {
      case 'pb': {
        const { k: _k, ...rest } = body;
        this.emit({ type: 'begin', ...rest });
        return;
      }
      case 'ps':
        this.emit({
          type: 'samples',
          n: body.n,
          entries: decodeEntries(body.h).map((e) => [e.code, e.t, e.v] as [number, number, number]),
        });
        return;
      case 'pm':
        this.emit({ type: 'mark', id: body.id, name: body.name });
        return;
      case 'pf':
        this.#probe = { t: body.t };
        return;
      case 'pe': {
        const { k: _k, ...rest } = body;
        this.emit({ type: 'end', ...rest });
        return;
      }
    }
  }

  /** mem_info()'s lines after a free-run probe: its free bytes, then the longest free run. */
  #freeRunLine(line: string): boolean {
    const probe = this.#probe!;
    if (line.startsWith('stack: ')) return true;
    const free = gcFreeBytes(line);
    if (free !== undefined) {
      probe.freeBytes = free;
      return true;
    }
    const blocks = maxFreeBlocks(line);
    this.#probe = undefined;
    if (blocks === undefined) return false;
    this.emit({
      type: 'free-run',
      t: probe.t,
      maxFreeBlocks: blocks,
      ...(probe.freeBytes !== undefined ? { freeBytes: probe.freeBytes } : {}),
    });
    return true;
  }
}
