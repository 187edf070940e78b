// Types of rom-sandbox.mjs (the JavaScript is not type-checked).

export interface RomSandbox {
  /** The chip itself: lay buffers out in its SRAM before a call, read them after. */
  mcu: import('rp2040js').RP2040;
  /** Call the Thumb routine at `address`: r0..r3 after, and its cycles up to and with its return. */
  call(address: number, args?: readonly number[]): { regs: number[]; cycles: number };
}

export declare function romSandbox(rom: Uint8Array): RomSandbox;
