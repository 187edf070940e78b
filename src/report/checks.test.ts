import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../test/support/synthetic-report.ts';
import type { Check } from '../experiments/experiment.ts';
import { groupedRows, summarizeTitles } from './checks.ts';

const check = (title: string, status: Check['status'] = 'pass'): Check => ({
  id: title,
  title,
  status,
  ...(status === 'fail' ? { observed: 'observed 48 B', expected: '32 B' } : {}),
  ...(status === 'skipped' ? { reason: 'not on this device' } : {}),
});

describe('groupedRows', () => {
  it("folds a long experiment's passes into one row where the first pass was; failures and skips stay", () => {
    const sizes = ['float', 'int', 'str', 'list', 'tuple', 'dict', 'set', 'bytes', 'bytearray', 'method'];
    const checks = sizes.map((s, i) =>
      check(`${s} costs what the model says`, i === 3 ? 'fail' : i === 7 ? 'skipped' : 'pass'),
    );
    const rows = groupedRows(
      syntheticReport([
        { id: 'alloc-sizes', checks },
        { id: 'few', checks: [check('a'), check('b')] },
      ]),
    );
    expect(rows.map((r) => [r.experiment, r.check, r.status])).toEqual([
      ['alloc-sizes', '8 of 10 checks pass', 'pass'],
      ['alloc-sizes', 'list costs what the model says', 'fail'],
      ['alloc-sizes', 'bytes costs what the model says', 'skipped'],
      ['few', 'a', 'pass'],
      ['few', 'b', 'pass'],
    ]);
    expect(rows[0]!.detail).toBe(
      'float, int, str, tuple, dict, set, bytearray, method — each costs what the model says',
    );
    expect(rows[1]!.detail).toBe('observed observed 48 B; expected 32 B');
  });
});

describe('summarizeTitles', () => {
  it('names the common ending once, or lists the titles when there is none', () => {
    expect(summarizeTitles(['a is fine here', 'b c is fine here'])).toBe('a, b c — each is fine here');
    expect(summarizeTitles(['one thing', 'another matter'])).toBe('one thing; another matter');
  });
});
