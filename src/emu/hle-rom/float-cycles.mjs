export const CYCLES_PROVENANCE = 'placeholder';
const c = (n) => ({ cycles: () => n });
export const FLOAT_CYCLES = new Proxy({}, { get: () => c(50) });
export const DOUBLE_CYCLES = new Proxy({}, { get: () => c(50) });
