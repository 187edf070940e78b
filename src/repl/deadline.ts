import type { Clock } from '../clock.ts';

/**
 * A point in time by which a named step must finish, passed down through every wait (labgrid's
 * `Timeout` idea) so one operation has one budget instead of a fresh timeout per read.
 */
export class Deadline {
  readonly startedAt: number;
  readonly at: number;

  constructor(
    readonly clock: Clock,
    /** The budget this deadline was created with, for error messages. */
    readonly limitMs: number,
    /** What is being waited for, e.g. `exec: waiting for the output frame`. */
    readonly step: string,
    at?: number,
    startedAt?: number,
  ) {
    this.startedAt = startedAt ?? clock.now();
    this.at = at ?? this.startedAt + limitMs;
  }

  remaining(): number {
    return Math.max(0, this.at - this.clock.now());
  }

  get expired(): boolean {
    return this.clock.now() >= this.at;
  }

  elapsed(): number {
    return this.clock.now() - this.startedAt;
  }

  /** The same budget under another step name (the whole exec keeps one deadline across its steps). */
  named(step: string): Deadline {
    return new Deadline(this.clock, this.limitMs, step, this.at, this.startedAt);
  }

  /** A shorter deadline inside this one: `ms` from now, but never past this deadline. */
  within(ms: number, step = this.step): Deadline {
    const now = this.clock.now();
    const at = Math.min(this.at, now + ms);
    return new Deadline(this.clock, at - now, step, at, now);
  }
}
