import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Real output of MicroPython v1.28.0 (RPI_PICO) over its USB-CDC REPL (test/fixtures/README.md),
 * kept in the repository byte for byte (.gitattributes: -text) so a clean clone carries it. Tests
 * of the REPL client, the virtual Pico's server and the mem_info parser hold themselves against
 * these bytes.
 */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/rp2-v1.28.0/', import.meta.url));

export type TranscriptName = 'raw-repl-classic' | 'raw-paste' | 'soft-reset' | 'interrupt' | 'memory-error';

const transcriptSchema = z.object({
  scenario: z.string(),
  note: z.string(),
  events: z.array(z.object({ dir: z.enum(['host', 'device']), bytes: z.string() })),
});

/** One exchange: what the host wrote (all writes since the device last spoke), then what the device answered. */
export interface Exchange {
  host: Buffer;
  device: Buffer;
}

/**
 * A transcript as alternating exchanges. Consecutive events of one direction are concatenated: the
 * capture's chunk boundaries carry no meaning (fixtures README).
 */
export function loadTranscript(name: TranscriptName): Exchange[] {
  const raw = transcriptSchema.parse(
    JSON.parse(readFileSync(`${FIXTURES_DIR}transcripts/${name}.json`, 'utf8')),
  );
  const exchanges: Exchange[] = [];
  let current: { host: string; device: string } = { host: '', device: '' };
  for (const event of raw.events) {
    if (event.dir === 'host' && current.device !== '') {
      exchanges.push(toBuffers(current));
      current = { host: '', device: '' };
    }
    current[event.dir] += event.bytes;
  }
  exchanges.push(toBuffers(current));
  return exchanges;
}

function toBuffers(e: { host: string; device: string }): Exchange {
  return { host: Buffer.from(e.host, 'latin1'), device: Buffer.from(e.device, 'latin1') };
}

export type MemInfoFixture =
  'mem_info1-boot' | 'mem_info1-2000-bytearray48' | 'mem_info1-fragmented' | 'mem_info1-map-and-probe';

/** A `micropython.mem_info(1)` dump as the device printed it (CRLF line ends kept). */
export function loadMemInfo(name: MemInfoFixture): string {
  return readFileSync(`${FIXTURES_DIR}${name}.txt`, 'latin1');
}
