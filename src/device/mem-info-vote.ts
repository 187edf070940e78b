import { BLOCKS_PER_LINE, FREE_CHAR, HEAD_LETTERS, MARK_CHAR, TAIL_CHAR } from '../meminfo/index.ts';
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
/** A map line's offset, whatever became of its blocks on the way. */
const MAP_OFFSET = /^([0-9a-f]{8,}): (.*)$/;
const BLOCKS = new Set<string>([FREE_CHAR, TAIL_CHAR, MARK_CHAR, ...HEAD_LETTERS]);
const FREE_LINES = /^ {7}\(\d+ lines all free\)$/;
/** A damaged line that still begins like a map line or a free-lines note, not like a header. */
const LOOKS_LIKE_MAP_LINE = /^[0-9a-f]{4}|^.{8}: |^ {4}/;

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
    // A map line is placed by its offset even when a block in it was damaged: the blocks are
    // voted on one by one. One longer than a line ran into the next, which is then not after it.
    const map = MAP_OFFSET.exec(text);
    if (map && area !== undefined && Number.parseInt(map[1]!, 16) % 1024 === 0) {
      const offset = Number.parseInt(map[1]!, 16);
      lastOffset = map[2]!.length <= BLOCKS_PER_LINE ? offset : undefined;
      out.push({ place: { key: mapKey(area, offset), area, offset, half: 0 }, text });
      continue;
    }
    if (FREE_LINES.test(text) && area !== undefined && lastOffset !== undefined) {
      out.push({ place: { key: `${mapKey(area, lastOffset)}+`, area, offset: lastOffset, half: 1 }, text });
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
 * One map from the copies in `stdout`. A map line is voted on block by block: a block character
 * that cannot be one was damaged and has no vote; of the others, one seen alone, or seen at least
 * twice and more often than any other, stands. Any other line stands as most copies printed it
 * (seen at least twice), or as the only well-formed copy of it. Two readings with neither seen
 * twice leave that line in doubt. The result must then add up to its own `GC:` line. Returns the
 * map with CRLF line ends (as the firmware prints it), or what is still wrong.
 */
export function voteMemInfo(stdout: string): { stdout: string } | string {
  const seen = new Map<string, { place: Placed; texts: string[] }>();
  for (const { place, text } of placedLines(stdout)) {
    const entry = seen.get(place.key) ?? { place, texts: [] };
    entry.texts.push(text);
    seen.set(place.key, entry);
  }
  const lines: { place: Placed; text: string }[] = [];
  let doubtful = 0;
  const skip = madeUp(seen);
  for (const { place, texts } of seen.values()) {
    if (skip.has(place.key)) continue;
    // A header, area or free-lines note is placed only when well-formed: voted on whole.
    const text = isMapLine(place) ? voteMapLine(texts) : majority(texts);
    if (text === undefined) doubtful++;
    else lines.push({ place, text });
  }
  // Only an area's last line is short: one short elsewhere lost a block in every copy that has it.
  const lastOffset = new Map<number, number>();
  for (const { place } of lines.filter(({ place }) => isMapLine(place)))
    lastOffset.set(place.area, Math.max(lastOffset.get(place.area) ?? 0, place.offset));
  doubtful += lines.filter(
    ({ place, text }) =>
      isMapLine(place) &&
      blocksOf(text).length < BLOCKS_PER_LINE &&
      place.offset < lastOffset.get(place.area)!,
  ).length;
  if (doubtful > 0) return `${doubtful} line${doubtful > 1 ? 's' : ''} of the heap map in doubt`;
  lines.sort(
    (a, b) => a.place.area - b.place.area || a.place.offset - b.place.offset || a.place.half - b.place.half,
  );
  const text = lines.map((line) => `${line.text}\r\n`).join('');
  const problem = memInfoProblem(text);
  return problem ? `put together from ${MAP_COPIES} copies, ${problem}` : { stdout: text };
}

const mapKey = (area: number, offset: number) => `${area}:${offset}`;
const isMapLine = (place: Placed) => place.area >= 0 && place.offset >= 0 && place.half === 0;
const blocksOf = (text: string) => text.slice(text.indexOf(': ') + 2);

/**
 * Places a flipped bit made up, with what was placed after them: a map line past the heap's end
 * or inside a run of lines that a free-lines note seen twice says were not printed, and an area
 * only one copy printed where another area is seen twice.
 */
function madeUp(seen: Map<string, { place: Placed; texts: string[] }>): Set<string> {
  const total = heapBytes(seen.get('gc')?.texts);
  const entries = [...seen.values()];
  const free: { area: number; from: number; to: number }[] = [];
  for (const { place, texts } of entries) {
    const note = place.half === 1 ? seenTwice(texts) : undefined;
    if (note === undefined) continue;
    const lines = Number(/\((\d+) lines/.exec(note)![1]);
    free.push({ area: place.area, from: place.offset + 1024, to: place.offset + lines * 1024 });
  }
  const skip = new Set<string>();
  // An area seen once beside one seen twice is an area line a flipped bit changed.
  const areas = entries.filter(({ place }) => place.area >= 0 && place.offset < 0);
  const confirmed = areas.some(({ texts }) => texts.length >= 2);
  const areasOnce = new Set(
    areas.filter(({ texts }) => confirmed && texts.length < 2).map(({ place }) => place.area),
  );
  for (const { place } of entries) {
    if (areasOnce.has(place.area)) skip.add(place.key);
    if (!isMapLine(place)) continue;
    const { area, offset } = place;
    if (
      (total !== undefined && offset >= total) ||
      free.some((run) => run.area === area && run.from <= offset && offset <= run.to)
    ) {
      skip.add(place.key);
      skip.add(`${place.key}+`); // the free-lines note printed after it
    }
  }
  return skip;
}

/** The reading seen alone, or at least twice and more often than any other, if there is one. */
function majority(readings: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const reading of readings) counts.set(reading, (counts.get(reading) ?? 0) + 1);
  const [best, next] = [...counts].sort((a, b) => b[1] - a[1]);
  return best && (!next || (best[1] >= 2 && best[1] > next[1])) ? best[0] : undefined;
}

/**
 * A map line, block by block. Only an area's last line is shorter than 64 blocks, and then in every
 * copy: a copy one block short where a whole one arrived lost a block on the way.
 */
function voteMapLine(texts: string[]): string | undefined {
  const bodies = texts.map(blocksOf).filter((body) => body.length <= BLOCKS_PER_LINE);
  const lengths = bodies.map((body) => String(body.length));
  const length = lengths.includes(String(BLOCKS_PER_LINE)) ? String(BLOCKS_PER_LINE) : majority(lengths);
  if (length === undefined) return undefined;
  const voters = bodies.filter((body) => String(body.length) === length);
  let blocks = '';
  for (let i = 0; i < Number(length); i++) {
    const block = majority(voters.map((voter) => voter[i]!).filter((char) => BLOCKS.has(char)));
    if (block === undefined) return undefined;
    blocks += block;
  }
  return `${texts[0]!.slice(0, texts[0]!.indexOf(': '))}: ${blocks}`;
}

/** The heap's size in bytes by the `GC: total:` line most copies agree on, if one does. */
function heapBytes(texts: string[] | undefined): number | undefined {
  const best = seenTwice(texts ?? []);
  return best ? Number(/total: (\d+)/.exec(best)?.[1]) : undefined;
}

/** The majority reading, if at least two copies printed it. */
function seenTwice(readings: string[]): string | undefined {
  const best = majority(readings);
  return best !== undefined && readings.filter((reading) => reading === best).length >= 2 ? best : undefined;
}
