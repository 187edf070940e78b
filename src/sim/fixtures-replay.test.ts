import { afterEach, describe, expect, it } from 'vitest';
import { loadTranscript, type TranscriptName } from '../../test/support/fixtures.ts';
import { LinkReader } from './link-reader.ts';
import { VirtualPico } from './virtual-pico.ts';

/**
 * The host bytes of each real-Pico transcript (MicroPython v1.28.0, RPI_PICO) are replayed into the
 * virtual Pico, and its answers are held against the Pico's, byte for byte after normalising only
 * what must differ:
 * - the banner line: version, build date and machine name (the VM is v1.27.0 webassembly and says
 *   it is the picogc virtual Pico);
 * - mem_info figures: `stack: N out of M` (the VM has a 32 KiB C stack and its own frames), used/free
 *   and the block statistics (different heap contents), and the VM's extra `, max new split: N`
 *   (its heap can grow);
 * - memory-error only: a Pico cannot allocate 400000 bytes, the VM grows its heap and succeeds, so
 *   that execution answers a success frame, the later GC total includes the added area, and the heap
 *   map shows it (each map line is still checked for the Pico's format).
 */

const LIMIT_MS = 15_000;
let pico: VirtualPico | undefined;

afterEach(async () => {
  await pico?.close();
  pico = undefined;
});

const BANNER_LINE = /MicroPython \S+ on \S+; [^\r]*/g;

function normaliseBanner(text: string): string {
  return text.replace(BANNER_LINE, 'MicroPython <version> on <date>; <machine>');
}

function normaliseMemInfo(text: string, keepTotal: boolean): string {
  return text
    .replace(/stack: \d+ out of \d+/g, 'stack: <n> out of <limit>')
    .replace(
      /GC: total: (\d+), used: \d+, free: \d+(?:, max new split: \d+)?/g,
      (_, total: string) => `GC: total: ${keepTotal ? total : '<total>'}, used: <n>, free: <n>`,
    )
    .replace(
      / No\. of 1-blocks: \d+, 2-blocks: \d+, max blk sz: \d+, max free sz: \d+/g,
      ' No. of 1-blocks: <n>, 2-blocks: <n>, max blk sz: <n>, max free sz: <n>',
    );
}

const MAP_LINE = /^(?:[0-9a-f]{8}: [.=a-zA-Z]{1,64}| {7}\(\d+ lines all free\))$/;

/** Check every heap-map line for the Pico's format, then fold each area's map into one placeholder. */
function normaliseHeapMaps(text: string): string {
  return text.replace(
    /GC memory layout; from [0-9a-f]+:\r\n((?:.*\r\n)*?)(?=GC memory layout|\x04)/g,
    (_, body: string) => {
      const lines = body.split('\r\n').slice(0, -1);
      for (const line of lines) expect(line, 'heap map line').toMatch(MAP_LINE);
      expect(lines.length).toBeGreaterThan(0);
      return '<heap map>';
    },
  );
}

/** Read until the device's answer ends the way the Pico's did (same final two bytes, as often). */
async function readAnswer(reader: LinkReader, expected: Buffer): Promise<Buffer> {
  const end = expected.subarray(-2);
  let count = 0;
  for (let at = expected.indexOf(end); at >= 0; at = expected.indexOf(end, at + 1)) count++;
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) parts.push(await reader.until(end, LIMIT_MS));
  return Buffer.concat(parts);
}

/**
 * `differs` gives, by exchange index, what the VM must answer where a Pico's answer cannot apply;
 * every other answer must equal the Pico's after `normalise`.
 */
async function replay(
  name: TranscriptName,
  normalise: (text: string) => string,
  differs: ReadonlyMap<number, string> = new Map(),
): Promise<void> {
  // A long grace: this replay must see the VM's own KeyboardInterrupt, not the reset fallback.
  pico = await VirtualPico.start({ interruptGraceMs: 10_000 });
  const reader = new LinkReader(pico.link);
  const banner = (await reader.until('>>> ', LIMIT_MS)).toString('latin1');
  expect(banner).toMatch(
    /^MicroPython v1\.27\.0 on \S+; picogc virtual Pico with webassembly-pyscript VM\r\n/,
  );
  const exchanges = loadTranscript(name);
  for (const [index, exchange] of exchanges.entries()) {
    pico.link.write(exchange.host);
    const vmAnswer = differs.get(index);
    const answer = await readAnswer(
      reader,
      vmAnswer === undefined ? exchange.device : Buffer.from(vmAnswer, 'latin1'),
    );
    const expected = vmAnswer ?? normalise(exchange.device.toString('latin1'));
    expect(
      vmAnswer === undefined ? normalise(answer.toString('latin1')) : answer.toString('latin1'),
      `exchange ${index}`,
    ).toBe(expected);
  }
  expect(pico.resets).toBe(0);
}

describe('virtual Pico answers the host bytes of real-Pico transcripts', () => {
  it('raw-repl-classic: raw mode, print, a traceback, mem_info, back to friendly', async () => {
    await replay('raw-repl-classic', (text) => normaliseMemInfo(normaliseBanner(text), true));
  });

  it('raw-paste: handshake, 31 window refills, the frame without OK', async () => {
    await replay('raw-paste', normaliseBanner);
  });

  it('soft-reset: OK, MPY: soft reboot, the raw prompt again', async () => {
    await replay('soft-reset', normaliseBanner);
  });

  it('interrupt: Ctrl-C of an endless loop gives the KeyboardInterrupt frame at the same line', async () => {
    await replay('interrupt', normaliseBanner);
  });

  it('memory-error: the VM grows its heap where a Pico raises MemoryError (a declared difference)', async () => {
    const exchanges = loadTranscript('memory-error');
    expect(exchanges[2]!.device.toString('latin1')).toContain(
      'MemoryError: memory allocation failed, allocating 400000 bytes',
    );
    let grownTotal = 0;
    let maxAreas = 0;
    await replay(
      'memory-error',
      (text) => {
        const total = /GC: total: (\d+)/.exec(text);
        if (total && Number(total[1]) !== 245888) grownTotal = Number(total[1]);
        const folded = normaliseHeapMaps(normaliseMemInfo(normaliseBanner(text), false));
        const areas = folded.match(/(?:<heap map>)+/)?.[0].length;
        if (areas !== undefined) maxAreas = Math.max(maxAreas, areas / '<heap map>'.length);
        return folded.replace(/(?:<heap map>)+/, '<heap map>');
      },
      new Map([[2, 'OK\x04\x04>']]),
    );
    // The first area is a Pico's 245888 bytes; the area added for the bytearray holds its 400000.
    expect(grownTotal).toBeGreaterThan(245888 + 400000);
    expect(maxAreas).toBe(2);
  });
});
