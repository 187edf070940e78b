import { RP2040 } from 'rp2040js';

/** Puts a boot ROM into a fresh chip: the real one (loadBootrom) or one written here. */
export type InstallRom = (mcu: RP2040) => void;

export interface ProgramRun {
  /** UART0's output, split into lines. */
  lines: string[];
  /** Why it stopped: the program's final BKPT, a fault, or the cycle budget. */
  end: 'done' | 'fault' | 'budget';
  cycles: number;
}

const FLASH_START = 0x10000000;
const END_BREAK = 0x1f;
const FAULT_BREAK = 0x1e;
const CYCLE_NANOS = 8; // 125 MHz, as the emulator's run loop counts

/**
 * Runs a flash image on rp2040js from 0x10000000 (as picogc's emulator boots a firmware: the ROM's
 * boot path is not taken) with the ROM `installRom` gives it, until the program's final BKPT.
 * The clock advances with each instruction's cycles, so SysTick counts what the core executed.
 * `onBreak` sees every other BKPT (a ROM written here traps into the host that way).
 */
export function runProgram(
  image: Uint8Array,
  installRom: InstallRom,
  options: { cycleBudget?: number } = {},
): ProgramRun {
  const mcu = new RP2040(); // its default clock is a SimulationClock: emulated time
  const clock = mcu.clock as unknown as { tick(nanos: number): void };
  mcu.logger = { debug() {}, info() {}, warn() {}, error() {} };
  installRom(mcu);
  mcu.flash.set(image);
  let text = '';
  mcu.uart[0]!.onByte = (byte: number) => {
    text += String.fromCharCode(byte);
  };
  let end: ProgramRun['end'] | null = null;
  const romBreak = mcu.onBreak;
  mcu.onBreak = (code: number) => {
    if (code === END_BREAK) end = 'done';
    else if (code === FAULT_BREAK) end = 'fault';
    else romBreak(code);
  };
  mcu.core.PC = FLASH_START;
  const budget = options.cycleBudget ?? 50_000_000;
  let cycles = 0;
  while (end === null && cycles < budget) {
    const spent = mcu.core.executeInstruction();
    clock.tick(spent * CYCLE_NANOS);
    cycles += spent;
  }
  return { lines: text.split('\n').filter((line) => line.length > 0), end: end ?? 'budget', cycles };
}
