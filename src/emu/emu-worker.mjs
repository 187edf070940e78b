// The emulated RP2040's thread: rp2040js (npm) running the user's firmware with the user's boot
// ROM (`--bootrom`) or picogc's written one (hle-rom/), its USB CDC joined to the host by messages. Plain JavaScript for the same reason as
// src/sim/vm-worker.mjs (a worker without a loader starts fast everywhere), and because rp2040js is
// an optional package: it is imported here, at run time, and a missing one is reported, not thrown
// at type-check time. Decisions (which ROM routines to replace, what to declare) live in the
// TypeScript host (rp2040-emu.ts); message shapes are checked there (emu-protocol.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { CdcInput } from './cdc-input.mjs';
import { installFastDecode } from './fast-decode.mjs';
import { installFastMemory } from './fast-memory.mjs';
import { runFor } from './run-loop.mjs';
import { HLE_TRAP, buildHleRom, installHleRom } from './hle-rom/hle-rom.mjs';
import { writeFileSync } from 'node:fs';

const port = parentPort;
const FLASH_START = 0x10000000;
/** Cycles emulated between looks at the host's messages. */
const SLICE_CYCLES = 2_000_000;

let rp2040js;
let mcu;
let clock;
/** The host's bytes on their way into the firmware's USB serial port. */
let input;
/** Bytes that arrived before the chip booted. */
let early = [];
let running = false;
let stopped = false;
/** Flash contents kept across a watchdog reset (`machine.reset()`): rp2040js's reset() erases it. */
let flash;
let config;
let cycles = 0;
let flashWrites = 0;
/** Without a ROM file: the written ROM (built once), its trap handler for the chip now running. */
let hleRom;
let traps;
/** Cycles charged by the written ROM's routines on chips before this one (a watchdog reset). */
let chargedBefore = 0;
/** A development aid (README "Emulated RP2040"): where to keep the written ROM's routine calls. */
const TRACE_FILE = process.env.PICOGC_HLE_TRACE;
let tracedCalls = 0;

// rp2040js reports unmodelled registers with console.warn (e.g. SIO 0x50 at boot): keep each
// distinct text once, as a warning for the host, instead of writing to the user's terminal.
const warned = new Set();
console.warn =
  console.error =
  console.log =
    (...parts) => {
      const line = parts.map(String).join(' ');
      if (warned.has(line) || warned.size > 100) return;
      warned.add(line);
      port.postMessage({ type: 'warning', line });
    };

port.on('message', (message) => {
  void handle(message);
});

async function handle(message) {
  try {
    switch (message.type) {
      case 'start':
        config = message;
        rp2040js = await import('rp2040js').catch((error) => {
          throw new Error(`cannot load rp2040js (npm i rp2040js@1.4.1): ${error.message}`);
        });
        flash = new Uint8Array(message.flashSize).fill(0xff);
        flash.set(message.flash);
        boot();
        port.postMessage({ type: 'started' });
        run();
        break;
      case 'input':
        if (input) input.push(message.bytes);
        else early.push(message.bytes);
        run(); // a chip asleep with nothing scheduled wakes for it
        break;
      case 'stop':
        stopped = true;
        port.postMessage({ type: 'stopped', cycles: cycles + romCycles(), flashWrites });
        break;
      default:
        throw new Error(`unknown message type ${String(message.type)}`);
    }
  } catch (error) {
    stopped = true;
    port.postMessage({ type: 'crashed', message: error instanceof Error ? error.message : String(error) });
  }
}

/** Power-on (or watchdog) reset: a fresh chip with the ROM patched and the flash kept. */
function boot() {
  const { RP2040, USBCDC } = rp2040js;
  mcu = installFastMemory(new RP2040()); // with its SimulationClock: time is emulated cycles, not the host's
  clock = mcu.clock;
  // rp2040js logs every USB transfer at its default level; only its errors are worth a line.
  mcu.logger = {
    debug() {},
    info() {},
    warn() {},
    error(component, message) {
      console.warn(`${component}: ${message}`);
    },
  };
  const kept = installFastDecode(mcu.core);
  if (kept) console.warn(kept); // slower, not different: said once, as a warning
  chargedBefore = romCycles();
  if (config.bootrom) {
    mcu.loadBootrom(patchedBootrom());
    traps = undefined;
  } else {
    hleRom ??= buildHleRom();
    traps = installHleRom(mcu, { rom: hleRom, flashWritten: () => flashWrites++ }).traps;
  }
  mcu.flash.set(flash.subarray(0, Math.min(flash.length, mcu.flash.length)));
  flash = mcu.flash; // from now on the chip's own array is the flash
  mcu.onBreak = onBreak;
  // rp2040js keeps its peripherals by base address; the watchdog is at 0x40058000.
  const watchdog = mcu.peripherals[0x40058];
  watchdog.onWatchdogTrigger = () => {
    const kept = new Uint8Array(mcu.flash);
    port.postMessage({ type: 'reset', reason: 'watchdog' });
    flash = kept;
    boot();
  };
  const cdc = new USBCDC(mcu.usbCtrl);
  // Bytes the host sent before a watchdog reset still reach the firmware, as they did before.
  const carried = input?.takeQueued() ?? early;
  input = new CdcInput(cdc);
  for (const bytes of carried) input.push(bytes);
  cdc.onDeviceConnected = () => port.postMessage({ type: 'connected' });
  cdc.onSerialData = (bytes) => port.postMessage({ type: 'output', bytes: Uint8Array.from(bytes) });
  // Boot as the ROM would after finding a valid boot2: run the image's second stage from flash.
  mcu.core.PC = FLASH_START;
}

