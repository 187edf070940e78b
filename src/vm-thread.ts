import { setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

let concurrentRecompilationOff = false;

/**
 * Start the thread a VM runs in (the MicroPython wasm VM, the RP2040 emulator): plain JavaScript,
 * without the tsx or vitest loaders of this process (`execArgv: []`).
 *
 * Node 20 can abort the whole process when a worker's isolate is torn down while V8 is still
 * optimising the worker's JavaScript on a background thread (CI caught it:
 * `NodePlatform::ForIsolate ... Assertion failed: (data.first) != nullptr`, from an
 * `OptimizingCompileDispatcher::CompileTask`). VM threads are terminated on every close and every
 * reset of a hung VM, so picogc turns concurrent recompilation off before its first thread starts:
 * threads started afterwards optimise on their own thread, and nothing is in flight when one ends.
 * Timed collections are unaffected: they run in wasm, not in optimised JavaScript.
 */
export function startVmThread(url: URL, options: Omit<WorkerOptions, 'execArgv'> = {}): Worker {
  if (!concurrentRecompilationOff) {
    setFlagsFromString('--no-concurrent-recompilation');
    concurrentRecompilationOff = true;
  }
  return new Worker(url, { ...options, execArgv: [] });
}
