// Types of fast-memory.mjs (the JavaScript is not type-checked).

/** Faster 32-bit SRAM accesses and peripheral lookup on an rp2040js `RP2040`, with the same results. */
export declare function installFastMemory<T>(mcu: T): T;
