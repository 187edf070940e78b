import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/cli.ts';

/**
 * The layers of docs/architecture.md, read from its table: each folder of src/ and the folders it
 * may import. Every import in src/ (tests aside) is checked against it.
 */
const SRC = join(REPO, 'src');

function allowedLayers(): Map<string, Set<string> | 'everything'> {
  const doc = readFileSync(join(REPO, 'docs', 'architecture.md'), 'utf8');
  const rows = new Map<string, Set<string> | 'everything'>();
  for (const line of doc.split('\n')) {
    const m = /^\| `([^`]+)` \| [^|]+ \| ([^|]+) \|$/.exec(line);
    if (!m) continue;
    const layer = m[1]!.replace(/^src\//, '');
    const may = m[2]!.trim();
    rows.set(
      layer,
      may === 'everything'
        ? 'everything'
        : new Set(may === '—' ? [] : may.split(/,\s*/).map((s) => (s === 'root' ? '(root)' : s))),
    );
  }
  return rows;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

const layerOf = (file: string) => {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? parts[0]! : '(root)';
};

describe('the layers of src/', () => {
  const allowed = allowedLayers();

  it('every folder of src/ is a layer of docs/architecture.md', () => {
    const folders = new Set(sources(SRC).map(layerOf));
    for (const folder of folders) expect(allowed.has(folder), folder).toBe(true);
    expect(allowed.size).toBeGreaterThan(15);
  });

  it('every import goes to the layer itself or one the table allows', () => {
    const wrong: string[] = [];
    for (const file of sources(SRC)) {
      const from = layerOf(file);
      const may = allowed.get(from);
      if (may === 'everything' || may === undefined) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
        const target = normalize(join(dirname(file), m[1] ?? m[2]!));
        if (!target.startsWith(SRC)) continue;
        const to = layerOf(target);
        if (to !== from && !may.has(to))
          wrong.push(`${relative(REPO, file)} imports ${to} (${m[1] ?? m[2]})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
