// The VM's wasm instance, for the thread that runs it. The package's glue keeps the instance's
// exports in a closure and wraps only the names it knows, and takes its imports only from its own
// table, so the work clock's exports (picogc_work, …) and a seeded random source can only be had
// where the instance is made: WebAssembly.instantiate, wrapped here, in the VM's own thread only.

/**
 * Wrap WebAssembly.instantiate in this thread. `randomSource()` may return a function that replaces
 * the VM's `env.mp_js_random_u32` for the next instance (undefined: the glue's own, crypto random).
 */
export function captureInstances(randomSource) {
  let last;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  WebAssembly.instantiate = async (source, imports) => {
    const random = randomSource();
    const withRandom =
      random && imports?.env ? { ...imports, env: { ...imports.env, mp_js_random_u32: random } } : imports;
    const result = await instantiate(source, withRandom);
    last = result instanceof WebAssembly.Instance ? result : result.instance;
    return result;
  };
  return {
    last() {
      if (!last) throw new Error('no wasm instance was made in this thread');
      return last;
    },
  };
}