/** The ROM with a BKPT at the entry of each routine the host replaces (see rp2040-emu.ts). */
function patchedBootrom() {
  const rom = new Uint32Array(
    config.bootrom.buffer.slice(
      config.bootrom.byteOffset,
      config.bootrom.byteOffset + config.bootrom.byteLength,
    ),
  );
  for (const [address, code] of config.hooks) {
    const entry = address & ~1;
    const word = entry >> 2;
    const shift = (entry & 2) * 8;
    rom[word] = ((rom[word] & ~(0xffff << shift)) | ((0xbe00 | code) << shift)) >>> 0;
  }
  return rom;
}

const HOOK_ERASE = 0xe0;
const HOOK_PROGRAM = 0xe1;
const HOOK_RETURN = 0xe2;

/** What the written ROM's routines work on: this chip's registers and memory, and the flash array. */
/** Cycles the written ROM's routines charged, on every chip so far. */
function romCycles() {
  return chargedBefore + (traps ? traps.chargedCycles : 0);
}

/** A stub of the written ROM: its routine runs; or it stops the chip (a crash, BOOTSEL). */
function onRomTrap() {
  const stop = traps.handle();
  if (!stop) return;
  stopped = true;
  mcu.core.waiting = true; // the batch ends at once: nothing more runs on a stopped chip
  if (stop.usbBoot) {
    port.postMessage({ type: 'bootsel', ...stop.usbBoot });
  } else {
    port.postMessage({ type: 'crashed', message: stop.crash });
  }
}

/** Keep the written ROM's routine calls in TRACE_FILE (JSON, by routine name) when they changed. */
function traceCalls() {
  if (!TRACE_FILE || !traps) return;
  let total = 0;
  for (const count of traps.calls.values()) total += count;
  if (total === tracedCalls) return;
  tracedCalls = total;
  writeFileSync(TRACE_FILE, JSON.stringify(Object.fromEntries(traps.calls), null, 1));
}

/**
 * A breakpoint: a stub of the written ROM, or a real ROM routine replaced with a BKPT (do its work
 * on the flash array, then return to the caller).
 */
function onBreak(code) {
  const core = mcu.core;
  const r = core.registers;
  if (traps && code === HLE_TRAP) {
    onRomTrap();
    return;
  }
  if (code === HOOK_ERASE) {
    // flash_range_erase(addr, count, block_size, block_cmd): addr and count are flash offsets.
    const start = r[0] >>> 0;
    const end = Math.min(flash.length, start + (r[1] >>> 0));
    if (start < end) flash.fill(0xff, start, end);
    flashWrites++;
  } else if (code === HOOK_PROGRAM) {
    // flash_range_program(addr, data, count): NOR flash only clears bits.
    const start = r[0] >>> 0;
    const data = r[1] >>> 0;
    const count = r[2] >>> 0;
    for (let i = 0; i < count && start + i < flash.length; i++) flash[start + i] &= mcu.readUint8(data + i);
    flashWrites++;
  } else if (code !== HOOK_RETURN) {
    stopped = true;
    port.postMessage({ type: 'crashed', message: `breakpoint ${code} at 0x${(core.PC >>> 0).toString(16)}` });
    return;
  }
  core.PC = core.LR & ~1;
}

function feedInput() {
  input.feed();
}

function run() {
  if (running || stopped) return;
  running = true;
  // A watchdog reset inside a slice replaces the chip: the slice ends there, the next runs the new one.
  const machine = { core: mcu.core, clock, feedInput, stopped: () => stopped || machine.core !== mcu.core };
  const slice = () => {
    let outcome;
    try {
      machine.core = mcu.core;
      machine.clock = clock;
      const result = runFor(machine, SLICE_CYCLES);
      cycles += result.cycles;
      outcome = result.outcome;
      traceCalls();
    } catch (error) {
      stopped = true;
      running = false;
      port.postMessage({
        type: 'crashed',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      return;
    }
    if (outcome === 'budget' || (outcome === 'stopped' && !stopped)) {
      setImmediate(slice); // let the host's messages in, then go on
    } else {
      // Stopped, or asleep with nothing scheduled: nothing runs until the host sends input.
      running = false;
    }
  };
  slice();
}

void workerData;
