import type { ReplDevice } from '../device/repl-device.ts';
import { PicogcError } from '../errors.ts';
import { acquireBoardLock, type BoardLock } from '../lock/board-lock.ts';
import type { Progress } from '../run/progress.ts';
import type { Report } from '../report/schema.ts';
import { runSession, type SessionOptions } from '../run/session.ts';
import { deviceId } from '../device/device-id.ts';
import { boardTag, lockKeyForTarget, unreachedTarget } from './board-identity.ts';
import type { LatestName } from '../run/run-dir.ts';
import { writeUnreachedRun } from '../run/unreached-run.ts';
import type { UnreachedReport, UnreachedStage } from '../report/unreached.ts';
import type { BoardTag } from '../report/board-tag.ts';
import { targetLabel, type DeviceTarget } from '../device/target.ts';
import { openTarget } from '../device/open.ts';
import { RecoveryLadder } from './recovery-ladder.ts';
import { flashFirmware, type FlashOptions } from '../flash/flash.ts';
import { FirmwareMismatchError, type FlashResult } from '../firmware/flash-result.ts';
import {
  emulatorFirmwareBlockFor,
  firmwareBlockSchema,
  firmwareReportBlock,
  type FirmwareBlock,
} from '../firmware/report-block.ts';

export interface BoardRunOptions extends Pick<
  SessionOptions,
  'experiments' | 'profile' | 'reps' | 'overrides' | 'outDir' | 'firmwareLabel'
> {
  stepTimeoutMs: number;
  /** `--lock-wait`: how long to wait for a board another process holds (default 0). */
  lockWaitSeconds: number;
  /** Where locks live (default: $PICOGC_LOCK_DIR or <tmp>/picogc-locks). */
  lockDir?: string;
  /** Recorded in the lock's holder note, e.g. `picogc nightly --port auto`. */
  command: string;
  powerCycle?: string;
  powerCycleTimeoutMs: number;
  reconnectTimeoutMs: number;
  progress?: Progress;
  /** Name of this run's `latest` link (several boards: one each, from the board's id). */
  latestName?: LatestName;
  /** `--firmware`: the UF2 under test, flashed onto a serial board (and confirmed) before its run. */
  firmware?: string;
  /** Replaceable in tests. */
  open?: (target: DeviceTarget, port?: string) => Promise<ReplDevice>;
  flash?: (options: FlashOptions) => Promise<FlashResult>;
}

/** What became of one board: its report when it was reached, else the error that stopped it. */
export interface BoardOutcome {
  target: DeviceTarget;
  label: string;
  /** 0 pass, 1 a check failed, 3 the board or its link failed (or it was busy). */
  exitCode: 0 | 1 | 3;
  report?: Report & { board: BoardTag };
  /** The run's directory: the report's, or the unreached report's when the board never answered. */
  runDir?: string;
  /** The board never answered (the link died while it was opened, or at its first exec): what was written. */
  unreached?: UnreachedReport;
  /** Why there is no report (busy, unreachable), or what ended the run early. */
  error?: string;
  /** The error itself when there is no report (a single-board command rethrows it). */
  cause?: unknown;
  /** The id history uses, when the board answered. */
  deviceId?: string;
  lockKey?: string;
  /** What `--firmware` put on the board, and whether the board was confirmed to run it. */
  firmware?: FirmwareBlock;
}

/**
 * One board, start to finish (a worker of the bench): lock it for the whole run, open it, run the
 * suite with the recovery ladder, write its run directory, close it, release the lock. Never
 * throws for the board's own troubles: a busy or unreachable board is an outcome with exit code 3,
 * so the other boards' workers go on. A board that was locked but never answered (flashing,
 * opening or its first exec failed) still gets a run directory, with an unreached report
 * (report/unreached.ts) saying how far the run got and why; a busy board is no run, and bad input
 * (exit 2: a UF2 that is not an image, a recording that is not one) is the user's to fix.
 */
