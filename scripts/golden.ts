/**
 * `npm run golden -- --firmware F.uf2 --bootrom R.bin [--out DIR]`: remake the golden recordings of one
 * MicroPython build. It runs `validate` (full profile) and `run --quick` on the emulated RP2040 with
 * `--record`, writes `DIR/<tag>/validate.rec.gz` and `DIR/<tag>/run-quick.rec.gz`, and records the
 * build in `DIR/manifest.json`. Only the conversations are kept: never the image or the ROM.
 * docs/golden.md says which builds the committed recordings came from.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { verifyImage } from '../src/firmware/verify-image.ts';
import { goldenManifestSchema, GOLDEN_RUNS, type GoldenManifest } from '../test/support/golden.ts';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../bin/picogc.js');

const { values } = parseArgs({
  options: {
    firmware: { type: 'string' },
    bootrom: { type: 'string' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../test/golden') },
    only: { type: 'string' },
  },
});
if (!values.firmware || !values.bootrom) {
  process.stderr.write(
    'usage: npm run golden -- --firmware F.uf2 --bootrom R.bin [--out DIR] [--only NAME]\n',
  );
  process.exit(2);
}
const image = await verifyImage(values.firmware);
const dir = join(values.out, image.build.version);
mkdirSync(dir, { recursive: true });
const manifestPath = join(values.out, 'manifest.json');
const manifest: GoldenManifest = existsSync(manifestPath)
  ? goldenManifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')))
  : { recordings: [] };

const runs = GOLDEN_RUNS.filter((r) => !values.only || r.name === values.only);
// One emulated chip per core: the two runs go side by side.
const results = await Promise.all(
  runs.map(async (golden) => {
    const file = join(dir, `${golden.name}.rec.gz`);
    const out = mkdtempSync(join(tmpdir(), 'picogc-golden-'));
    const args = [
      BIN,
      ...golden.args,
      '--device',
      'emu',
      '--firmware',
      values.firmware!,
      '--bootrom',
      values.bootrom!,
      '--record',
      file,
      '--out',
      out,
    ];
    const started = Date.now();
    const exitCode = await run(process.execPath, args, { maxBuffer: 64 << 20 }).then(
      () => 0,
      (error: { code?: number; stdout?: string; stderr?: string }) => {
        process.stderr.write(
          `${golden.name}: exit ${error.code}\n${error.stdout ?? ''}${error.stderr ?? ''}\n`,
        );
        return error.code ?? 1;
      },
    );
    rmSync(out, { recursive: true, force: true });
    process.stdout.write(
      `${golden.name}: exit ${exitCode} in ${Math.round((Date.now() - started) / 1000)} s → ${file}\n`,
    );
    return {
      file: `${image.build.version}/${golden.name}.rec.gz`,
      run: golden.name,
      exitCode,
      firmware: {
        version: image.build.version,
        build: image.expected,
        sha256: image.sha256,
        file: image.label,
      },
      recordedAt: new Date().toISOString(),
    };
  }),
);
const kept = manifest.recordings.filter((r) => !results.some((n) => n.file === r.file));
const next: GoldenManifest = {
  recordings: [...kept, ...results].sort((a, b) => a.file.localeCompare(b.file)),
};
writeFileSync(manifestPath, `${JSON.stringify(next, null, 2)}\n`);
process.exitCode = results.some((r) => r.exitCode !== 0) ? 1 : 0;
