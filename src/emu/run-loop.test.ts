import { describe, expect, it } from 'vitest';
import { CYCLE_NANOS, runFor, whileAsleep, type LoopMachine } from './run-loop.mjs';

/**
 * A fake chip for the loop: a core that runs a script of instructions (cycles each, and what each
 * does: sleep, schedule an alarm) and a clock with rp2040js's SimulationClock semantics (alarms in a
 * list sorted by time; tick fires those due, the clock standing at each one's time as it fires).
 */
interface Alarm {
  nanos: number;
  fire: () => void;
}

class FakeClock {
  nanosCounter = 0;
  alarms: Alarm[] = [];
  ticks = 0;
  get nextAlarm(): Alarm | null {
    return this.alarms[0] ?? null;
  }
  schedule(deltaNanos: number, fire: () => void): void {
    this.alarms.push({ nanos: this.nanosCounter + deltaNanos, fire });
    this.alarms.sort((a, b) => a.nanos - b.nanos);
  }
  tick(deltaNanos: number): void {
    this.ticks++;
    const target = this.nanosCounter + deltaNanos;
    while (this.alarms[0] && this.alarms[0].nanos <= target) {
      const alarm = this.alarms.shift()!;
      this.nanosCounter = alarm.nanos;
      alarm.fire();
    }
    this.nanosCounter = target;
  }
}

type Step = { cycles: number; then?: (machine: FakeMachine) => void };

class FakeMachine implements LoopMachine {
  clock = new FakeClock();
  executed: number[] = [];
  feeds = 0;
  stop = false;
  core = {
    waiting: false,
    executeInstruction: (): number => {
      const step = this.script[this.executed.length % this.script.length]!;
      this.executed.push(this.clock.nanosCounter);
      step.then?.(this);
      return step.cycles;
    },
  };
  constructor(private readonly script: Step[]) {}
  feedInput(): void {
    this.feeds++;
  }
  stopped(): boolean {
    return this.stop;
  }
}

describe('while the core sleeps', () => {
  it('jumps to the next alarm, or blocks when nothing is scheduled', () => {
    expect(whileAsleep({ nextAlarmNanos: 10_000, nowNanos: 4_000 })).toEqual({
      kind: 'fast-forward',
      nanos: 6_000,
    });
    expect(whileAsleep({ nextAlarmNanos: 4_000, nowNanos: 4_000 })).toEqual({
      kind: 'fast-forward',
      nanos: 0,
    });
    expect(whileAsleep({ nextAlarmNanos: null, nowNanos: 4_000 })).toEqual({ kind: 'block' });
  });
});

describe('runFor', () => {
  it('advances the clock by each instruction’s cycles, firing an alarm at its own time', () => {
    const fired: number[] = [];
    const machine = new FakeMachine([{ cycles: 1 }, { cycles: 3 }]);
    machine.clock.schedule(20 * CYCLE_NANOS, () => fired.push(machine.clock.nanosCounter));
    const result = runFor(machine, 40);
    expect(result).toEqual({ cycles: 40, outcome: 'budget' });
    expect(machine.clock.nanosCounter).toBe(40 * CYCLE_NANOS);
    // Instructions start at 0, 1, 4, 5, 8 … cycles: exactly what calling tick per instruction gives.
    expect(machine.executed.slice(0, 5)).toEqual([0, 1, 4, 5, 8].map((c) => c * CYCLE_NANOS));
    expect(fired).toEqual([20 * CYCLE_NANOS]);
    // tick is called only for the instruction during which the alarm fell due.
    expect(machine.clock.ticks).toBe(1);
  });

  it('fast-forwards a sleeping core to the alarm that wakes it, counting the cycles skipped', () => {
    const machine = new FakeMachine([
      {
        cycles: 2,
        then: (m) => {
          // WFI with a timer 1 ms away whose interrupt wakes the core.
          m.core.waiting = true;
          m.clock.schedule(1_000_000, () => (m.core.waiting = false));
        },
      },
    ]);
    // The alarm was set during the instruction at 0: it falls due 1 ms = 125 000 cycles later.
    const result = runFor(machine, 125_000);
    expect(result).toEqual({ cycles: 125_000, outcome: 'budget' });
    expect(machine.executed).toEqual([0]);
    expect(machine.clock.nanosCounter).toBe(1_000_000);
    expect(machine.core.waiting).toBe(false);
  });

  it('blocks, without spinning, when the core sleeps with nothing scheduled', () => {
    const machine = new FakeMachine([{ cycles: 1 }, { cycles: 1, then: (m) => (m.core.waiting = true) }]);
    const result = runFor(machine, 1_000_000);
    expect(result).toEqual({ cycles: 2, outcome: 'blocked' });
    expect(machine.executed).toHaveLength(2);
    expect(machine.feeds).toBeGreaterThanOrEqual(1); // input was looked at before blocking
  });

  it('wakes for input that the last look hands to the chip', () => {
    const machine = new FakeMachine([{ cycles: 1, then: (m) => (m.core.waiting = true) }]);
    // Feeding the host's bytes completes a USB read: an alarm 10 µs later raises the interrupt.
    machine.feedInput = () => {
      machine.feeds++;
      if (machine.feeds === 2) machine.clock.schedule(10_000, () => (machine.core.waiting = false));
    };
    const result = runFor(machine, 1_000_000);
    expect(result.outcome).toBe('blocked');
    expect(machine.executed).toEqual([0, CYCLE_NANOS + 10_000]);
  });

  it('ends the slice when told to stop, within one batch of instructions', () => {
    const machine = new FakeMachine([{ cycles: 1, then: (m) => (m.stop = true) }]);
    expect(runFor(machine, 1_000_000)).toEqual({ cycles: 1024, outcome: 'stopped' });
  });

  it('gives the same instruction times in one slice as in many small ones (slicing is invisible)', () => {
    const script: Step[] = [
      { cycles: 1 },
      { cycles: 2 },
      {
        cycles: 3,
        then: (m) => {
          m.core.waiting = true;
          m.clock.schedule(777, () => (m.core.waiting = false));
        },
      },
    ];
    const whole = new FakeMachine(script);
    runFor(whole, 100_000);
    const sliced = new FakeMachine(script);
    let total = 0;
    while (total < 100_000) total += runFor(sliced, 97).cycles;
    const n = Math.min(whole.executed.length, sliced.executed.length);
    expect(n).toBeGreaterThan(1000);
    expect(sliced.executed.slice(0, n)).toEqual(whole.executed.slice(0, n));
  });
});
