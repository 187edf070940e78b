import { describe, expect, it } from 'vitest';
import { DRIFT_LIMIT, hostDrift, type TimedConfiguration } from './host-drift.ts';

/** 12 pauses in 3 rounds of 4, each round at its own level, with a little noise (a round median is 1.005 × its level). */
function rounds(levels: number[]): number[] {
  return levels.flatMap((level) => [level * 0.97, level * 1.02, level, level * 1.01]);
}

function config(partial: Partial<TimedConfiguration> & { values: number[] }): TimedConfiguration {
  return {
    experiment: 'pause-vs-live',
    label: 'n_live=2000',
    nLive: 2000,
    rounds: 3,
    work: 70_000,
    ...partial,
  };
}

/** pause-vs-heap-position's 2000 live objects at `position`, doing `work`. */
function heapPosition(position: 'packed' | 'pinned', levels: number[], work: number): TimedConfiguration {
  return config({
    experiment: 'pause-vs-heap-position',
    label: `n_live=2000 ${position}`,
    values: rounds(levels),
    work,
  });
}

describe('hostDrift', () => {
  it('finds nothing in a steady run', () => {
    expect(
      hostDrift([
        config({ values: rounds([180, 176, 185]) }),
        heapPosition('packed', [170, 178, 174], 71_000),
      ]),
    ).toBeUndefined();
  });

  it('names the configuration whose rounds moved, with their levels', () => {
    const drift = hostDrift([config({ values: rounds([432, 202, 181]) })]);
    expect(drift).toBe('×2.4: pause-vs-live n_live=2000: rounds at 434 µs, 203 µs, 182 µs');
  });

  it('names two experiments that measured the same work at different speeds', () => {
    const drift = hostDrift([
      config({ values: rounds([400, 410, 405]) }),
      heapPosition('packed', [170, 172, 171], 69_000),
    ]);
    expect(drift).toMatch(
      /^×2\.3: pause-vs-live n_live=2000 407 µs vs pause-vs-heap-position n_live=2000 packed 172 µs/,
    );
  });

  it('does not compare configurations whose work differs, nor judge pauses too small to show speed', () => {
    expect(
      hostDrift([
        config({ values: rounds([400, 410, 405]) }),
        heapPosition('pinned', [170, 172, 171], 90_000),
        config({ nLive: 0, label: 'n_live=0', values: rounds([8, 20, 9]), work: 2_000 }),
      ]),
    ).toBeUndefined();
  });

  it('lets a change just under the limit pass and one just over it count', () => {
    const under = DRIFT_LIMIT * 0.97;
    const over = DRIFT_LIMIT * 1.05;
    expect(hostDrift([config({ values: rounds([200, 200 * under, 200]) })])).toBeUndefined();
    expect(hostDrift([config({ values: rounds([200, 200 * over, 200]) })])).toMatch(/^×1\.5: /);
  });
});
