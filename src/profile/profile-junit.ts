import { formatNumber, formatUs } from '../format.ts';
import { writeJUnit, type JUnitTestCase } from '../report/junit.ts';
import type { ProfileReport } from './profile-report-schema.ts';

/**
 * junit.xml of a profile, for the CI servers that read `run`'s: one case per thing a profile can
 * hold against a model or a measurement (the run itself, the samples, the cadence, the stalls),
 * skipped with the reason where the device could not show it. A profile's exit code stays the
 * program's (0 ran its time, 1 raised, 130 Ctrl-C): these cases are what a CI job reads beside it.
 */

/** How far the mean interval between collections may stand from F / (R + probe's R) (the issue's ±10%). */
export const CADENCE_TOLERANCE = 0.1;

const CLASS = 'picogc.profile';

export function renderProfileJUnit(report: ProfileReport): string {
  const cases = [
    ranCase(report),
    samplesCase(report),
    cadenceCase(report),
    stallCase(report),
    adviceCase(report),
  ];
  return writeJUnit(
    [
      {
        name: `profile ${report.program}`,
        cases,
        ...(report.startedAt ? { timestamp: report.startedAt } : {}),
        properties: [
          ['device', report.device],
          ['device kind', report.deviceKind],
          ['run', report.runId],
          ['picogc', report.picogcVersion],
        ],
        ...(report.log.length > 0 ? { systemOut: report.log.join('\n') } : {}),
      },
    ],
    `picogc profile ${report.program}`,
  );
}

const make = (name: string, rest: Omit<JUnitTestCase, 'name' | 'classname'>): JUnitTestCase => ({
  name,
  classname: CLASS,
  ...rest,
});

function ranCase(report: ProfileReport): JUnitTestCase {
  const name = 'the program ran under the sampler';
  const { reason, detail } = report.stopped;
  const seconds = report.sampler.durationUs / 1e6;
  if (reason === 'time' || reason === 'returned') return make(name, { status: 'passed', time: seconds });
  if (reason === 'interrupted')
    return make(name, {
      status: 'skipped',
      time: seconds,
      message: 'stopped by Ctrl-C: the report holds what arrived',
    });
  return make(name, {
    status: 'error',
    time: seconds,
    message: reason === 'raised' ? 'the program raised' : 'the device or its link failed',
    type: reason,
    details: detail ?? '',
  });
}

function samplesCase(report: ProfileReport): JUnitTestCase {
  const s = report.sampler;
  const lost = s.lostOnDevice + s.missing;
  const text = `${s.entries} entries, ${s.lostOnDevice} overwritten on the device, ${s.missing} missing, ${s.damagedLines} damaged lines`;
  return make(
    'every sample arrived',
    lost === 0 ? { status: 'passed', systemOut: text } : { status: 'failed', message: text, details: text },
  );
}

function cadenceCase(report: ProfileReport): JUnitTestCase {
  const name = `collections come at the cadence F / R predicts (±${CADENCE_TOLERANCE * 100}%)`;
  const c = report.collections;
  const why = report.notShown.find((n) => n.what.startsWith('collections inside the program'));
  if (why) return make(name, { status: 'skipped', message: why.why });
  if (c.intervalS === undefined || c.predictedIntervalS === undefined)
    return make(name, {
      status: 'skipped',
      message: `${c.count} collection(s): two are needed for an interval`,
    });
  const ratio = c.intervalS / c.predictedIntervalS;
  const text = `every ${formatNumber(c.intervalS)} s; F / (R + probe) predicts ${formatNumber(c.predictedIntervalS)} s (${formatNumber((ratio - 1) * 100)}%)`;
  return make(
    name,
    Math.abs(ratio - 1) <= CADENCE_TOLERANCE
      ? { status: 'passed', systemOut: text }
      : { status: 'failed', message: text, details: text },
  );
}

function stallCase(report: ProfileReport): JUnitTestCase {
  const same = report.collections.sameLiveSet;
  const name = 'the stalls’ median is the same live set’s collection with the heap full of garbage (±15%)';
  if (!same) {
    const why =
      report.notShown.find((n) => n.what.includes('stalls'))?.why ??
      (report.collections.stalls
        ? 'no pause was timed on the device after the program'
        : 'no collection inside the program was timed');
    return make(name, { status: 'skipped', message: why });
  }
  const text = `stall p50 ${formatUs(same.stallP50Us)} (±${formatUs(same.resolutionUs)} each, ${same.stalls} collections) vs ${formatUs(same.sameLiveSetUs)} (${formatNumber((same.ratio - 1) * 100)}%); with no garbage ${formatUs(same.noGarbageUs)}`;
  return make(
    name,
    same.within ? { status: 'passed', systemOut: text } : { status: 'failed', message: text, details: text },
  );
}

function adviceCase(report: ProfileReport): JUnitTestCase {
  const name = 'gc.threshold advice';
  const a = report.advice;
  if (!a) {
    const why = report.notShown.find((n) => n.what === 'the advice')?.why ?? 'no advice was computed';
    return make(name, { status: 'skipped', message: why });
  }
  return make(name, {
    status: 'passed',
    systemOut: [`${a.title}: ${a.because}`, ...a.inputs, ...a.lines].join('\n'),
  });
}
