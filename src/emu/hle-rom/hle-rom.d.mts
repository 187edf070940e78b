// Types of hle-rom.mjs and what its routines work on (the JavaScript is not type-checked).

/** How reports name the written ROM. */
export declare const HLE_ROM_NAME: string;
/** The BKPT immediate of every stub of the written ROM. */
export declare const HLE_TRAP: number;

/** What a routine of the written ROM works on: rp2040js's registers and memory, and the flash array. */
export interface RomChip {
  registers: Uint32Array;
  readUint8(address: number): number;
  writeUint8(address: number, value: number): void;
  readUint16(address: number): number;
  readUint32(address: number): number;
  writeUint32(address: number, value: number): void;
  sram: Uint8Array;
  flash: Uint8Array;
  /** An erase or program changed the flash. */
  flashWritten(): void;
}

export interface RomRoutine {
  code: string | null;
  name: string;
  call(chip: RomChip): number | RoutineOutcome;
}

export type RoutineOutcome =
  | { cycles: number; jump: number; lr?: number }
  | { cycles: number; crash: string }
  | { cycles: number; usbBoot: { gpioActivityMask: number; disableInterfaceMask: number } };

export interface HleRom {
  /** The 16 KiB image the chip maps at address 0. */
  image: Uint8Array;
  routineAt: Map<number, RomRoutine>;
  /** Function table: code → Thumb address. */
  functions: Record<string, number>;
  /** Data table: code → address. */
  data: Record<string, number>;
}

export declare function buildHleRom(): HleRom;

/** What the written ROM's routines work on, for an rp2040js chip (`flashWritten` hears erases and programs). */
export declare function hleChip(mcu: import('rp2040js').RP2040, flashWritten?: () => void): RomChip;

/** Map the written ROM at 0 of an rp2040js chip; the caller answers BKPT #HLE_TRAP with `traps.handle()`. */
export declare function installHleRom(
  mcu: import('rp2040js').RP2040,
  options?: { rom?: HleRom; flashWritten?: () => void },
): { rom: HleRom; traps: TrapDispatcher };

export type TrapStop =
  { crash: string } | { usbBoot: { gpioActivityMask: number; disableInterfaceMask: number } };

export interface TrapDispatcher {
  /** Calls per routine name since the chip started. */
  calls: Map<string, number>;
  /** Cycles routines charged beyond their BKPT's. */
  readonly chargedCycles: number;
  handle(): TrapStop | null;
}

export declare function trapDispatcher(
  rom: HleRom,
  machine: { core: { PC: number; LR: number; cycles: number }; clock: { tick(nanos: number): void } },
  chip: RomChip,
): TrapDispatcher;
