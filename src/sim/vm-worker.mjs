// The MicroPython VM's thread. Plain JavaScript on purpose: a worker that needs no loader starts in
// ~60 ms under vitest, tsx and plain node alike, where a .ts worker needs tsx registered inside the
// thread (~350 ms, and Node 20 does not pass `--import` hooks to a worker's entry module reliably).
// Everything with a choice in it (protocol state, banners, capabilities, machine.py) lives in the
// TypeScript host (vm.ts, repl-server.ts); this file only runs the VM, streams its bytes and times
// the collection that closes each execution. Message shapes: vm-protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript';
import { captureInstances } from './vm-instance.mjs';
import { Stdin } from './vm-stdin.mjs';
import { keepProxyFreesOut } from './vm-proxy-frees.mjs';

const port = parentPort;
const { control, data } = openRing(workerData.ring);
/** A running script's sys.stdin: the rest of the fed bytes, then the host's stdin ring. */
const stdin = new Stdin(workerData.stdin, port);

/** The live VM (a fresh wasm instance after every boot). */
let mp;
/** Output goes to the ring, except while booting, when it is captured here. */
let captured = null;
/** Last four output bytes (big-endian in a uint32): recognises prompts without keeping text. */
let tail = 0;
let callWroteOutput = false;
/** The clock that times collections: 'work' (the instrumented VM's counter) or 'host' (hrtime). */
let clock = { kind: 'host' };
/** The work clock's exports of the live VM (instrument-vm.ts), when the clock is 'work'. */
let workExports;
/** Clock readings in the clock's unit: counted instructions, or host nanoseconds. */
let lastOutputAt = 0n;
/** The work clock's `br_table` count at that reading (0 on the host clock). */
let lastOutputTables = 0n;
/** What an execution that collects nothing costs between its last byte and the return. */
let calibration = 0;
let tablesCalibration = 0;
let lastCollect = { ns: 0, work: 0, tables: 0 };
/** Random numbers the instrumented VM draws (mp_js_random_u32), from the seed: runs repeat. */
const instances = captureInstances(() => (clock.kind === 'work' ? seededRandom : undefined));
let seededRandom;
let busySeq = -1;
let interruptedSeq = -1;
let resets = 0;
let capabilities = '{}';
/** Set by `machine.bootloader()`: the board has left for its boot ROM, so nothing more goes out. */
let bootloaderRequested = false;

function openRing(buffer) {
  return { control: new Int32Array(buffer, 0, 4), data: new Uint8Array(buffer, 16) };
}

// Ring layout (vm-protocol.ts): control[0] bytes written, control[1] bytes read, control[2] = 1 when
// the host is waiting for a doorbell. Counters wrap as int32; only differences are used.
function ringPut(byte) {
  const written = control[0];
  while (((written - Atomics.load(control, 1)) | 0) >= data.length) {
    port.postMessage({ type: 'ring' });
    Atomics.wait(control, 1, Atomics.load(control, 1), 50);
  }
  data[written & (data.length - 1)] = byte;
  Atomics.store(control, 0, (written + 1) | 0);
  if (Atomics.exchange(control, 2, 0) === 1) port.postMessage({ type: 'ring' });
}

function onOutput(bytes) {
  for (const byte of bytes) {
    tail = ((tail << 8) | byte) >>> 0;
    callWroteOutput = true;
    if (bootloaderRequested) continue;
    if (captured) captured.push(byte);
    else ringPut(byte);
    // Taken after the byte is delivered, so the cost of delivering it (a doorbell message, say)
    // stays out of the gap that times the collection (it only matters to the host clock).
    lastOutputAt = now();
    lastOutputTables = tablesNow();
  }
}

// Plain .mjs run without a loader, so it cannot import src/protocol/raw-repl-vocabulary.ts: its markers stay literals here.
const RAW_FRAME_END = 0x043e; // "\x04>"
const FRIENDLY_PROMPT = 0x3e3e3e20; // ">>> "

/** Did the call that just returned end an execution (so its closing collection has just run)? */
function endedExecution(byte) {
  if (!callWroteOutput) return false;
  if ((tail & 0xffff) === RAW_FRAME_END) return true;
  return tail === FRIENDLY_PROMPT && (byte === 0x0d || byte === 0x04);
}

/** Now, in the clock's unit: instructions the VM has counted, or host nanoseconds. */
function now() {
  return workExports ? workExports.picogc_work.value : process.hrtime.bigint();
}

/** The `br_table`s the VM has counted (work-counter-pass.mjs), or 0 on the host clock. */
function tablesNow() {
  return workExports ? workExports.picogc_tables.value : 0n;
}

