import { familyByName, type Rp2FamilyName } from './uf2-families.ts';
import { encodeUf2Block } from './uf2-blocks.ts';
import {
  RP2_FLASH_BASE,
  RP2_PAGE_SIZE,
  UF2_DATA_SIZE,
  UF2_FLAG_EXTENSION_TAGS_PRESENT,
  UF2_FLAG_FAMILY_ID_PRESENT,
  UF2_TAG_RP2_IGNORE_BLOCK,
} from './uf2-format.ts';

/**
 * A small UF2 writer so tests (and the virtual Pico's bootloader tests) can make images on the fly:
 * no firmware image is ever committed. It writes what `picotool uf2 convert` writes for a flat binary.
 */
export interface Uf2WriteOptions {
  /** Flash address of the first byte; default 0x10000000. */
  base?: number;
  /** A family name or a raw id (to build images for chips picogc does not know); default `rp2040`. */
  family?: Rp2FamilyName | number;
  /** Bytes per block; default 256 (the only size RP2 boot ROMs take). */
  payloadSize?: number;
  /** Put picotool's RP2350-E10 workaround block first, as picotool does for RP2350 images. */
  e10Block?: boolean;
}

export function writeUf2(bytes: Uint8Array, options: Uf2WriteOptions = {}): Uint8Array {
  const base = options.base ?? RP2_FLASH_BASE;
  const familyId =
    typeof options.family === 'number' ? options.family : familyByName(options.family ?? 'rp2040')!.id;
  const payloadSize = options.payloadSize ?? RP2_PAGE_SIZE;
  if (payloadSize <= 0 || payloadSize > UF2_DATA_SIZE) throw new RangeError(`payload size ${payloadSize}`);
  const count = Math.max(1, Math.ceil(bytes.length / payloadSize));
  const blocks: Uint8Array[] = [];
  if (options.e10Block) blocks.push(e10WorkaroundBlock());
  for (let blockNo = 0; blockNo < count; blockNo++) {
    const payload = new Uint8Array(payloadSize); // a short last page is padded with zeros, as picotool does
    payload.set(bytes.subarray(blockNo * payloadSize, (blockNo + 1) * payloadSize));
    blocks.push(
      encodeUf2Block({
        flags: UF2_FLAG_FAMILY_ID_PRESENT,
        targetAddr: base + blockNo * payloadSize,
        payload,
        blockNo,
        numBlocks: count,
        familyId,
      }),
    );
  }
  return concat(blocks);
}

/** picotool's RP2350-E10 block: family `absolute`, block 0 of 2, a page of 0xef, tagged "ignore". */
export function e10WorkaroundBlock(): Uint8Array {
  const tag = new Uint8Array(4);
  new DataView(tag.buffer).setUint32(0, ((UF2_TAG_RP2_IGNORE_BLOCK << 8) | 4) >>> 0, true);
  return encodeUf2Block({
    flags: UF2_FLAG_FAMILY_ID_PRESENT | UF2_FLAG_EXTENSION_TAGS_PRESENT,
    targetAddr: 0x10ff_ff00,
    payload: new Uint8Array(RP2_PAGE_SIZE).fill(0xef),
    blockNo: 0,
    numBlocks: 2,
    familyId: familyByName('absolute')!.id,
    trailer: tag,
  });
}

export interface FakeMicroPythonImageOptions {
  /** Git tag; default `v1.28.0`. */
  version?: string;
  /** Default `2026-04-06`. */
  date?: string;
  /** Default `GNU 12.2.1 MinSizeRel`; null leaves the parenthesis out of `os.uname().version`. */
  buildType?: string | null;
  /** Default `Raspberry Pi Pico with RP2040`; null leaves the machine string out. */
  machine?: string | null;
  /** Leave out the `MicroPython … on …` banner (and `sys.version`). */
  omitBanner?: boolean;
  /** Leave out the `os.uname().version` string. */
  omitUnameVersion?: boolean;
  /** Image size in bytes; default 64 KiB. */
  size?: number;
  /** Seed for the filler bytes, so images are reproducible. */
  seed?: number;
}

/**
 * Bytes shaped like a MicroPython flash image for tests: pseudo-random filler with the identifying
 * strings a real build carries, each a NUL-terminated, 4-byte-aligned C string as in a `.rodata`
 * section. It is not a program: nothing here runs.
 */
export function fakeMicroPythonImage(options: FakeMicroPythonImageOptions = {}): Uint8Array {
  const version = options.version ?? 'v1.28.0';
  const date = options.date ?? '2026-04-06';
  const buildType = options.buildType === undefined ? 'GNU 12.2.1 MinSizeRel' : options.buildType;
  const machine = options.machine === undefined ? 'Raspberry Pi Pico with RP2040' : options.machine;
  const strings: string[] = [];
  if (!options.omitBanner)
    strings.push(`MicroPython ${version} on ${date}`, `3.4.0; MicroPython ${version} on ${date}`);
  if (!options.omitUnameVersion)
    strings.push(`${version} on ${date}${buildType === null ? '' : ` (${buildType})`}`);
  if (machine !== null) strings.push(machine);

  const image = new Uint8Array(options.size ?? 64 * 1024);
  let state = (options.seed ?? 1) >>> 0 || 1;
  for (let i = 0; i < image.length; i++) {
    // xorshift32: cheap, deterministic filler; control bytes keep accidental long ASCII runs rare.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    image[i] = state & 0xff;
  }
  // Spread the strings through the second half, each in its own slot: NUL padding, text, NUL.
  const slots = strings.map((text) => (4 + text.length + 1 + 3) & ~3);
  const start = (image.length >>> 1) & ~3;
  const room = image.length - start - slots.reduce((sum, slot) => sum + slot, 0);
  if (room < 0) throw new RangeError(`image of ${image.length} bytes is too small for its strings`);
  const gap = Math.floor(room / Math.max(1, strings.length)) & ~3;
  let at = start;
  strings.forEach((text, i) => {
    image.fill(0, at, at + slots[i]!);
    image.set(Buffer.from(text, 'latin1'), at + 4);
    at += slots[i]! + gap;
  });
  return image;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
