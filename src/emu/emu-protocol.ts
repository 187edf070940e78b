import { z } from 'zod';

/**
 * Messages between the host (rp2040-emu.ts) and the emulator's thread (emu-worker.mjs). The worker
 * is plain JavaScript, so its messages are checked here, at the thread boundary.
 */

/** ROM routines the worker replaces with a BKPT: the code says what the host-side handler does. */
export const HOOK = { erase: 0xe0, program: 0xe1, return: 0xe2 } as const;

export interface StartMessage {
  type: 'start';
  /** The 16 KiB boot ROM as read from a Pico; null: picogc's written ROM (hle-rom/). */
  bootrom: Uint8Array | null;
  /** Flash contents from offset 0 (the image's bytes; the rest erased). */
  flash: Uint8Array;
  flashSize: number;
  /** [ROM address of a routine (Thumb), BKPT code]; none with the written ROM (its stubs trap already). */
  hooks: [number, number][];
}

export type HostMessage = StartMessage | { type: 'input'; bytes: Uint8Array } | { type: 'stop' };

export const emuMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started') }),
  z.object({ type: z.literal('connected') }),
  z.object({ type: z.literal('output'), bytes: z.instanceof(Uint8Array) }),
  z.object({ type: z.literal('reset'), reason: z.string() }),
  /** The firmware called the ROM's reset_usb_boot: the chip is in BOOTSEL, its USB serial port gone. */
  z.object({
    type: z.literal('bootsel'),
    gpioActivityMask: z.number().int(),
    disableInterfaceMask: z.number().int(),
  }),
  z.object({ type: z.literal('warning'), line: z.string() }),
  z.object({ type: z.literal('stopped'), cycles: z.number(), flashWrites: z.number().int() }),
  z.object({ type: z.literal('crashed'), message: z.string() }),
]);
export type EmuMessage = z.infer<typeof emuMessageSchema>;
