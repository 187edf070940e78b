import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVmThread } from '../vm-thread.ts';
import { VM_PACKAGE } from './capabilities.ts';
import type { InstrumentResult } from './instrument-vm.mjs';

/**
 * Where the work-clock VM lives: the package's `micropython.wasm`, instrumented once per install
 * and kept under `node_modules/.cache/picogc/` (or `$PICOGC_CACHE_DIR`), so a VM boot only loads a
 * file. The file name is a hash of the package's wasm, the binaryen version and the instrumenter's
 * own source, so any change to one of them makes a new file instead of reusing a stale one.
 */
export interface InstrumentedVm {
  path: string;
  /** Whether this call had to run the instrumenter (false: the cached file was used). */
  built: boolean;
  /** Time taken by this call, ms (instrumenting, or finding the cached file). */
  ms: number;
}

const require = createRequire(import.meta.url);

/** The sources whose text decides what the instrumented file contains. */
const INSTRUMENTER_SOURCES = [
  'instrument-vm.mjs',
  'work-counter-pass.mjs',
  'work-clock-time-patch.mjs',
  'wasm-ir.mjs',
].map((name) => fileURLToPath(new URL(name, import.meta.url)));

let pending: Promise<InstrumentedVm> | undefined;

/** The instrumented VM's path, building it on the first call of an install (memoised per process). */
export function instrumentedVm(): Promise<InstrumentedVm> {
  pending ??= locate({}).catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/** The package's own wasm, as shipped. */
export function originalVmPath(): string {
  return require.resolve(`${VM_PACKAGE}/micropython.wasm`);
}

export interface LocateOptions {
  /** Instrument even when a cached file exists (benchmarks; the result is written as usual). */
  rebuild?: boolean;
  cacheDir?: string;
}

export async function locate(options: LocateOptions): Promise<InstrumentedVm> {
  const started = performance.now();
  const source = originalVmPath();
  const original = await readFile(source);
  const key = await cacheKey(original);
  const dir = options.cacheDir ?? cacheDir(source);
  const path = join(dir, `micropython-work-clock-${key}.wasm`);
  if (!options.rebuild && (await exists(path)))
    return { path, built: false, ms: performance.now() - started };
  const result = await instrumentInThread(original);
  await mkdir(dir, { recursive: true });
  // Written aside and renamed: several processes (test workers) may build at once; each rename is
  // atomic and they all write the same bytes.
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, result.wasm);
  await rename(temporary, path);
  const summary = {
    segments: result.counter.segments,
    instructions: result.counter.instructions,
    clock: result.clock,
  };
  await writeFile(path.replace(/\.wasm$/, '.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { path, built: true, ms: performance.now() - started };
}

/** instrument-vm.mjs in a thread without this process's loaders (why: instrument-vm.mjs). */
function instrumentInThread(original: Buffer): Promise<InstrumentResult> {
  const worker = startVmThread(new URL('./instrument-thread.mjs', import.meta.url), {
    workerData: { wasm: new Uint8Array(original) },
  });
  return new Promise<InstrumentResult>((resolve, reject) => {
    worker.once(
      'message',
      (answer: { ok: true; result: InstrumentResult } | { ok: false; message: string }) => {
        if (answer.ok) resolve(answer.result);
        else reject(new Error(`instrumenting the VM failed: ${answer.message}`));
      },
    );
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the instrumenting thread exited (code ${code}) without an answer`)),
    );
  });
}

async function cacheKey(original: Buffer): Promise<string> {
  const hash = createHash('sha256').update(original);
  hash.update(`binaryen ${(require('binaryen/package.json') as { version: string }).version}`);
  for (const file of INSTRUMENTER_SOURCES) hash.update(await readFile(file));
  return hash.digest('hex').slice(0, 16);
}

function cacheDir(vmWasm: string): string {
  const configured = process.env['PICOGC_CACHE_DIR'];
  if (configured) return configured;
  // <node_modules>/@micropython/<package>/micropython.wasm → <node_modules>/.cache/picogc
  const nodeModules = dirname(dirname(dirname(vmWasm)));
  return nodeModules.endsWith('node_modules')
    ? join(nodeModules, '.cache', 'picogc')
    : join(tmpdir(), 'picogc-cache');
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}
