import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostBlock, runOptionsBlock, toolBlock, type RunOptionsBlock } from '../report/run-header.ts';
import {
  errorBlock,
  stoppedBy,
  UNREACHED_SCHEMA,
  type UnreachedReport,
  type UnreachedStage,
  type UnreachedTarget,
} from '../report/unreached.ts';
import { writeUnreachedViews } from '../report/views.ts';
import { claimRunDir, latestLinkName, pointLatest, runIdFor, type LatestName } from './run-dir.ts';

export interface UnreachedRunOptions {
  /** Parent of the run directory, as for a reached run. */
  outDir: string;
  target: UnreachedTarget;
  stage: UnreachedStage;
  error: unknown;
  /** What was asked of the run (every experiment planned: none was started). */
  options: RunOptionsBlock;
  /** When the run began (its id is made from it, as a reached run's is). */
  startedAt: Date;
  latestName?: LatestName;
}

/**
 * A run that never reached its device, written down all the same: `<out>/<run-id>/report.json`
 * as a `picogc.unreached/1` document, its views next to it, and the `latest` link pointing at it.
 * The run id is the time and `unreached-<board id>`: sortable with the board's other runs, and
 * saying at a glance in a listing what became of this one.
 */
export function writeUnreachedRun(options: UnreachedRunOptions): {
  unreached: UnreachedReport;
  runDir: string;
} {
  const { runId, runDir } = claimRunDir(
    options.outDir,
    runIdFor(`unreached-${options.target.id}`, options.startedAt),
  );
  const error = errorBlock(options.error);
  const unreached: UnreachedReport = {
    schema: UNREACHED_SCHEMA,
    tool: toolBlock(),
    runId,
    startedAt: options.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    host: hostBlock(),
    options: runOptionsBlock(options.options),
    target: options.target,
    stage: options.stage,
    error,
    notRun: {
      experiments: options.options.experiments,
      reason: `the board was never reached: ${stoppedBy(options.stage, error)}`,
    },
    verdict: 'error',
    exitCode: 3,
  };
  writeFileSync(join(runDir, 'report.json'), `${JSON.stringify(unreached, null, 2)}\n`);
  writeUnreachedViews(unreached, runDir);
  pointLatest(options.outDir, runId, latestLinkName(options.latestName, options.target.id));
  return { unreached, runDir };
}
