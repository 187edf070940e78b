import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.ts';

describe('systemClock', () => {
  afterEach(() => vi.restoreAllMocks());

  it('asks Node for whole milliseconds, never earlier than the deadline', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    systemClock.clearTimeout(systemClock.setTimeout(() => {}, 1234.0001));
    systemClock.clearTimeout(systemClock.setTimeout(() => {}, 0.3));
    expect(spy.mock.calls.map((call) => call[1])).toEqual([1235, 1]);
  });
});