/**
 * Feed one byte to the VM's event-driven REPL. The pyscript build collects only when control returns
 * to JS, after the REPL has printed its last byte: the clock's advance from that byte to the return
 * is the collection (plus a constant, the calibration).
 */
function processByte(byte) {
  callWroteOutput = false;
  const ret = mp.replProcessChar(byte);
  const returnedAt = now();
  const tablesAt = tablesNow();
  const ended = endedExecution(byte);
  if (!ended) return { ret, ended, gap: 0, tableGap: 0 };
  return {
    ret,
    ended,
    gap: Number(returnedAt - lastOutputAt),
    tableGap: Number(tablesAt - lastOutputTables),
  };
}

/** The closing collection from its gaps: host ns as measured, or Pico ns estimated from the work. */
function collectionFrom({ gap, tableGap }) {
  const measured = Math.max(0, gap - calibration);
  if (clock.kind === 'host') return { ns: measured, work: 0, tables: 0 };
  if (measured === 0) return { ns: 0, work: 0, tables: 0 }; // nothing was flagged: no collection ran
  const tables = Math.max(0, tableGap - tablesCalibration);
  // The part of a Pico's pause the VM does not run is Pico time too: ticks_us sees it.
  workExports.picogc_extra_us.value += BigInt(Math.round(clock.collectionFixedUs));
  const us = clock.collectionFixedUs + measured * clock.usPerCount + tables * clock.usPerTable;
  return { ns: us * 1000, work: measured, tables };
}

/** Pico µs on the work clock, as the VM's ticks read it (work-clock-time-patch.ts). */
function nowUs(exports) {
  const counted = Math.floor(
    Number(exports.picogc_work.value) * exports.picogc_us_per_count.value +
      Number(exports.picogc_tables.value) * exports.picogc_us_per_table.value,
  );
  return BigInt(counted) + exports.picogc_extra_us.value;
}

