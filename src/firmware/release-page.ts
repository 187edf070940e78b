/**
 * What a board's download page on micropython.org (`/download/RPI_PICO/`) offers. Release images
 * are links to `/resources/firmware/<BOARD>-<YYYYMMDD>-<tag>.uf2`; the date is the build's, so a
 * release cannot be addressed by its tag alone and the page has to be read. Preview builds of the
 * next release sit on the same page (`…-v1.29.0-preview.45.g1a2b3c4d5.uf2`) and are never a release.
 * The page is HTML written for people; only its `href` values are read, nothing else is relied on.
 */

/** A release tag as the user names one: `v1.28.0`. */
export const RELEASE_VERSION = /^v\d+\.\d+\.\d+$/;

export function isReleaseVersion(text: string): boolean {
  return RELEASE_VERSION.test(text);
}

export interface ReleaseLink {
  /** `v1.28.0` (older releases are named with two numbers: `v1.14`). */
  readonly version: string;
  /** The build date in the file name, `20260406`. */
  readonly date: string;
  /** Absolute address of the UF2. */
  readonly url: string;
}

// `<anything>-<8 digits>-v<2 or 3 numbers>.uf2`, nothing after the tag: a preview's tag goes on.
const RELEASE_FILE = /-(\d{8})-(v\d+\.\d+(?:\.\d+)?)\.uf2$/;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

/** Every release UF2 the page links to, in page order, each address once. */
export function releaseLinks(html: string, pageUrl: string): ReleaseLink[] {
  const links: ReleaseLink[] = [];
  const seen = new Set<string>();
  for (const match of html.matchAll(HREF)) {
    const href = (match[1] ?? match[2] ?? match[3] ?? '').replaceAll('&amp;', '&');
    let url: URL;
    try {
      url = new URL(href, pageUrl);
    } catch {
      continue; // not an address at all
    }
    const name = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    const file = RELEASE_FILE.exec(name);
    if (!file || /preview/i.test(name) || seen.has(url.href)) continue;
    seen.add(url.href);
    links.push({ version: file[2]!, date: file[1]!, url: url.href });
  }
  return links;
}

/**
 * The link of one release; when the page lists the release more than once under different build
 * dates (a rebuilt image), the newest.
 */
export function findRelease(links: readonly ReleaseLink[], version: string): ReleaseLink | undefined {
  return links.filter((link) => link.version === version).sort((a, b) => b.date.localeCompare(a.date))[0];
}

function versionNumbers(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.slice(1).split('.').map(Number);
  return [major, minor, patch];
}

/** Newest first, as a release list reads. */
export function compareVersionsDescending(a: string, b: string): number {
  const [x, y] = [versionNumbers(a), versionNumbers(b)];
  return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
}

/**
 * The `count` releases closest to `wanted` (a mistyped `v1.82.0` gets the newest ones; a
 * `v1.24.9` gets v1.24.1, v1.24.0, v1.25.0), newest first, for the message that says it is not there.
 */
export function nearestVersions(versions: readonly string[], wanted: string, count = 3): string[] {
  const rank = (version: string) => {
    const [major, minor, patch] = versionNumbers(version);
    return major * 1_000_000 + minor * 1_000 + patch;
  };
  const target = rank(wanted);
  return [...new Set(versions)]
    .sort((a, b) => Math.abs(rank(a) - target) - Math.abs(rank(b) - target) || rank(b) - rank(a))
    .slice(0, count)
    .sort(compareVersionsDescending);
}
