import type { Clock, ClockTimer } from '../clock.ts';

/**
 * A Ctrl-C that arrived while code ran, from its arrival until the execution ends. If the VM has not
 * ended it within the grace period, `onGraceOver` runs (the server then replaces the VM).
 */
export class PendingInterrupt {
  private readonly timer: ClockTimer;

  constructor(
    /** Input position of the Ctrl-C, so a delivered interrupt drops exactly what a Pico drops. */
    readonly position: number,
    private readonly timers: Clock,
    graceMs: number,
    onGraceOver: () => void,
  ) {
    this.timer = timers.setTimeout(onGraceOver, graceMs);
  }

  cancel(): void {
    this.timers.clearTimeout(this.timer);
  }
}
