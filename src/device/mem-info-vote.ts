import { memInfoProblem } from './mem-info-check.ts';

/**
 * A heap map put together from several copies printed by one exec (issue 16). The firmware prints
 * `micropython.mem_info(1)` itself, so no CRC covers it, and an 18 KB map rarely crosses a noisy
 * link whole. Copies from two execs cannot be mixed: each exec's own compilation leaves garbage,
 * so every exec sees another heap (on a board and on the virtual Pico alike). Copies printed one
 * after another by the same exec, with nothing allocated between them, are one snapshot: there a
 * line damaged in one copy is taken from another.
 */

/** Copies one asking-again prints: three statements, no loop, so nothing is allocated between them. */
export const MAP_COPIES = 3;

/** The code that prints `MAP_COPIES` copies of one snapshot. */
export function memInfoCopiesCode(call: string): string {
  return ['import micropython', ...Array.from({ length: MAP_COPIES }, () => call)].join('\n');
}

const HEADERS: [key: string, shape: RegExp][] = [
  ['mem', /^mem: total=\d+, current=\d+, peak=\d+$/],
  ['stack', /^stack: \d+(?: out of \d+)?$/],
  ['gc', /^GC: total: \d+, used: \d+, free: \d+(?:, max new split: \d+)?$/],
  ['counts', /^ No\. of 1-blocks: \d+, 2-blocks: \d+, max blk sz: \d+, max free sz: \d+$/],
];
const AREA = /^GC memory layout; from [0-9a-f]+:$/;
const MAP_LINE = /^([0-9a-f]{8,}): [.=mTLDSAFBMh]{1,64}$/;
const FREE_LINES = /^ {7}\(\d+ lines all free\)$/;
/** A damaged line that still begins like a map line or a free-lines note, not like a header. */
const LOOKS_LIKE_MAP_LINE = /^[0-9a-f]{4}|^ {4}/;

/** A line's place in the dump: the header it is, or its area and the map line it follows. */
interface Placed {
  key: string;
  /** Sort order inside the dump: headers first, then areas in the order printed, then offsets. */
  area: number;
  offset: number;
  /** Free-lines notes sort after the map line they follow. */
  half: number;
}

/**
 * Every line whose place is certain, with its text. Damage can hide a line's place (a mangled
 * offset or header): such a line, and a free-lines note after it, is left out, never guessed.
 */
function placedLines(stdout: string): { place: Placed; text: string }[] {
  const out: { place: Placed; text: string }[] = [];
  const areas: string[] = [];
  let area: number | undefined;
  let lastOffset: number | undefined;
  for (const raw of stdout.split('\n')) {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const header = HEADERS.find(([, shape]) => shape.test(text));
    if (header) {
      out.push({ place: { key: header[0], area: -1, offset: HEADERS.indexOf(header), half: 0 }, text });
      area = undefined;
      continue;
    }
    if (AREA.test(text)) {
      if (!areas.includes(text)) areas.push(text);
      area = areas.indexOf(text);
      lastOffset = undefined;
      out.push({ place: { key: text, area, offset: -1, half: 0 }, text });
      continue;
    }
    const map = MAP_LINE.exec(text);
    if (map && area !== undefined && Number.parseInt(map[1]!, 16) % 1024 === 0) {
      lastOffset = Number.parseInt(map[1]!, 16);
      out.push({ place: { key: `${area}:${map[1]}`, area, offset: lastOffset, half: 0 }, text });
      continue;
    }
    if (FREE_LINES.test(text) && area !== undefined && lastOffset !== undefined) {
      out.push({ place: { key: `${area}:${lastOffset}+`, area, offset: lastOffset, half: 1 }, text });
      lastOffset = undefined;
      continue;
    }
    // A damaged line. A free-lines note after it cannot be placed; a map line still can, by its
    // offset, unless the damaged line may have been a header that began another copy or area.
    lastOffset = undefined;
    if (!LOOKS_LIKE_MAP_LINE.test(text)) area = undefined;
  }
  return out;
}

/**
 * One map from the copies in `stdout`: each line as most copies printed it (seen at least twice),
 * or, where only one copy has a well-formed line there, that line; the result must then add up to
 * its own `GC:` line. Two different well-formed lines with neither seen twice leave that line in
 * doubt. Returns the map with CRLF line ends (as the firmware prints it), or what is still wrong.
 */
export function voteMemInfo(stdout: string): { stdout: string } | string {
  const seen = new Map<string, { place: Placed; texts: Map<string, number> }>();
  for (const { place, text } of placedLines(stdout)) {
    const entry = seen.get(place.key) ?? { place, texts: new Map<string, number>() };
    entry.texts.set(text, (entry.texts.get(text) ?? 0) + 1);
    seen.set(place.key, entry);
  }
  const lines: { place: Placed; text: string }[] = [];
  let doubtful = 0;
  const total = heapBytes(seen.get('gc')?.texts);
  for (const { place, texts } of seen.values()) {
    // An offset past the heap's end is one a flipped bit made up.
    if (place.half === 0 && total !== undefined && place.offset >= total) continue;
    // A map line one block short where a whole one arrived lost a block on the way: only an
    // area's last line is short, and then it is short in every copy.
    const whole = [...texts.keys()].some((text) => MAP_LINE.test(text) && text.split(': ')[1]!.length === 64);
    if (whole) for (const text of texts.keys()) if (text.split(': ')[1]!.length < 64) texts.delete(text);
    const ranked = [...texts].sort((a, b) => b[1] - a[1]);
    const [best, next] = ranked;
    if (texts.size === 1 || (best![1] >= 2 && best![1] > next![1])) lines.push({ place, text: best![0] });
    else doubtful++;
  }
  if (doubtful > 0) return `${doubtful} line${doubtful > 1 ? 's' : ''} of the heap map in doubt`;
  lines.sort(
    (a, b) => a.place.area - b.place.area || a.place.offset - b.place.offset || a.place.half - b.place.half,
  );
  const text = lines.map((line) => `${line.text}\r\n`).join('');
  const problem = memInfoProblem(text);
  return problem ? `put together from ${MAP_COPIES} copies, ${problem}` : { stdout: text };
}

/** The heap's size in bytes by the `GC: total:` line most copies agree on, if one does. */
function heapBytes(texts: Map<string, number> | undefined): number | undefined {
  const best = [...(texts ?? [])].sort((a, b) => b[1] - a[1])[0];
  return best && best[1] >= 2 ? Number(/total: (\d+)/.exec(best[0])?.[1]) : undefined;
}
