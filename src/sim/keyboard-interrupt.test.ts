import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock, type Clock } from '../clock.ts';
import { interruptWorker } from './keyboard-interrupt.ts';

/**
 * The inspector hands a worker's messages to this thread at V8 interrupt points: in the middle of
 * whatever JavaScript runs here, Node's own timer code included. A reply handler that set or cleared
 * a timer there corrupted Node's timer heap (a run hung, then `clearTimeout` threw inside Node). So
 * the handlers may touch nothing but their own state; the clock is used once the interrupted code
 * has finished.
 */
let worker: Worker;
beforeAll(async () => {
  // A thread busy in a loop, as the VM's is while it runs a script: it answers its inspector from
  // inside the loop.
  worker = new Worker('for (;;) {}', { eval: true });
  await new Promise((resolve) => worker.once('online', resolve));
});
afterAll(() => worker.terminate());

it('a message from the worker never reaches the clock in the middle of other JavaScript', async () => {
  let busy = false;
  const inMidst: string[] = [];
  const watched: Clock = {
    now: () => systemClock.now(),
    setTimeout: (callback, ms) => {
      if (busy) inMidst.push('setTimeout');
      return systemClock.setTimeout(callback, ms);
    },
    clearTimeout: (timer) => {
      if (busy) inMidst.push('clearTimeout');
      systemClock.clearTimeout(timer);
    },
  };
  // This thread is busy most of the time, in slices, so the worker's answers land inside a slice.
  let running = true;
  let slices = 0;
  const slice = () => {
    if (!running) return;
    busy = true;
    const end = performance.now() + 15;
    while (performance.now() < end);
    busy = false;
    slices++;
    setImmediate(slice);
  };
  setImmediate(slice);
  const outcomes = [];
  try {
    for (let i = 0; i < 8; i++) {
      outcomes.push(
        await interruptWorker({
          threadId: worker.threadId,
          expression: 'true',
          deadline: systemClock.now() + 10_000,
          stillBusy: () => true,
          clock: watched,
        }),
      );
    }
  } finally {
    running = false;
  }
  expect(outcomes).toEqual(Array(8).fill('delivered'));
  expect(slices).toBeGreaterThan(8);
  expect(inMidst).toEqual([]);
});
