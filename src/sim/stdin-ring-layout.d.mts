// Types of stdin-ring-layout.mjs (the JavaScript is not type-checked).
export declare const STDIN_SLOT: Readonly<{ written: 0; read: 1; wanted: 2; pending: 3 }>;
export declare const STDIN_HEADER_BYTES: 16;
