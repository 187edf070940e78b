import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DRIVE_KINDS } from '../firmware/bootsel-drive.ts';
import { VirtualBootselDrive, flashedBuildOf } from './bootsel.ts';
import type { FlashedBuild } from './capabilities.ts';
import { relayOnPseudoTerminal, type PtyBackend } from '../link/pseudo-terminal.ts';
import { VirtualPico, type VirtualPicoOptions } from './virtual-pico.ts';

export interface PtyServer {
  /** A path any serial tool can open as if it were a Pico (a symlink to the pty's /dev/pts/N). */
  path: string;
  /** Where the BOOTSEL drive appears after `machine.bootloader()` (default: `RPI-RP2` beside `path`). */
  driveDir: string;
  /** Where the pty comes from (npm's node-pty, or socat where node-pty has no binary). */
  readonly backend: PtyBackend;
  /** `repl`: serving on the pty; `bootsel`: pty gone, drive presented; `offline`: runs a non-MicroPython image. */
  readonly state: PtyState;
  /** The image the bootloader last took, when it carried a MicroPython build. */
  readonly build: FlashedBuild | undefined;
  /** VM replacements so far (see VirtualPico.resets), since the last reboot. */
  readonly resets: number;
  /**
   * Press RESET: from BOOTSEL (nothing copied) the board boots the firmware already in flash and
   * comes back on serial with the build it had; in any other state it reboots the same way.
   */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `repl`: serving the pty. `rebooting`: machine.bootloader() ran, the pty is going and the drive not
 * yet there. `bootsel`: the drive is there. `offline`: it took an image without a MicroPython build.
 */
export type PtyState = 'repl' | 'rebooting' | 'bootsel' | 'offline';

export interface ServePtyOptions extends Omit<VirtualPicoOptions, 'onBootloader' | 'build'> {
  path?: string;
  /** Where to present the BOOTSEL drive (default: `RPI-RP2` in the pty link's directory). */
  driveDir?: string;
  /** Told on each change of state (the drive appeared, the board is back, ...). */
  onState?: (state: PtyState, detail: string) => void;
  /** Default: node-pty, or socat where node-pty has no binary (`$PICOGC_PTY` chooses). */
  backend?: PtyBackend;
}

/**
 * A pseudo-terminal in front of a virtual Pico (`openPseudoTerminal`), its master joined to the
 * virtual Pico's link. The pty outlives its clients: a tool can open, close and reopen PATH. Output
 * written while no client has PATH open waits in the pty (a Pico's USB CDC would drop it); hosts
 * drain before raw mode anyway.
 *
 * `machine.bootloader()` does what it does to a Pico: the serial device goes away (the pty and its
 * link vanish) and a BOOTSEL drive appears (`driveDir`). A valid RP2040 UF2 copied there
 * reboots the board: the pty comes back at the same path, same unique id, reporting the image's
 * build. An image without a MicroPython build is taken too, but nothing answers on serial after it.
 */
export async function servePty(options: ServePtyOptions = {}): Promise<PtyServer> {
  const ownDir = options.path === undefined ? await mkdtemp(join(tmpdir(), 'picogc-sim-')) : undefined;
  const path = options.path ?? join(ownDir!, 'pico');
  const driveDir = options.driveDir ?? join(dirname(path), DRIVE_KINDS[0]!.label);
  const { onState, backend: chosen, path: _path, driveDir: _driveDir, ...picoOptions } = options;
  void _path;
  void _driveDir;

  let state: PtyState = 'repl';
  let build: FlashedBuild | undefined;
  let backend: PtyBackend = chosen ?? 'node-pty';
  let closed = false;
  let serving: Serving | undefined;
  let drive: VirtualBootselDrive | undefined;
  let cycle: Promise<void> = Promise.resolve();
  /** RESET pressed while `rebooting` is remembered, not lost, and applied once the drive is there. */
  let resetWhileEntering = false;

  const setState = (next: PtyState, detail: string) => {
    state = next;
    options.log?.(detail);
    onState?.(next, detail);
  };

  const serve = async (): Promise<Serving> => {
    const pico = await VirtualPico.start({
      ...picoOptions,
      ...(build ? { build } : {}),
      onBootloader: () => {
        cycle = cycle
          .then(() => bootsel())
          .catch((error: unknown) => {
            options.log?.(
              `virtual Pico bootloader: ${error instanceof Error ? error.message : String(error)}`,
            );
          });
      },
    });
    try {
      const serving = await relay(pico, path, chosen, options.log);
      backend = serving.backend;
      return serving;
    } catch (error) {
      await pico.close();
      throw error;
    }
  };

  /** The board in its boot ROM: no serial device, a drive; back on serial once an image is taken. */
  const bootsel = async (): Promise<void> => {
    if (closed || !serving) return;
    const old = serving;
    serving = undefined;
    setState('rebooting', 'virtual Pico: machine.bootloader(): leaving serial for the boot ROM');
    await old.stop();
    if (closed) return;
    drive = await VirtualBootselDrive.present(driveDir, {
      ...(options.log ? { log: options.log } : {}),
      ...(options.timers ? { clock: options.timers } : {}),
    });
    setState('bootsel', `virtual Pico: BOOTSEL drive at ${driveDir} (copy a UF2 onto it)`);
    if (resetWhileEntering) {
      resetWhileEntering = false;
      drive.stop();
    }
    const taken = await drive.waitForImage();
    if (closed) return;
    if (!taken) {
      // RESET pressed in BOOTSEL: the old firmware boots.
      await drive.remove();
      drive = undefined;
      serving = await serve();
      setState('repl', `virtual Pico: reset; back on ${path} with its previous firmware`);
      return;
    }
    await drive.remove();
    drive = undefined;
    const next = flashedBuildOf(taken);
    if (!next) {
      setState(
        'offline',
        'virtual Pico: the image holds no MicroPython build; it "runs" and nothing answers on serial',
      );
      return;
    }
    build = next;
    serving = await serve();
    setState('repl', `virtual Pico: rebooted into ${build.unameVersion}; serving on ${path}`);
  };

  serving = await serve().catch(async (error: unknown) => {
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
    throw error;
  });

  return {
    path,
    driveDir,
    get backend() {
      return backend;
    },
    get state() {
      return state;
    },
    get build() {
      return build;
    },
    get resets() {
      return serving?.pico.resets ?? 0;
    },
    async reset() {
      if (closed) return;
      if (drive || state === 'rebooting') {
        if (drive) drive.stop();
        else resetWhileEntering = true;
        await cycle;
        return;
      }
      await cycle;
      if (state === 'offline' || !serving) return;
      const old = serving;
      serving = undefined;
      await old.stop();
      serving = await serve();
      setState('repl', `virtual Pico: reset; back on ${path}`);
    },
    async close() {
      if (closed) return;
      closed = true;
      drive?.stop();
      await cycle;
      await serving?.stop();
      serving = undefined;
      await drive?.remove();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
      else await rm(path, { force: true });
    },
  };
}

interface Serving {
  pico: VirtualPico;
  backend: PtyBackend;
  stop(): Promise<void>;
}

/** A pseudo-terminal at `path`, joined to the virtual Pico's link. */
async function relay(
  pico: VirtualPico,
  path: string,
  backend: PtyBackend | undefined,
  log: ((line: string) => void) | undefined,
): Promise<Serving> {
  const served = await relayOnPseudoTerminal(pico.link, path, {
    ...(backend ? { backend } : {}),
    ...(log ? { log } : {}),
  });
  let stopped: Promise<void> | undefined;
  return {
    pico,
    backend: served.pty.backend,
    stop() {
      stopped ??= (async () => {
        await served.stop();
        await pico.close();
      })();
      return stopped;
    },
  };
}