export async function runBoard(target: DeviceTarget, options: BoardRunOptions): Promise<BoardOutcome> {
  const label = targetLabel(target);
  const lockKey = lockKeyForTarget(target);
  const failed = (error: unknown): BoardOutcome => ({
    target,
    label,
    exitCode: 3,
    error: describe(error),
    cause: error,
    ...(lockKey ? { lockKey } : {}),
  });

  let lock: BoardLock | undefined;
  if (lockKey) {
    try {
      lock = await acquireBoardLock(lockKey, {
        waitSeconds: options.lockWaitSeconds,
        ...(options.lockDir ? { dir: options.lockDir } : {}),
        info: { port: label, command: options.command },
      });
    } catch (error) {
      return failed(error);
    }
  }
  const startedAt = new Date();
  let device: ReplDevice | undefined;
  let ladder: RecoveryLadder | undefined;
  let firmware: FirmwareBlock | undefined;
  /** How far the run got while the board has not answered yet; undefined once it has. */
  let stage: UnreachedStage | undefined;
  try {
    if (options.firmware !== undefined && target.kind === 'serial') {
      // Flash first, under the same lock: the run is about this image or nothing.
      stage = 'flashing';
      const flashed = await flashOnto(target, options.firmware, options);
      firmware = flashed.block;
      if (!flashed.block.confirmed) {
        return { ...failed(flashed.error), exitCode: 1, firmware };
      }
      target = { ...target, port: flashed.port };
    }
    stage = 'connecting';
    const opened = options.open
      ? { device: await options.open(target) }
      : await openTarget(target, { command: options.command });
    device = opened.device;
    stage = 'identifying';
    const info = await device.info();
    stage = undefined;
    if (target.kind === 'emu') {
      const { emuRomName } = await import('../device/open-emu.ts');
      firmware = await emulatorFirmwareBlockFor(target.firmware, info.firmware.buildString, {
        ...(options.firmwareLabel ? { label: options.firmwareLabel } : {}),
        bootRom: await emuRomName(target.bootrom),
      });
    }
    // A replay's firmware is the one it was recorded from; a recording keeps it for its replays.
    const recordedFirmware = firmwareBlockSchema.safeParse(opened.recordedNotes?.firmware);
    if (recordedFirmware.success) firmware = recordedFirmware.data;
    if (firmware) opened.recording?.note('firmware', firmware);
    ladder = new RecoveryLadder(device, {
      target,
      ...(info.uniqueId ? { uniqueId: info.uniqueId } : {}),
      rungTimeoutMs: Math.min(options.stepTimeoutMs, 10_000),
      powerCycleTimeoutMs: options.powerCycleTimeoutMs,
      reconnectTimeoutMs: options.reconnectTimeoutMs,
      ...(options.powerCycle ? { powerCycle: options.powerCycle } : {}),
      ...(options.open ? { open: options.open } : {}),
    });
    const tag = boardTag(target, info, lockKey);
    const { report, runDir } = await runSession({
      device,
      experiments: options.experiments,
      profile: options.profile,
      ...(options.reps !== undefined ? { reps: options.reps } : {}),
      ...(options.overrides ? { overrides: options.overrides } : {}),
      outDir: options.outDir,
      ...(options.firmwareLabel ? { firmwareLabel: options.firmwareLabel } : {}),
      stepTimeoutMs: options.stepTimeoutMs,
      recover: ladder.recover,
      ...(lock ? { signal: lock.signal } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      extra: { board: tag, ...(firmware ? { firmware } : {}) },
      ...(options.latestName ? { latestName: options.latestName } : {}),
    });
    return {
      target,
      label,
      exitCode: report.exitCode,
      report: { ...report, board: tag },
      runDir,
      deviceId: deviceId(info),
      ...(report.notRun ? { error: report.notRun.reason } : {}),
      ...(lockKey ? { lockKey } : {}),
      ...(firmware ? { firmware } : {}),
    };
  } catch (error) {
    const outcome: BoardOutcome = { ...failed(error), ...(firmware ? { firmware } : {}) };
    if (stage === undefined || isBadInput(error)) return outcome;
    return withUnreachedReport(outcome, { target, lockKey, stage, error, startedAt, options });
  } finally {
    // After a reconnect the ladder holds the board's new connection; the first one is closed already.
    await (ladder?.device ?? device)?.close().catch(() => undefined);
    await lock?.release().catch(() => undefined);
  }
}

/**
 * `--firmware` on a bench board: flash and confirm. A board that came back with another build is
 * not an error of the board but a failed check (exit 1), reported with the block that shows both.
 */
async function flashOnto(
  target: Extract<DeviceTarget, { kind: 'serial' }>,
  image: string,
  options: BoardRunOptions,
): Promise<{ block: FirmwareBlock; port: string; error?: unknown }> {
  const flash = options.flash ?? flashFirmware;
  try {
    const result = await flash({
      image,
      port: target.port,
      ...(options.firmwareLabel ? { label: options.firmwareLabel } : {}),
      log: (line) => {
        const text = `${targetLabel(target)}: flash: ${line}`;
        if (options.progress) options.progress.note(text);
        else process.stderr.write(`picogc: ${text}\n`);
      },
    });
    return { block: firmwareReportBlock(result), port: result.after.port };
  } catch (error) {
    if (error instanceof FirmwareMismatchError) {
      return { block: firmwareReportBlock(error.result), port: error.result.after.port, error };
    }
    throw error;
  }
}

/**
 * The board never answered: its run directory is written all the same (report/unreached.ts), and
 * the outcome points at it. Should that fail too (a full disk), the board's error stands, and says so.
 */
function withUnreachedReport(
  outcome: BoardOutcome,
  run: {
    target: DeviceTarget;
    lockKey: string | undefined;
    stage: UnreachedStage;
    error: unknown;
    startedAt: Date;
    options: BoardRunOptions;
  },
): BoardOutcome {
  const { options } = run;
  try {
    const { unreached, runDir } = writeUnreachedRun({
      outDir: options.outDir,
      target: unreachedTarget(run.target, run.lockKey),
      stage: run.stage,
      error: run.error,
      options: {
        profile: options.profile,
        reps: options.reps,
        experiments: options.experiments.map((e) => e.id),
        firmwareLabel: options.firmwareLabel,
        stepTimeoutMs: options.stepTimeoutMs,
      },
      startedAt: run.startedAt,
      ...(options.latestName !== undefined ? { latestName: options.latestName } : {}),
    });
    return { ...outcome, runDir, unreached };
  } catch (writeError) {
    return {
      ...outcome,
      error: `${outcome.error}; its run directory could not be written: ${describe(writeError)}`,
    };
  }
}

/** A usage or input error (exit 2): the user's to fix, not a failure of the board. */
function isBadInput(error: unknown): boolean {
  return error instanceof PicogcError && error.exitCode === 2;
}

function describe(error: unknown): string {
  if (error instanceof PicogcError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
