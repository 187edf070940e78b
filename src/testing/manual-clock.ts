import type { Clock, ClockTimer } from '../clock.ts';

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when a test moves it (rp2040js's MockClock): `advance(ms)` fires the timers
 * that fall due, in time order, each with `now()` at its own due time, so deadlines, retries, polls
 * and fault timings are tested without sleeping and without patching the global timers.
 */
export class ManualClock implements Clock {
  #now: number;
  #order = 0;
  readonly #timers = new Set<Timer>();

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    const timer: Timer = { at: this.#now + Math.max(0, ms), order: this.#order++, callback };
    this.#timers.add(timer);
    return timer as unknown as ClockTimer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.#timers.delete(timer as unknown as Timer);
  }

  /** Timers set and not yet fired or cleared: what the code under test is waiting for. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Move time on by `ms`, firing every timer due by then, those set by earlier ones included. */
  advance(ms: number): void {
    const until = this.#now + ms;
    while (this.#fireNext(until)) {
      // one timer at a time, in due order
    }
    this.#now = until;
  }

  /**
   * As `advance`, for async code: before each timer, and at the end, the promises and immediates the
   * last one started run, so a loop that awaits between its timers goes round as it would in real time.
   */
  async advanceAsync(ms: number): Promise<void> {
    const until = this.#now + ms;
    do await settle();
    while (this.#fireNext(until));
    this.#now = until;
    await settle();
  }

  /**
   * Advance `stepMs` at a time, as async code needs, until `work` settles; its result. For code that
   * waits on this clock at unknown points (quiet periods, retries); fails past `limitMs`.
   */
  async runUntil<T>(work: Promise<T>, { stepMs = 1, limitMs = 600_000 } = {}): Promise<T> {
    let settled = false;
    const watched = work.finally(() => (settled = true));
    watched.catch(() => undefined);
    const until = this.#now + limitMs;
    while (!settled) {
      if (this.#now >= until) throw new Error(`still not settled after ${limitMs} ms on the manual clock`);
      await this.advanceAsync(stepMs);
    }
    return watched;
  }

  #fireNext(until: number): boolean {
    let next: Timer | undefined;
    for (const timer of this.#timers) {
      if (
        timer.at <= until &&
        (!next || timer.at < next.at || (timer.at === next.at && timer.order < next.order))
      )
        next = timer;
    }
    if (!next) return false;
    this.#timers.delete(next);
    this.#now = next.at;
    next.callback();
    return true;
  }
}

/** Let pending promise callbacks and immediates run (real I/O may need more than this). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
