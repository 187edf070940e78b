import { createHash } from 'node:crypto';
import type { ClockKind } from './vm-protocol.ts';
import { workClockCalibration } from './work-clock.ts';

/**
 * What the virtual Pico is, and every way it differs from a Raspberry Pi Pico running MicroPython
 * v1.28.0. `picogc_sim.capabilities()` returns this as JSON (plus the boot-time calibration and GC
 * total), so a host reading device info sees the differences instead of guessing them.
 */

/** `loadMicroPython({heapsize})` that gives `GC: total: 245888`, a v1.28.0 RPI_PICO's heap. */
export const PICO_HEAP_BYTES = 251_700;

export const VM_PACKAGE = '@micropython/micropython-webassembly-pyscript';
export const VM_VERSION = '1.27.0';

export interface Difference {
  id: string;
  detail: string;
}

/** What the shipped work-clock calibration was fitted to, for the declaration below. */
const FITTED = (() => {
  const { provenance } = workClockCalibration();
  return {
    points: provenance.fittedTo.length,
    worstPercent: (provenance.worstRelativeError * 100).toFixed(1),
    setAside: provenance.setAside.length,
  };
})();

/** How the virtual Pico's time differs from a Pico's, for each clock it can run on. */
export const CLOCK_DIFFERENCES: Record<ClockKind, readonly Difference[]> = {
  work: [
    {
      id: 'work-clock-collection',
      detail: `a timed collection is the closing collection of the previous execution (picogc_sim.last_collect_us()), timed by the work clock: the wasm instructions and the br_tables (C switches) the VM counted in it (picogc_sim.last_collect_work(), last_collect_tables()), minus those of an execution that collects nothing, converted to Pico µs by a plane fitted to ${FITTED.points} configurations of the default profile on a stock v1.28.0 RPI_PICO build (each within ±${FITTED.worstPercent}% of its pause there; ${FITTED.setAside} more where that build keeps an object alive through a false root are listed apart in src/sim/work-clock.calibration.json). An estimate of a Pico's pause from the VM's work, deterministic (the same on any host, under any load), not a measurement of a board; not ticks_us around gc.collect() inside a script.`,
    },
    {
      id: 'work-clock-ticks',
      detail:
        "time.ticks_us(), ticks_ms() and ticks_cpu() read the work clock (1 µs resolution, the VM's counted wasm instructions as Pico time): how long a Pico would have taken by that estimate, not the time that passed. time.sleep(), sleep_ms() and sleep_us() add the time slept to it and return at once. time.time() is the host's.",
    },
  ],
  host: [
    {
      id: 'host-timed-collection',
      detail:
        'a timed collection is the host-measured time of the closing collection of the previous execution (picogc_sim.last_collect_us()), minus a boot-time calibration; not ticks_us around gc.collect() inside a script.',
    },
    {
      id: 'ticks-ms-resolution',
      detail: 'time.ticks_us() advances in steps of 1000 (Date.now() based); time.ticks_cpu() returns 0.',
    },
  ],
};

const INTERRUPT_DETAIL: Record<ClockKind, string> = {
  work: 'Ctrl-C is delivered into the VM thread through the V8 inspector; code that never reaches a pending-exception check (a long loop inside one builtin call, e.g. sum(range(10**9))) is ended by replacing the VM after the grace period: all state is lost and picogc_sim.resets() counts it.',
  host: 'Ctrl-C is delivered into the VM thread through the V8 inspector; code that never reaches a pending-exception check (time.sleep is a busy wait here) is ended by replacing the VM after the grace period: all state is lost and picogc_sim.resets() counts it.',
};

/** The differences that do not depend on the clock. */
const BEFORE_CLOCK: readonly Difference[] = [
  {
    id: 'deferred-collection',
    detail:
      'gc.collect(), the threshold and allocation failures only flag a collection; it runs when the execution returns to the host, never inside a script.',
  },
  {
    id: 'growing-heap',
    detail:
      'when the heap is full the VM adds heap areas (up to 128 MiB) instead of collecting or raising MemoryError; gc.mem_free() includes that room, mem_info adds ", max new split". Larger requests still raise MemoryError.',
  },
];

