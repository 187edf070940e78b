/**
 * What identifies a MicroPython build inside its flash image: the strings the firmware itself prints or
 * returns. A MicroPython build embeds (py/mpconfig.h, py/modsys.c, extmod/modos.c):
 *   - the banner `MicroPython <tag> on <date>`, alone and inside `sys.version` (`3.4.0; MicroPython …`);
 *   - `os.uname().version`: `<tag> on <date>` plus ` (<build type>)` on builds that set one, e.g.
 *     `v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)`;
 *   - the machine string `<board name> with <MCU>`, e.g. `Raspberry Pi Pico with RP2040`.
 *
 * Only whole C strings are matched: a maximal run of printable ASCII (0x20..0x7e) that ends in a NUL
 * byte, compared in full against the patterns below. Nothing is searched for inside longer text, and a
 * string that merely contains `v1.28.0` is not a version. `<tag>` is a git-describe tag as MicroPython's
 * makeversionhdr writes it: `v1.28.0`, `v1.28.0-preview.45.g1a2b3c4d5`, `v1.28.0-dirty`; a bare
 * commit hash (a build from a clone without tags) is not accepted. `<date>` is YYYY-MM-DD.
 * The board's build name (`sys.implementation._build`, e.g. `RPI_PICO`) is a short identifier with no
 * recognisable context in the image, so it is not guessed.
 */

const TAG = String.raw`v\d{1,3}\.\d{1,3}(?:\.\d{1,3})?(?:[-+.][0-9A-Za-z]+)*`;
const DATE = String.raw`\d{4}-\d{2}-\d{2}`;
const MACHINE = String.raw`[A-Za-z0-9][ -~]{0,78}? with (?:RP2040|RP2350)`;

const BANNER = new RegExp(
  `^(?:\\d+\\.\\d+\\.\\d+; )?(MicroPython (${TAG}) on (${DATE}))(?:; (${MACHINE}))?$`,
);
const UNAME_VERSION = new RegExp(`^(${TAG}) on (${DATE})(?: \\(([^()]{1,60})\\))?$`);
// A v1.28.0 RPI_PICO build stores it as the banner's tail, `; Raspberry Pi Pico with RP2040`.
const MACHINE_STRING = new RegExp(`^(?:; )?(${MACHINE})$`);
const MACHINE_PARTS = /^(.*) with (RP2040|RP2350)$/;

/** The shortest string any pattern can match: a one-letter board name. */
const MIN_LENGTH = 'X with RP2040'.length;
const MAX_LENGTH = 200;

export interface MicroPythonBuildInfo {
  /** The git tag: `v1.28.0`. */
  readonly version: string;
  /** `2026-04-06`. */
  readonly buildDate: string;
  /** What `os.uname().version` on the board will return, when the image holds it. */
  readonly unameVersion?: string;
  /** `GNU 12.2.1 MinSizeRel`, the part of `unameVersion` in parentheses. */
  readonly buildType?: string;
  /** `MicroPython v1.28.0 on 2026-04-06`. */
  readonly banner?: string;
  /** `Raspberry Pi Pico with RP2040` (`os.uname().machine`, `sys.implementation._machine`). */
  readonly machine?: string;
  readonly boardName?: string;
  readonly mcu?: string;
}

export interface MicroPythonScan {
  /** Absent when the image holds no MicroPython version string, or several that disagree. */
  readonly build?: MicroPythonBuildInfo;
  /** Every matching string, in image order (deduplicated), so a disagreement can be shown. */
  readonly found: readonly string[];
  /** Why `build` (or one of its fields) was left out: the disagreeing strings. */
  readonly conflicts: readonly string[];
}

/** Every C string of printable ASCII in `bytes` whose length is within [min, max]. */
export function* cStrings(bytes: Uint8Array, min = MIN_LENGTH, max = MAX_LENGTH): Generator<string> {
  let start = -1;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x20 && byte <= 0x7e) {
      if (start < 0) start = i;
      continue;
    }
    if (byte === 0 && start >= 0 && i - start >= min && i - start <= max) {
      yield Buffer.from(bytes.buffer, bytes.byteOffset + start, i - start).toString('latin1');
    }
    start = -1;
  }
}

export function findMicroPythonBuild(image: Uint8Array): MicroPythonScan {
  const versions = new Map<string, { version: string; date: string }>(); // "tag on date" → parts
  const banners = new Set<string>();
  const unames = new Map<string, string | undefined>(); // whole string → build type
  const machines = new Set<string>();
  const found: string[] = [];
  const seen = new Set<string>();

  for (const text of cStrings(image)) {
    const banner = BANNER.exec(text);
    const uname = banner ? null : UNAME_VERSION.exec(text);
    const machine = banner || uname ? null : MACHINE_STRING.exec(text);
    if (!banner && !uname && !machine) continue;
    if (!seen.has(text)) {
      seen.add(text);
      found.push(text);
    }
    if (banner) {
      banners.add(banner[1]!);
      versions.set(`${banner[2]} on ${banner[3]}`, { version: banner[2]!, date: banner[3]! });
      if (banner[4]) machines.add(banner[4]);
    } else if (uname) {
      unames.set(text, uname[3]);
      versions.set(`${uname[1]} on ${uname[2]}`, { version: uname[1]!, date: uname[2]! });
    } else if (machine) {
      machines.add(machine[1]!);
    }
  }

  const conflicts: string[] = [];
  if (versions.size !== 1) {
    if (versions.size > 1) conflicts.push(`different versions: ${[...versions.keys()].join(' | ')}`);
    return { found, conflicts };
  }
  const { version, date } = [...versions.values()][0]!;
  const build: { -readonly [K in keyof MicroPythonBuildInfo]: MicroPythonBuildInfo[K] } = {
    version,
    buildDate: date,
  };
  if (unames.size === 1) {
    const [unameVersion, buildType] = [...unames.entries()][0]!;
    build.unameVersion = unameVersion;
    if (buildType !== undefined) build.buildType = buildType;
  } else if (unames.size > 1) {
    conflicts.push(`different os.uname().version strings: ${[...unames.keys()].join(' | ')}`);
  }
  if (banners.size === 1) build.banner = [...banners][0];
  if (machines.size === 1) {
    const machine = [...machines][0]!;
    const parts = MACHINE_PARTS.exec(machine)!;
    build.machine = machine;
    build.boardName = parts[1];
    build.mcu = parts[2];
  } else if (machines.size > 1) {
    conflicts.push(`different machine strings: ${[...machines].join(' | ')}`);
  }
  return { build, found, conflicts };
}

/**
 * The `os.uname().version` a board running this build must report. When the image holds the full
 * string it must match exactly; otherwise the build type is unknown and only `<tag> on <date>` is checked.
 */
export function boardRunsBuild(build: MicroPythonBuildInfo, boardUnameVersion: string): boolean {
  if (build.unameVersion !== undefined) return boardUnameVersion === build.unameVersion;
  const prefix = `${build.version} on ${build.buildDate}`;
  return boardUnameVersion === prefix || boardUnameVersion.startsWith(`${prefix} (`);
}
