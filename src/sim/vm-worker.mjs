// The MicroPython VM's thread. Plain JavaScript on purpose: a worker that needs no loader starts in
// ~60 ms under vitest, tsx and plain node alike, where a .ts worker needs tsx registered inside the
// thread (~350 ms, and Node 20 does not pass `--import` hooks to a worker's entry module reliably).
// Everything with a choice in it (protocol state, banners, capabilities, machine.py) lives in the
// TypeScript host (vm.ts, repl-server.ts); this file only runs the VM, streams its bytes and times
// the collection that closes each execution. Message shapes: vm-protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript';

const port = parentPort;
const { control, data } = openRing(workerData.ring);

/** The live VM (a fresh wasm instance after every boot). */
let mp;
/** Output goes to the ring, except while booting, when it is captured here. */
let captured = null;
/** Last four output bytes (big-endian in a uint32): recognises prompts without keeping text. */
let tail = 0;
let callWroteOutput = false;
let lastOutputAt = 0n;
let calibrationNs = 0;
let lastCollectNs = 0;
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
    // stays out of the gap that times the collection.
    lastOutputAt = process.hrtime.bigint();
  }
}

const RAW_FRAME_END = 0x043e; // "\x04>"
const FRIENDLY_PROMPT = 0x3e3e3e20; // ">>> "

/** Did the call that just returned end an execution (so its closing collection has just run)? */
function endedExecution(byte) {
  if (!callWroteOutput) return false;
  if ((tail & 0xffff) === RAW_FRAME_END) return true;
  return tail === FRIENDLY_PROMPT && (byte === 0x0d || byte === 0x04);
}

/**
 * Feed one byte to the VM's event-driven REPL. The pyscript build collects only when control returns
 * to JS, after the REPL has printed its last byte: the time from that byte to the return is the
 * collection (plus a constant, the calibration).
 */
function processByte(byte) {
  callWroteOutput = false;
  const ret = mp.replProcessChar(byte);
  const returnedAt = process.hrtime.bigint();
  const ended = endedExecution(byte);
  return { ret, ended, gapNs: ended ? Number(returnedAt - lastOutputAt) : 0 };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

// Called on this thread through the V8 inspector while the thread is paused (keyboard-interrupt.ts).
// Only a running execution gets the KeyboardInterrupt: the REPL sets the interrupt char to Ctrl-C
// exactly while code runs, as on a Pico, where a Ctrl-C at any other time is an ordinary byte.
globalThis.__picogcKeyboardInterrupt = (seq) => {
  if (!mp || busySeq !== seq || mp._module._mp_hal_get_interrupt_char() !== 3) return false;
  interruptedSeq = seq;
  mp._module._mp_sched_keyboard_interrupt();
  return true;
};

async function boot(config) {
  const started = performance.now();
  captured = [];
  mp = await loadMicroPython({
    heapsize: config.heapBytes,
    linebuffer: false,
    stdout: onOutput,
    stderr: onOutput,
  });
  const loadMs = performance.now() - started;
  resets = config.resets;
  bootloaderRequested = false;
  mp.FS.mkdirTree('/lib');
  mp.FS.writeFile('/lib/machine.py', config.machineSource);
  for (const [name, source] of Object.entries(config.libFiles ?? {})) mp.FS.writeFile(`/lib/${name}`, source);
  mp.registerJsModule('picogc_sim', {
    last_collect_us: () => Math.max(0, Math.round(lastCollectNs / 1000)),
    last_collect_ns: () => Math.max(0, Math.round(lastCollectNs)),
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
  for (let i = 0; i < config.calibrationRuns; i++) {
    processBytes([0x70, 0x61, 0x73, 0x73]); // "pass"
    const { gapNs } = processByte(0x04);
    gaps.push(gapNs);
  }
  calibrationNs = median(gaps);
  lastCollectNs = 0;
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
    calibrationNs,
    gcTotalBytes: parseGcTotal(memInfo),
  });
  captured = [];
  // The VM is in raw mode after calibration: Ctrl-A prints the raw banner, Ctrl-B the friendly one.
  processBytes([config.mode === 'raw' ? 0x01 : 0x02]);
  const output = Uint8Array.from(captured);
  captured = null;
  return { output, memInfo, calibrationNs, loadMs, bootMs: performance.now() - started };
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
  let consumed = 0;
  let exitCode = 0;
  try {
    for (const byte of bytes) {
      // After a delivered Ctrl-C the rest of the segment is dropped: a Pico clears its stdin ring.
      if (interruptedSeq === seq || bootloaderRequested) break;
      const { ret, ended, gapNs } = processByte(byte);
      consumed++;
      if (ended) lastCollectNs = gapNs - calibrationNs;
      if (ret !== 0) {
        exitCode = ret;
        break;
      }
    }
  } finally {
    busySeq = -1;
  }
  return {
    type: 'fed',
    seq,
    consumed,
    exitCode,
    interrupted: interruptedSeq === seq,
    lastCollectNs,
    bootloader: bootloaderRequested,
  };
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
      default:
        throw new Error(`unknown message type ${String(message.type)}`);
    }
  } catch (error) {
    mp = undefined;
    port.postMessage({ type: 'crashed', message: error instanceof Error ? error.message : String(error) });
  }
}
