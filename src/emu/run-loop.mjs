// The emulated RP2040's execution loop, apart from the thread that owns it so it can be tested with
// a fake core and clock. Time is rp2040js's SimulationClock: emulated nanoseconds, advanced by each
// instruction's cycles (8 ns at 125 MHz, as rp2040js's own Simulator assumes) and by jumps to the
// next alarm while the core sleeps. Nothing here reads the host's clock, so the same program and the
// same input at the same emulated moments take the same emulated cycles.

/** Nanoseconds of one cycle at 125 MHz. */
export const CYCLE_NANOS = 8;
/** Instructions between looks at the host's input while the core runs (as before: every 1024 steps). */
const BATCH = 1024;

/**
 * What the loop does while the core sleeps (WFI/WFE), from what is scheduled: an alarm (a timer, a
 * USB transfer completing) → jump the clock to it, since nothing can happen before it but input
 * from the host; nothing scheduled → the core sleeps until the host sends something: block.
 *
 * @param {{ nextAlarmNanos: number | null, nowNanos: number }} state
 * @returns {{ kind: 'fast-forward', nanos: number } | { kind: 'block' }}
 */
export function whileAsleep({ nextAlarmNanos, nowNanos }) {
  if (nextAlarmNanos === null) return { kind: 'block' };
  return { kind: 'fast-forward', nanos: Math.max(0, nextAlarmNanos - nowNanos) };
}

/**
 * Run the chip for up to `budget` cycles. `machine.feedInput()` hands the host's queued input to
 * the chip; `machine.stopped()` says the slice must end now (the host asked the thread to stop, or
 * a watchdog reset replaced the chip).
 * The stop is looked at between batches of instructions (at most BATCH of them).
 * Returns the cycles run and why it returned: `budget` (run again after a look at the host's
 * messages), `blocked` (the core sleeps with nothing scheduled: run again when input arrives) or
 * `stopped`.
 *
 * @param {{ core: { waiting: boolean, executeInstruction(): number },
 *           clock: { nanosCounter: number, nextAlarm: { nanos: number } | null, tick(nanos: number): void },
 *           feedInput(): void, stopped(): boolean }} machine
 * @param {number} budget
 * @returns {{ cycles: number, outcome: 'budget' | 'blocked' | 'stopped' }}
 */
export function runFor(machine, budget) {
  const { core, clock } = machine;
  let done = 0;
  machine.feedInput();
  while (done < budget) {
    if (machine.stopped()) return { cycles: done, outcome: 'stopped' };
    if (core.waiting) {
      const alarm = clock.nextAlarm;
      const move = whileAsleep({ nextAlarmNanos: alarm ? alarm.nanos : null, nowNanos: clock.nanosCounter });
      if (move.kind === 'block') return { cycles: done, outcome: 'blocked' };
      clock.tick(move.nanos); // fires the alarm (and any due with it); an interrupt may wake the core
      done += move.nanos / CYCLE_NANOS;
    } else {
      done += runAwake(core, clock, budget - done);
    }
    machine.feedInput();
  }
  return { cycles: done, outcome: 'budget' };
}

/**
 * Instructions while the core is awake, up to BATCH of them or `limit` cycles. Each advances the
 * clock by its cycles exactly as `clock.tick` would, but calls it only when an alarm falls due
 * during that instruction: otherwise the new time is simply stored.
 */
function runAwake(core, clock, limit) {
  // fast-decode.mjs gives rp2040js's core this same loop with the instruction inlined.
  if (core.runBatch) return core.runBatch(clock, limit, BATCH);
  let cycles = 0;
  for (let n = 0; n < BATCH && cycles < limit && !core.waiting; n++) {
    const spent = core.executeInstruction();
    const nanos = spent * CYCLE_NANOS;
    const alarm = clock.nextAlarm;
    if (alarm !== null && alarm.nanos <= clock.nanosCounter + nanos) clock.tick(nanos);
    else clock.nanosCounter += nanos;
    cycles += spent;
  }
  return cycles;
}
