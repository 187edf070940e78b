/**
 * Time is injected (as rp2040js injects its IClock) so deadlines, retries and the virtual Pico can
 * be tested without sleeping. Production code uses `systemClock`; tests may pass a manual clock.
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
