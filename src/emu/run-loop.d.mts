// Types of run-loop.mjs (the JavaScript is not type-checked).

export declare const CYCLE_NANOS: number;

export type AsleepMove = { kind: 'fast-forward'; nanos: number } | { kind: 'block' };
export declare function whileAsleep(state: { nextAlarmNanos: number | null; nowNanos: number }): AsleepMove;

export interface LoopCore {
  waiting: boolean;
  executeInstruction(): number;
  /** The loop of runAwake with the instruction inlined (fast-decode.mjs): cycles run. */
  runBatch?(clock: LoopClock, limit: number, batch: number): number;
}
export interface LoopClock {
  nanosCounter: number;
  nextAlarm: { nanos: number } | null;
  tick(nanos: number): void;
}
export interface LoopMachine {
  core: LoopCore;
  clock: LoopClock;
  feedInput(): void;
  stopped(): boolean;
}
export declare function runFor(
  machine: LoopMachine,
  budget: number,
): { cycles: number; outcome: 'budget' | 'blocked' | 'stopped' };
