// Part of the VM's thread (vm-worker.mjs): plain JavaScript for the same reason.

const GUARDED = Symbol('picogc: proxy frees kept out');

/**
 * Keep the package glue's proxy frees out of the VM.
 *
 * The glue (micropython.mjs) frees the Python side of a JS proxy of a Python object from a
 * FinalizationRegistry: once V8 has collected the proxy, it calls
 * `Module.ccall("proxy_c_free_obj", …)` on `globalThis.Module`, the VM loaded last in the thread,
 * whenever V8's collector gets round to it. Two things follow:
 * - the host's garbage collector, whose timing follows the host's load, changes the VM's heap
 *   between executions (a slot of the proxy table), and with it the work of the next collection:
 *   one pause of a whole quick run once read 0.013% longer than in the run before;
 * - after a soft reset the old VM's proxies are freed in the new VM, whose proxy table is shorter:
 *   `proxy_c_free_obj` then writes NULL past the end of its list, over the type of the next
 *   object on the heap (a dict read as `h` in mem_info(1) in 2 of 12 runs).
 * The VM makes only a few proxies (its `__main__` and globals when it loads, the gc module when a
 * soft reset reads the threshold), all of objects that live anyway. Never freeing them costs a few
 * words a VM, and leaves the heap to the VM's own work.
 *
 * Call after every `loadMicroPython`: it wraps the `globalThis.Module` that load set, dropping that
 * one call and passing everything else through.
 */
export function keepProxyFreesOut() {
  const module = globalThis.Module;
  if (!module || module[GUARDED]) return;
  const ccall = (name, ...rest) => (name === 'proxy_c_free_obj' ? null : module.ccall(name, ...rest));
  globalThis.Module = new Proxy(module, {
    get: (target, key) => (key === 'ccall' ? ccall : key === GUARDED ? true : Reflect.get(target, key)),
  });
}
