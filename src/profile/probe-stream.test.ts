import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeEntries, readProbeLine } from './probe-lines.ts';
import { ProbeStream } from './probe-stream.ts';
import type { ResultRecord } from './results-records.ts';

/** A data line as the probe prints it. */
function line(seq: number, body: string): string {
  return `@picogc ${seq}.0/1 ${crc32(Buffer.from(body)).toString(16).padStart(8, '0')} ${body}\r\n`;
}

/** Entries as the ring's bytes in hex (int32 little-endian triples). */
function hexOf(entries: [number, number, number][]): string {
  const b = Buffer.alloc(entries.length * 12);
  entries.forEach(([c, t, v], i) => {
    b.writeInt32LE(c, i * 12);
    b.writeInt32LE(t, i * 12 + 4);
    b.writeInt32LE(v, i * 12 + 8);
  });
  return b.toString('hex');
}

describe('a probe line', () => {
  it('is data only when its CRC, framing and shape hold', () => {
    const body = '{"k":"pm","id":0,"name":"control"}';
    expect(readProbeLine(line(3, body).trimEnd())).toEqual({
      kind: 'data',
      seq: 3,
      body: { k: 'pm', id: 0, name: 'control' },
    });
    expect(readProbeLine(line(3, body).replace('control', 'contro1').trimEnd())).toEqual({
      kind: 'damaged',
      why: 'CRC-32 mismatch',
    });
    expect(readProbeLine(line(3, '{"k":"pm","id":-1,"name":"x"}').trimEnd()).kind).toBe('damaged');
    expect(readProbeLine(line(3, '{"k":"eval","code":"x"}').trimEnd()).kind).toBe('damaged');
    expect(readProbeLine('temperature 21.5')).toEqual({ kind: 'log', text: 'temperature 21.5' });
  });

  it('decodes the ring’s int32 triples', () => {
    expect(
      decodeEntries(
        hexOf([
          [0, 10_000, -1],
          [17, 123_456, 98_765],
        ]),
      ),
    ).toEqual([
      { code: 0, t: 10_000, v: -1 },
      { code: 17, t: 123_456, v: 98_765 },
    ]);
  });
});

describe('the probe’s output as a stream', () => {
  it('reads lines split anywhere across chunks, drops the stub’s markers, keeps the program’s text', async () => {
    const records: ResultRecord[] = [];
    const stream = new ProbeStream((r) => records.push(r));
    const text =
      '@picogc+\r\n' +
      line(0, '{"k":"pm","id":0,"name":"loop"}') +
      'reading 1\r\n' +
      line(
        1,
        `{"k":"ps","n":0,"h":"${hexOf([
          [16, 5, 100],
          [0, 10_000, 164],
        ])}"}`,
      ) +
      line(2, '{"k":"pf","t":20000}') +
      'stack: 532 out of 7936\r\nGC: total: 245888, used: 5000, free: 240888\r\n' +
      ' No. of 1-blocks: 40, 2-blocks: 5, max blk sz: 40, max free sz: 14800\r\n' +
      line(3, '{"k":"pm","id":1,"name":"x"}').replace('"x"', '"y"') +
      '@picogc. 0\r\n';
    // Byte-sized pieces: a line is read only once its \n has come.
    for (let i = 0; i < text.length; i += 7) stream.write(text.slice(i, i + 7));
    await stream.end();
    expect(records).toEqual([
      { type: 'mark', id: 0, name: 'loop' },
      { type: 'log', text: 'reading 1' },
      {
        type: 'samples',
        n: 0,
        entries: [
          [16, 5, 100],
          [0, 10_000, 164],
        ],
      },
      { type: 'free-run', t: 20_000, maxFreeBlocks: 14_800, freeBytes: 240_888 },
      { type: 'damaged', why: 'CRC-32 mismatch' },
    ]);
    expect(stream.dataLines).toBe(3);
  });

  it('reads a last line that never got its line break', async () => {
    const records: ResultRecord[] = [];
    const stream = new ProbeStream((r) => records.push(r));
    stream.write('Traceback (most recent call last):\r\nValueError: boom');
    await stream.end();
    expect(records.map((r) => (r.type === 'log' ? r.text : r.type))).toEqual([
      'Traceback (most recent call last):',
      'ValueError: boom',
    ]);
  });
});
