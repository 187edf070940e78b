import { describe, expect, it } from 'vitest';
import { sleep, within } from '../clock.ts';
import { ManualClock } from './manual-clock.ts';

describe('ManualClock', () => {
  it('fires due timers in time order, each at its own time, and none early or cleared', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`a2@${clock.now()}`), 10);
    const cleared = clock.setTimeout(() => fired.push('cleared'), 5);
    clock.setTimeout(() => fired.push('late'), 31);
    clock.clearTimeout(cleared);

    clock.advance(9);
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(1_009);
    clock.advance(21);
    expect(fired).toEqual(['a@1010', 'a2@1010', 'b@1020']);
    expect(clock.now()).toBe(1_030);
    expect(clock.pending).toBe(1);
  });

  it('fires a timer that a timer set, when it falls due within the same advance', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(35);
    expect(fired).toEqual([10, 20, 30]);
  });

  it('advanceAsync lets a loop that awaits between its sleeps go round as in real time', async () => {
    const clock = new ManualClock();
    const rounds: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await Promise.resolve(); // some async work between the sleeps
        rounds.push(clock.now());
        await sleep(100, clock);
      }
    })();
    await clock.advanceAsync(250);
    expect(rounds).toEqual([0, 100, 200]);
    await clock.advanceAsync(1_000);
    await loop;
    expect(rounds).toEqual([0, 100, 200, 300, 400]);
  });
  it('runUntil moves time on until the work settles, and gives up past its limit', async () => {
    const clock = new ManualClock();
    const work = (async () => {
      await sleep(30, clock);
      await Promise.resolve();
      await sleep(40, clock);
      return clock.now();
    })();
    expect(await clock.runUntil(work, { stepMs: 5 })).toBe(70);
    await expect(clock.runUntil(new Promise(() => undefined), { limitMs: 50 })).rejects.toThrow(
      'still not settled after 50 ms on the manual clock',
    );
  });
});

describe('within', () => {
  it('gives the work its value, or the late error once the time is up on the clock', async () => {
    const clock = new ManualClock();
    await expect(within(Promise.resolve(7), 10, () => new Error('late'), clock)).resolves.toBe(7);

    const never = new Promise<number>(() => undefined);
    const racing = within(never, 10, () => new Error('late by the clock'), clock);
    clock.advance(10);
    await expect(racing).rejects.toThrow('late by the clock');
    expect(clock.pending).toBe(0);
  });

  it('passes the work’s own failure through and stops the timer', async () => {
    const clock = new ManualClock();
    await expect(
      within(Promise.reject(new Error('broke')), 10, () => new Error('late'), clock),
    ).rejects.toThrow('broke');
    expect(clock.pending).toBe(0);
  });
});
