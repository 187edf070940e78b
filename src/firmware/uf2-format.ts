/**
 * The UF2 file format's numbers, and the RP2 boot ROMs' rules on top of it. Layout from the UF2
 * specification (github.com/microsoft/uf2, README "File format"); the RP2 rules (family id required,
 * 256-byte payloads at 256-byte-aligned flash addresses) from the RP2040 datasheet §2.8.4.2 and the
 * RP2350 datasheet §5.5.3.
 */

export const UF2_BLOCK_SIZE = 512;
export const UF2_MAGIC_START0 = 0x0a324655; // "UF2\n"
export const UF2_MAGIC_START1 = 0x9e5d5157;
export const UF2_MAGIC_END = 0x0ab16f30;
export const UF2_HEADER_SIZE = 32;
/** The data area of a block: 512 minus the 32-byte header and the 4-byte end magic. */
export const UF2_DATA_SIZE = 476;
export const UF2_END_MAGIC_OFFSET = 508;

export const UF2_FLAG_NOT_MAIN_FLASH = 0x0000_0001;
export const UF2_FLAG_FILE_CONTAINER = 0x0000_1000;
export const UF2_FLAG_FAMILY_ID_PRESENT = 0x0000_2000;
export const UF2_FLAG_MD5_PRESENT = 0x0000_4000;
export const UF2_FLAG_EXTENSION_TAGS_PRESENT = 0x0000_8000;

/** The RP2 boot ROMs write flash in 256-byte pages and take nothing else. */
export const RP2_PAGE_SIZE = 256;
/** Flash is mapped at the start of the XIP window on both chips. */
export const RP2_FLASH_BASE = 0x1000_0000;
/** The XIP window for one flash chip is 16 MiB; a Pico carries 2 MiB, a Pico 2 4 MiB. */
export const RP2_MAX_FLASH_SIZE = 16 * 1024 * 1024;
/**
 * Extension tag picotool puts on the RP2350-E10 workaround block ("ignore this block"): a 4-byte tag,
 * i.e. the little-endian word 0x9957e304 right after the payload.
 */
export const UF2_TAG_RP2_IGNORE_BLOCK = 0x9957e3;

/** Larger than any image for a 16 MiB flash (two UF2 bytes per flash byte) plus slack: refuse to read. */
export const UF2_MAX_FILE_SIZE = 4 * RP2_MAX_FLASH_SIZE;
