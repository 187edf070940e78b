/**
 * Time is injected (as rp2040js injects its IClock) so deadlines, retries, polls and the virtual Pico
 * can be tested without sleeping. Production code uses `systemClock`; tests pass a `ManualClock`
 * (src/testing/manual-clock.ts). Wall-clock dates written into reports are not time in this sense.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (not wall time). */
  now(): number;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

export type ClockTimer = { readonly __clockTimer: unique symbol } | NodeJS.Timeout;

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** Resolve after `ms` on the given clock. */
export function sleep(ms: number, clock: Clock = systemClock): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** A timer that must not keep the process alive by itself (cleanup after the work is done). */
export function unref(timer: ClockTimer): void {
  if (typeof (timer as Partial<NodeJS.Timeout>).unref === 'function') (timer as NodeJS.Timeout).unref();
}

/**
 * `work`, unless `ms` pass on the clock first: then the error `late()` makes. `work` is not
 * cancelled (a promise cannot be); it settles on its own, unobserved.
 */
export function within<T>(
  work: Promise<T>,
  ms: number,
  late: () => Error,
  clock: Clock = systemClock,
): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(late()), ms);
    work.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
