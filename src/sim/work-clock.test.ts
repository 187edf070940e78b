import { afterEach, describe, expect, it } from 'vitest';
import { TEXT } from '../protocol/raw-repl-vocabulary.ts';
import { StartedPicos, type ReplDriver } from './testing.ts';
import { pauseUs, usPerCount, workClockCalibration } from './work-clock.ts';

const picos = new StartedPicos();
const rawRepl = (seed = 0) => picos.rawRepl({ seed, clock: 'work' });
afterEach(() => picos.closeAll());

/** The closing collection after `gc.collect()`: counted instructions and Pico ns, as the host reads them. */
interface Counted {
  work: number;
  tables: number;
  ns: number;
}

async function collect(repl: ReplDriver): Promise<Counted> {
  await repl.run('import gc\ngc.collect()');
  const out = await repl.run(
    'import picogc_sim\nprint(picogc_sim.last_collect_work(), picogc_sim.last_collect_tables(), picogc_sim.last_collect_ns())',
  );
  const [work, tables, ns] = out.trim().split(' ').map(Number);
  return { work: work!, tables: tables!, ns: ns! };
}

/** Build `live` bytearray(48) as pause-vs-live does, then two collections (the first frees the build's garbage). */
async function pauseWithLive(repl: ReplDriver, live: number): Promise<Counted> {
  await repl.run(
    `live = None\nlive = [None] * ${live}\nfor i in range(${live}):\n    live[i] = bytearray(48)`,
  );
  await collect(repl);
  return collect(repl);
}

/** A build-and-collect sequence with ticks read inside scripts, as a run would do it. */
async function sequence(repl: ReplDriver): Promise<string[]> {
  const seen: string[] = [];
  for (const live of [0, 700, 64, 1500]) {
    const pause = await pauseWithLive(repl, live);
    seen.push(`${live}: ${pause.work} ${pause.ns}`);
    seen.push(
      await repl.run(
        'import time, random\nprint(time.ticks_us(), time.ticks_ms(), time.ticks_cpu(), random.getrandbits(30))',
      ),
    );
  }
  return seen;
}

describe('the work clock', () => {
  it('two fresh virtual Picos running the same sequence report bit-identical pauses and ticks', async () => {
    const [a, b] = await Promise.all([rawRepl(3), rawRepl(3)]);
    const first = await sequence(a);
    const second = await sequence(b);
    expect(second).toEqual(first);
    expect(first.filter((line) => /^\d+: [1-9]/.test(line))).toHaveLength(4); // every collection counted work
  });

  it('a pause grows with the live set: 2000 live bytearray(48) > 500 > 0, exactly, on one VM', async () => {
    const repl = await rawRepl();
    const none = await pauseWithLive(repl, 0);
    const some = await pauseWithLive(repl, 500);
    const many = await pauseWithLive(repl, 2000);
    expect(some.work).toBeGreaterThan(none.work);
    expect(many.work).toBeGreaterThan(some.work);
    expect(none.work).toBeGreaterThan(0);
    // The same state twice gives the same count: nothing of the host enters it.
    expect(await collect(repl)).toEqual(many);
  });

  it('converts a pause with the calibration: the fixed part plus counts × µs per count and tables × µs per table', async () => {
    const repl = await rawRepl();
    const pause = await pauseWithLive(repl, 500);
    const calibration = workClockCalibration();
    // py/gc.c's sweep runs one switch per block it walks: 500 live bytearrays take 4 blocks each.
    expect(pause.tables).toBeGreaterThan(500 * 4);
    expect(pause.ns).toBe(Math.round(pauseUs(calibration, pause.work, pause.tables) * 1000));
    expect(usPerCount(calibration)).toBeCloseTo(calibration.cyclesPerCount / 125, 12);
  });

  it('ticks_us, ticks_ms and ticks_cpu read one clock at 1 µs resolution, and advance with the work', async () => {
    const repl = await rawRepl();
    const out = await repl.run(
      [
        'import time',
        't0 = time.ticks_us()',
        'for i in range(1000):',
        '    pass',
        't1 = time.ticks_us()',
        'c = time.ticks_cpu()',
        'm = time.ticks_ms()',
        'u = time.ticks_us()',
        'print(time.ticks_diff(t1, t0), time.ticks_diff(u, c), time.ticks_diff(m * 1000, u) <= 0, time.ticks_diff(u, m * 1000) < 1000)',
      ].join('\n'),
    );
    const [loopUs, cpuToUs, msNotAhead, msWithin] = out.trim().split(' ');
    // 1000 loop iterations of counted work: more than nothing, far less than a millisecond step each.
    expect(Number(loopUs)).toBeGreaterThan(0);
    expect(Number(loopUs) % 1000 === 0 && Number(loopUs) < 1000).toBe(false);
    expect(Number(cpuToUs)).toBeGreaterThanOrEqual(0);
    expect(Number(cpuToUs)).toBeLessThan(100);
    expect([msNotAhead, msWithin]).toEqual(['True', 'True']);
  });

  it('reading the ticks allocates nothing on the GC heap (the measure(n_live) pattern relies on it)', async () => {
    const repl = await rawRepl();
    const out = await repl.run(
      [
        'import gc, time',
        'def f():',
        '    a = gc.mem_alloc()',
        '    for i in range(100):',
        '        t = time.ticks_us()',
        '        m = time.ticks_ms()',
        '        c = time.ticks_cpu()',
        '        d = time.ticks_diff(t, c)',
        '    return gc.mem_alloc() - a',
        'f()',
        'print(f())',
      ].join('\n'),
    );
    expect(out).toBe('0\r\n');
  });

  it('a sleep reads as the time slept, returns at once, and never hangs', async () => {
    const repl = await rawRepl();
    const started = performance.now();
    const out = await repl.run(
      [
        'import time',
        'def slept(f, n):',
        '    t = time.ticks_us()',
        '    f(n)',
        '    return time.ticks_diff(time.ticks_us(), t)',
        // A first call of each kind runs a little more (lookup caches filling): not timed.
        'slept(time.sleep_ms, 1), slept(time.sleep_us, 1), slept(time.sleep, 0)',
        'print(slept(time.sleep_ms, 10) - slept(time.sleep_ms, 1), slept(time.sleep_us, 17) - slept(time.sleep_us, 10), slept(time.sleep, 60) - slept(time.sleep, 1))',
      ].join('\n'),
    );
    // Two sleeps of one kind run the same counted instructions, so they differ by exactly the time
    // slept (±1 µs: each reading is rounded down to a whole µs). 59 s of Pico time is below the
    // 2^30 µs wrap of ticks_us, so ticks_diff sees all of it.
    const [ms, us, s] = out.trim().split(' ').map(Number);
    expect(Math.abs(ms! - 9_000)).toBeLessThanOrEqual(1);
    expect(Math.abs(us! - 7)).toBeLessThanOrEqual(1);
    expect(Math.abs(s! - 59_000_000)).toBeLessThanOrEqual(1);
    expect(performance.now() - started).toBeLessThan(10_000); // a minute of sleep took no minute
  });

  it('goes on across a soft reset, as a Pico timer does', async () => {
    const repl = await rawRepl();
    const before = Number((await repl.run('import time\ntime.sleep(5)\nprint(time.ticks_ms())')).trim());
    repl.write('\x04');
    await repl.until(TEXT.RAW_BANNER_PROMPT);
    const after = Number((await repl.run('import time\nprint(time.ticks_ms())')).trim());
    expect(before).toBeGreaterThanOrEqual(5000);
    expect(after).toBeGreaterThan(before);
  });
});
