// Runs instrument-vm.mjs in a thread without loaders (started by instrumented-vm-cache.ts), so
// binaryen loads at plain-node speed whatever loader the host process has. Takes the VM's wasm in
// workerData, answers once: { ok: true, result } or { ok: false, message }.
import { parentPort, workerData } from 'node:worker_threads';
import { instrumentVm } from './instrument-vm.mjs';

try {
  const result = instrumentVm(workerData.wasm);
  parentPort.postMessage({ ok: true, result }, [result.wasm.buffer]);
} catch (error) {
  parentPort.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
}
