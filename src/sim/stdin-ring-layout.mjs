// The stdin ring's header, shared by the host (vm.ts, through vm-protocol.ts) and the VM's thread
// (vm-stdin.mjs), which runs without loaders and so cannot import TypeScript. Described in
// vm-protocol.ts, beside the other ring.

/** Int32 slots of the header, then the data area. */
export const STDIN_SLOT = Object.freeze({ written: 0, read: 1, wanted: 2, pending: 3 });
export const STDIN_HEADER_BYTES = 16;