const AFTER_CLOCK: readonly Difference[] = [
  {
    id: 'double-precision-floats',
    detail: 'floats are double precision (a Pico has single); a float object still takes one 16-byte block.',
  },
  {
    id: 'interrupt-may-reset',
    detail: INTERRUPT_DETAIL.host,
  },
  {
    id: 'vm-is-webassembly-port',
    detail:
      'MicroPython v1.27.0 webassembly (pyscript variant), not v1.28.0 rp2: pystack (frames off the GC heap), stack limit 32768, no littlefs, FAT (see python-filesystems) or _thread, a finaliser table but no weakref table, so heap contents and geometry differ from a Pico.',
  },
  {
    id: 'minimal-machine',
    detail: 'machine is a small Python module with unique_id() (stable per seed) and soft_reset() only.',
  },
  {
    id: 'python-filesystems',
    detail:
      "os.VfsLfs2 and os.VfsFat (also in vfs) are Python classes (/lib/picogc_vfs.py, picogc_blockfs.py, picogc_file.py) that os.mount and vfs.mount mount through the VM's VFS layer; mount also takes a block device and detects which. They keep the files on the script's block device through its readblocks, writeblocks and ioctl, as littlefs and FatFs use it (VfsLfs2: extended interface, each block erased with ioctl 6 before it is written, OSError 84 for a device it cannot read; VfsFat: simple interface, ENODEV until formatted, names compared without case, times to 2 s), but in picogc's own format (superblock 'picogcfs', an allocation table, chains of blocks), not littlefs or FAT: a littlefs or FAT image does not mount here, and tools for either cannot read what is written here. Errors follow littlefs and FatFs. Not there: wear levelling, power-loss safety, readsize/progsize/lookahead (accepted, unused), flushing a file that is never closed (no finaliser), two open handles on one file seeing each other's writes. They are imported (about 15 KB of heap, which every later collection marks) before the first execution whose source names vfs, Vfs…, mount, umount or mkfs, or imports picogc_vfs; a module read from a file that uses them needs one of those names in the execution that imports it.",
  },
  {
    id: 'stdin-while-running',
    detail:
      "a running script's sys.stdin reads get the host's bytes as on a Pico (after its line in friendly mode, after its Ctrl-D in raw mode); only what a read asks for leaves the REPL's input, and a Ctrl-C interrupts a read that waits. On the work clock, time stands still while a read waits (ticks_us does not advance). input() is Python (/lib/picogc_input.py, about 0.7 KB of heap, imported before an execution whose source names input): prompt, echo, backspace, Enter, Ctrl-C, Ctrl-D; no cursor keys, history or tab completion.",
  },
  {
    id: 'server-side-raw-paste',
    detail:
      "raw-paste is answered by the server: flow-control bytes are sent on receipt, the source is compiled after the closing Ctrl-D, so a compile error never ends the upload early; source bytes 0x01/0x02 are refused. The source reaches the VM as a classic raw line, so the REPL's line buffer grows to the longest pasted source and keeps its text, which every collection scans (a Pico reads raw paste through a small window and leaves that buffer alone).",
  },
  {
    id: 'output-cooking',
    detail:
      'output is cooked by the server (a lone \\n becomes \\r\\n); a \\r\\n that a program prints itself is not turned into \\r\\r\\n as on a Pico.',
  },
  {
    id: 'unbounded-input-buffer',
    detail: 'input is queued without limit while code runs (a Pico keeps 512 bytes).',
  },
];

/** Every declared difference of a virtual Pico timed by `clock`, in the order a report lists them. */
export function differences(clock: ClockKind): Difference[] {
  return [...BEFORE_CLOCK, ...CLOCK_DIFFERENCES[clock], ...AFTER_CLOCK].map((d) =>
    d.id === 'interrupt-may-reset' ? { id: d.id, detail: INTERRUPT_DETAIL[clock] } : d,
  );
}

export interface CapabilityOptions {
  heapBytes: number;
  seed: number;
  interruptGraceMs: number;
  clock: ClockKind;
  /** The image the bootloader took, if any. */
  build?: FlashedBuild;
}

export function capabilities(options: CapabilityOptions): Record<string, unknown> {
  return {
    device: 'picogc-virtual-pico',
    vm: {
      package: VM_PACKAGE,
      version: VM_VERSION,
      port: 'webassembly',
      variant: 'pyscript',
      // The package's wasm with a work counter added and its clock put on it (src/sim/instrument-vm.ts).
      ...(options.clock === 'work' ? { instrumented: 'work-clock' } : {}),
    },
    heapBytes: options.heapBytes,
    seed: options.seed,
    uniqueId: uniqueId(options.seed).toString('hex'),
    interruptGraceMs: options.interruptGraceMs,
    clock: options.clock,
    collectTiming: {
      module: 'picogc_sim',
      function: 'last_collect_us',
      method: COLLECT_METHOD[options.clock],
    },
    differences: [
      ...differences(options.clock),
      ...(options.build ? [flashedImageDifference(options.build)] : []),
    ],
    ...(options.build ? { flashedImage: options.build } : {}),
  };
}