/** xorshift32 from the seed (never 0): mp_js_random_u32 of the work-clock VM. */
function xorshift32(seed) {
  let state = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

// Called on this thread through the V8 inspector while the thread is paused (keyboard-interrupt.ts).
// Only a running execution gets the KeyboardInterrupt: the REPL sets the interrupt char to Ctrl-C
// exactly while code runs, as on a Pico, where a Ctrl-C at any other time is an ordinary byte.
// A script blocked on stdin with the interrupt char off (micropython.kbd_intr(-1), as mpremote's
// mount protocol does) is what makes a Ctrl-C an ordinary byte on a Pico while code runs: 'data'
// tells the host to hand it to the script.
globalThis.__picogcKeyboardInterrupt = (seq) => {
  if (!mp || busySeq !== seq) return false;
  if (mp._module._mp_hal_get_interrupt_char() !== 3) return stdin.waiting ? 'data' : false;
  interruptedSeq = seq;
  mp._module._mp_sched_keyboard_interrupt();
  stdin.interrupted();
  return true;
};

async function boot(config) {
  const started = performance.now();
  captured = [];
  // Pico time goes on across a soft reset (its timer is not reset): the new VM starts where the
  // old one's clock was.
  const carriedUs = workExports ? nowUs(workExports) : 0n;
  clock = config.clock;
  workExports = undefined;
  seededRandom = clock.kind === 'work' ? xorshift32(clock.seed) : undefined;
  mp = await loadMicroPython({
    heapsize: config.heapBytes,
    linebuffer: false,
    stdout: onOutput,
    stderr: onOutput,
    ...(clock.kind === 'work' ? { url: clock.wasmPath } : {}),
  });
  // The glue would free proxies in whichever VM loaded last, whenever V8 collects (vm-proxy-frees.mjs).
  keepProxyFreesOut();
  if (clock.kind === 'work') {
    workExports = instances.last().exports;
    if (!workExports.picogc_work)
      throw new Error(`${clock.wasmPath} is not a work-clock VM (no picogc_work export)`);
    workExports.picogc_us_per_count.value = clock.usPerCount;
    workExports.picogc_us_per_table.value = clock.usPerTable;
    workExports.picogc_extra_us.value = carriedUs;
  }
  const loadMs = performance.now() - started;
  resets = config.resets;
  bootloaderRequested = false;
  stdin.attach(mp);
  mp.FS.mkdirTree('/lib');
  mp.FS.writeFile('/lib/machine.py', config.machineSource);
  for (const [name, source] of Object.entries(config.libFiles ?? {})) mp.FS.writeFile(`/lib/${name}`, source);
  // Behind /lib/picogc_sim.py (capabilities.ts): figures go out as decimal text, which that module
  // turns into Python ints; a JS number past 2**31 would reach Python wrapped round.
  mp.registerJsModule('_picogc_sim', {
    last_collect_us: () => String(Math.round(lastCollect.ns / 1000)),
    last_collect_ns: () => String(Math.round(lastCollect.ns)),
    // The instructions the VM counted in it (0 on the host clock): the figure the µs come from.
    last_collect_work: () => String(lastCollect.work),
    last_collect_tables: () => String(lastCollect.tables),
    clock: () => clock.kind,
    capabilities: () => capabilities,
    resets: () => resets,
    bootloader: () => {
      bootloaderRequested = true;
    },
  });
  if (config.bootSource) mp.runPython(config.bootSource);
  // Threshold off while calibrating, so no execution below flags a collection.
  mp.runPython('__import__("gc").threshold(-1)');
  mp.replInit();
  processBytes([0x01]);
  const gaps = [];
  const tableGaps = [];
  calibration = 0;
  tablesCalibration = 0;
  for (let i = 0; i < config.calibrationRuns; i++) {
    processBytes([0x70, 0x61, 0x73, 0x73]); // "pass"
    const { gap, tableGap } = processByte(0x04);
    gaps.push(gap);
    tableGaps.push(tableGap);
  }
  calibration = median(gaps);
  tablesCalibration = median(tableGaps);
  lastCollect = { ns: 0, work: 0, tables: 0 };
  captured = [];
  mp.runPython('__import__("micropython").mem_info()');
  const memInfo = Buffer.from(captured).toString('latin1');
  // Pico state that survives a soft reset is carried over; then a clean heap, as after a reboot.
  const { threshold, enabled } = config.gc;
  mp.runPython(
    `__import__("gc").threshold(${threshold})\n` +
      (enabled ? '' : '__import__("gc").disable()\n') +
      '__import__("gc").collect()',
  );
  capabilities = JSON.stringify({
    ...config.capabilities,
    // In the clock's unit: host ns, or counted instructions (the same every boot).
    calibration: { [clock.kind === 'work' ? 'work' : 'ns']: calibration },
    gcTotalBytes: parseGcTotal(memInfo),
  });
  captured = [];
  // The VM is in raw mode after calibration: Ctrl-A prints the raw banner, Ctrl-B the friendly one.
  processBytes([config.mode === 'raw' ? 0x01 : 0x02]);
  const output = Uint8Array.from(captured);
  captured = null;
  return { output, memInfo, calibration, loadMs, bootMs: performance.now() - started };
}

function parseGcTotal(memInfo) {
  const match = /GC: total: (\d+),/.exec(memInfo);
  return match ? Number(match[1]) : null;
}

function processBytes(bytes) {
  for (const byte of bytes) processByte(byte);
}

function feed(seq, bytes) {
  busySeq = seq;
  // Shared with stdin: a script started by one of these bytes reads the ones after it first.
  const segment = { bytes, index: 0 };
  stdin.segment = segment;
  let exitCode = 0;
  try {
    while (segment.index < bytes.length) {
      // After a delivered Ctrl-C the rest of the segment is dropped: a Pico clears its stdin ring.
      if (interruptedSeq === seq || bootloaderRequested) break;
      const step = processByte(bytes[segment.index++]);
      const { ret } = step;
      if (step.ended) lastCollect = collectionFrom(step);
      if (ret !== 0) {
        exitCode = ret;
        break;
      }
    }
  } finally {
    busySeq = -1;
    stdin.segment = null;
  }
  return {
    type: 'fed',
    seq,
    consumed: segment.index,
    exitCode,
    interrupted: interruptedSeq === seq,
    lastCollectNs: lastCollect.ns,
    lastCollectWork: lastCollect.work,
    bootloader: bootloaderRequested,
  };
}

/** Import surface modules (surface.ts) between executions, as boot runs its Python. */
function load(modules) {
  try {
    for (const name of modules) mp.runPython(`import ${name}`);
    return { type: 'loaded', error: null };
  } catch (error) {
    return { type: 'loaded', error: error instanceof Error ? error.message : String(error) };
  }
}

function gcConfig() {
  const gc = mp.pyimport('gc');
  return { type: 'gc-config', threshold: gc.threshold(), enabled: gc.isenabled() };
}

port.on('message', (message) => {
  void handle(message);
});

async function handle(message) {
  try {
    switch (message.type) {
      case 'boot':
        port.postMessage({ type: 'booted', ...(await boot(message.config)) });
        break;
      case 'feed':
        port.postMessage(feed(message.seq, message.bytes));
        break;
      case 'gc-config':
        port.postMessage(gcConfig());
        break;
      case 'load':
        port.postMessage(load(message.modules));
        break;
      default:
        throw new Error(`unknown message type ${String(message.type)}`);
    }
  } catch (error) {
    mp = undefined;
    port.postMessage({ type: 'crashed', message: error instanceof Error ? error.message : String(error) });
  }
}
