import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../test/support/synthetic-report.ts';
import type { Check } from '../experiments/experiment.ts';
import { validationVerdict } from './validation.ts';

const check = (id: string, status: Check['status'], reason?: string): Check => ({
  id,
  title: `check ${id}`,
  status,
  ...(reason !== undefined ? { reason } : {}),
});

describe('validationVerdict', () => {
  it('passes when every applicable check passes; a skip with a reason is not a failure', () => {
    const v = validationVerdict(
      syntheticReport([
        { id: 'e', checks: [check('a', 'pass'), check('b', 'skipped', 'the heap grows here')] },
      ]),
    );
    expect(v).toEqual({ exitCode: 0, applicable: 1, passed: 1, skipped: 1, problems: [] });
  });

  it('fails (1) on a failed check, a cross-experiment check, or a skip without a reason', () => {
    expect(
      validationVerdict(syntheticReport([{ id: 'e', checks: [check('a', 'pass'), check('b', 'fail')] }])),
    ).toMatchObject({
      exitCode: 1,
      problems: ['check failed: e / check b'],
    });
    expect(
      validationVerdict(
        syntheticReport([{ id: 'e', checks: [check('a', 'pass')] }], { crossChecks: [check('fit', 'fail')] }),
      ),
    ).toMatchObject({ exitCode: 1, problems: ['check failed: across experiments / check fit'] });
    expect(
      validationVerdict(
        syntheticReport([{ id: 'e', checks: [check('a', 'pass'), check('b', 'skipped', ' ')] }]),
      ),
    ).toMatchObject({ exitCode: 1, problems: ['check skipped without a reason: e / check b'] });
  });

  it('fails (1) when no check could run at all: nothing was validated', () => {
    expect(
      validationVerdict(syntheticReport([{ id: 'e', checks: [check('b', 'skipped', 'cannot')] }])),
    ).toMatchObject({
      exitCode: 1,
      applicable: 0,
      problems: ['no check could run on this device: nothing was validated'],
    });
  });

  it('a device failure (3) outranks failed checks', () => {
    const v = validationVerdict(
      syntheticReport([
        { id: 'e', checks: [check('b', 'fail')] },
        { id: 'f', status: 'failed', error: 'LinkError: port closed' },
      ]),
    );
    expect(v.exitCode).toBe(3);
    expect(v.problems).toEqual([
      'experiment f did not complete: LinkError: port closed',
      'check failed: e / check b',
    ]);
  });
});