const COLLECT_METHOD: Record<ClockKind, string> = {
  work: 'work clock: wasm instructions the instrumented VM counted from the last output byte of an execution to the VM call returning, which is when the pyscript VM runs a flagged collection; minus the same count for an execution that flags none; as Pico µs = collectionFixedUs + count × cyclesPerCount / picoHz (src/sim/work-clock.calibration.json)',
  host: 'host monotonic clock (process.hrtime) from the last output byte of an execution to the VM call returning, which is when the pyscript VM runs a flagged collection; minus the median of the same gap over executions that flag none',
};

/** Eight bytes like a Pico's flash unique id, derived from the seed so runs are reproducible. */
export function uniqueId(seed: number): Buffer {
  return createHash('sha256').update(`picogc virtual Pico ${seed}`).digest().subarray(0, 8);
}

/** `/lib/machine.py` for the VM: only what the virtual Pico can honestly provide. */
export function machineSource(seed: number): string {
  const literal = [...uniqueId(seed)].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('');
  return [
    '# picogc virtual Pico: the parts of machine it can honestly provide.',
    'def unique_id():',
    `    return b'${literal}'`,
    '',
    'def soft_reset():',
    '    raise SystemExit',
    '',
    'def bootloader():',
    '    # The board leaves for its boot ROM: the host sees the link drop; nothing after this runs.',
    '    import picogc_sim',
    '    picogc_sim.bootloader()',
    '    raise SystemExit',
    '',
  ].join('\n');
}

/**
 * `/lib/picogc_sim.py`: what a script (and the host's `timedCollect()`) reads of the virtual Pico.
 * The worker's `_picogc_sim` hands figures over as decimal text: a JS number past 2**31 reaches
 * Python wrapped round (a 2.2 s pause in ns is past it), a Python int does not.
 */
export const PICOGC_SIM_SOURCE = [
  '# picogc virtual Pico: the host-side figures, as Python ints.',
  'import _picogc_sim as _js',
  '',
  'def last_collect_us():',
  '    return int(_js.last_collect_us())',
  '',
  'def last_collect_ns():',
  '    return int(_js.last_collect_ns())',
  '',
  'def last_collect_work():',
  '    return int(_js.last_collect_work())',
  '',
  'def last_collect_tables():',
  '    return int(_js.last_collect_tables())',
  '',
  'def clock():',
  '    return _js.clock()',
  '',
  'def capabilities():',
  '    return _js.capabilities()',
  '',
  'def resets():',
  '    return _js.resets()',
  '',
  'def bootloader():',
  '    _js.bootloader()',
  '',
].join('\n');

/** A UF2 image the virtual Pico's bootloader took: from then on it reports the image's build. */
export interface FlashedBuild {
  /** What `os.uname().version` answers: the image's, e.g. `v1.28.0 on 2026-04-06 (GNU 12.2.1 MinSizeRel)`. */
  unameVersion: string;
  sha256: string;
  /** The MicroPython tag in the image, e.g. `v1.28.0`. */
  version: string;
}

export const FLASHED_IMAGE_DIFFERENCE = 'flashed-image-not-executed';

/** The declared difference once an image was flashed: its build string is reported, its code never runs. */
export function flashedImageDifference(build: FlashedBuild): Difference {
  return {
    id: FLASHED_IMAGE_DIFFERENCE,
    detail:
      `the bootloader took UF2 image sha256 ${build.sha256} and os.uname().version reports its build ` +
      `(${build.unameVersion}); the code that runs is still the ${VM_PACKAGE} ${VM_VERSION} VM, not the image.`,
  };
}

/**
 * `/lib/picogc_os.py`: the VM's `os` plus an `uname()` whose version is the flashed image's (the
 * webassembly port has no `os.uname`). Installed as `sys.modules["os"]` at boot.
 */
export function flashedOsSource(build: FlashedBuild): string {
  return [
    '# picogc virtual Pico: os as the VM has it, plus uname() naming the flashed image.',
    'from os import *',
    'from collections import namedtuple',
    '',
    '_uname = namedtuple("uname_result", ("sysname", "nodename", "release", "version", "machine"))',
    '',
    'def uname():',
    `    return _uname("rp2", "rp2", ${pyString(build.version.replace(/^v/, ''))}, ${pyString(build.unameVersion)}, ${pyString(`picogc virtual Pico (${VM_PACKAGE} ${VM_VERSION})`)})`,
    '',
  ].join('\n');
}

export const FLASHED_OS_BOOT = 'import sys, picogc_os\nsys.modules["os"] = picogc_os\ndel sys, picogc_os';

/** A Python string literal of printable ASCII (image strings are; anything else is escaped). */
function pyString(text: string): string {
  return `"${[...text]
    .map((ch) => {
      const code = ch.charCodeAt(0);
      if (ch === '"' || ch === '\\') return `\\${ch}`;
      return code >= 0x20 && code < 0x7f ? ch : `\\x${(code & 0xff).toString(16).padStart(2, '0')}`;
    })
    .join('')}"`;
}
