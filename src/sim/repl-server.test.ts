import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../testing/manual-clock.ts';
import { TEXT } from '../protocol/raw-repl-vocabulary.ts';
import { ReplDriver } from './testing.ts';
import { VirtualPico } from './virtual-pico.ts';

const started: VirtualPico[] = [];

async function boot(
  options: Parameters<typeof VirtualPico.start>[0] = {},
): Promise<{ pico: VirtualPico; repl: ReplDriver }> {
  const pico = await VirtualPico.start({ interruptGraceMs: 10_000, ...options });
  started.push(pico);
  const repl = new ReplDriver(pico.link);
  await repl.until('>>> ');
  return { pico, repl };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((pico) => pico.close()));
});

describe('raw REPL executions', () => {
  let shared: { pico: VirtualPico; repl: ReplDriver };

  beforeAll(async () => {
    shared = await VirtualPico.start().then((pico) => ({ pico, repl: new ReplDriver(pico.link) }));
    await shared.repl.until('>>> ');
    await shared.repl.enterRaw();
  });

  afterAll(async () => {
    await shared.pico.close();
  });

  it('print(6*7) gives 42 in a CRLF stdout part and an empty stderr part', async () => {
    expect(await shared.repl.exec('print(6*7)')).toEqual({ stdout: '42\r\n', stderr: '' });
  });

  it('1/0 gives the ZeroDivisionError traceback in the stderr part', async () => {
    expect(await shared.repl.exec('1/0')).toEqual({
      stdout: '',
      stderr:
        'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nZeroDivisionError: divide by zero\r\n',
    });
  });

  it('raw-paste: R\\x01, a 128-byte window, one refill per window consumed, no OK, the same frame', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `x${i % 7} = ${i}`).join('\n');
    const code = `${lines}\nprint(x0 + x6, 'done')\n`;
    const frame = await shared.repl.execPaste(code);
    expect(frame.window).toBe(128);
    // The grant after the window size, then one per 128 bytes received.
    expect(frame.windowRefills).toBe(1 + Math.floor(code.length / 128));
    expect(frame).toMatchObject({ stdout: '797 done\r\n', stderr: '' });
  });

  it('raw-paste of a syntax error reports it in the frame after the upload', async () => {
    const frame = await shared.repl.execPaste('x = (\n');
    expect(frame.stderr).toMatch(
      /^Traceback \(most recent call last\):\r\n {2}File "<stdin>", line \d+\r\nSyntaxError: /,
    );
  });

  it('Ctrl-C during a raw-paste upload: \\x04, then a KeyboardInterrupt frame', async () => {
    const repl = shared.repl;
    repl.write('\x05A\x01');
    expect(await repl.reader.bytes(5, 5000)).toEqual(Buffer.from('R\x01\x80\x00\x01', 'latin1'));
    repl.write('x = 1\n\x03');
    expect(await repl.until('\x04>')).toBe('\x04\x04KeyboardInterrupt: \r\n\x04>');
    expect(await repl.run('print("still raw")')).toBe('still raw\r\n');
  });

  it('a raw-paste request only counts on an empty raw line (\\x05 withheld, then released)', async () => {
    const repl = shared.repl;
    // "\x05B\x01" is an unsupported raw-paste command: the VM answers R\x00 itself.
    repl.write('\x05B\x01');
    expect(await repl.until('>')).toBe('R\x00>');
    // Ctrl-E not followed by A is line content: here a syntax error, compiled by the VM.
    expect((await repl.exec('\x05x = 1')).stderr).toContain('SyntaxError');
  });

  it('picogc_sim.capabilities() declares the VM, the heap, its work clock and every difference from a Pico', async () => {
    const text = await shared.repl.run('import picogc_sim\nprint(picogc_sim.capabilities())');
    const caps = z
      .object({
        device: z.literal('picogc-virtual-pico'),
        vm: z.object({ version: z.literal('1.27.0'), instrumented: z.literal('work-clock') }),
        heapBytes: z.literal(251700),
        gcTotalBytes: z.literal(245888),
        clock: z.literal('work'),
        calibration: z.object({ work: z.number().int().positive() }).strict(),
        differences: z.array(z.object({ id: z.string(), detail: z.string() })),
      })
      .parse(JSON.parse(text));
    const ids = caps.differences.map((d) => d.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'deferred-collection',
        'growing-heap',
        'work-clock-collection',
        'work-clock-ticks',
        'double-precision-floats',
        'interrupt-may-reset',
      ]),
    );
    expect(ids).not.toContain('host-timed-collection');
    expect(ids).not.toContain('ticks-ms-resolution');
    // The report must still say this is not a board: the clock is an estimate from counted work.
    expect(caps.differences.find((d) => d.id === 'work-clock-collection')?.detail).toMatch(
      /estimate of a Pico's pause .* not a measurement of a board/,
    );
  });

  it('the differences are real: ticks_us in µs steps, double floats, threshold off like a Pico', async () => {
    const out = await shared.repl.run(
      'import time, gc\nt = [time.ticks_us() for i in range(200)]\nd = [time.ticks_diff(b, a) for a, b in zip(t, t[1:])]\nprint(all(x % 1000 == 0 for x in t), min(d) > 0, max(d) < 1000, 1/3, gc.threshold())',
    );
    expect(out).toBe('False True True 0.3333333333333333 -1\r\n');
  });
});

describe('on the host clock (--clock host)', () => {
  it('declares host-timed collections and millisecond ticks, and they are real', async () => {
    const { repl } = await boot({ clock: 'host' });
    await repl.enterRaw();
    const caps = z
      .object({
        vm: z.object({ version: z.literal('1.27.0'), instrumented: z.undefined().optional() }),
        clock: z.literal('host'),
        calibration: z.object({ ns: z.number().nonnegative() }).strict(),
        differences: z.array(z.object({ id: z.string() })),
      })
      .parse(JSON.parse(await repl.run('import picogc_sim\nprint(picogc_sim.capabilities())')));
    const ids = caps.differences.map((d) => d.id);
    expect(ids).toEqual(expect.arrayContaining(['host-timed-collection', 'ticks-ms-resolution']));
    expect(ids).not.toContain('work-clock-collection');
    const out = await repl.run(
      'import time\nt = [time.ticks_us() for i in range(200)]\nprint(all(x % 1000 == 0 for x in t), time.ticks_cpu())',
    );
    expect(out).toBe('True 0\r\n');
  });

  it('time.sleep busy-waits on the host clock: a Ctrl-C replaces the VM after the grace period', async () => {
    const { pico, repl } = await boot({ clock: 'host', interruptGraceMs: 300 });
    await repl.enterRaw();
    repl.write('import time\ntime.sleep(60)\x04');
    expect(await repl.until('OK')).toBe('OK');
    repl.write('\x03');
    expect(await repl.follow()).toEqual({ stdout: '', stderr: 'KeyboardInterrupt: \r\n' });
    expect(pico.resets).toBe(1);
  });
});

describe('Ctrl-C of running code', () => {
  it('interrupts while True: pass with the VM’s own KeyboardInterrupt; globals survive, no reset', async () => {
    const { pico, repl } = await boot();
    await repl.enterRaw();
    await repl.run('kept = 41');
    repl.write('while True:\n  pass\n\x04');
    expect(await repl.until('OK')).toBe('OK');
    repl.write('\x03');
    expect(await repl.follow()).toEqual({
      stdout: '',
      stderr:
        'Traceback (most recent call last):\r\n  File "<stdin>", line 2, in <module>\r\nKeyboardInterrupt: \r\n',
    });
    expect(await repl.run('print(kept + 1)')).toBe('42\r\n');
    expect(pico.resets).toBe(0);
  });

  it('replaces a VM that ignores Ctrl-C (a loop inside one builtin call) after the grace period: counted, state lost', async () => {
    const clock = new ManualClock();
    const { pico, repl } = await boot({ interruptGraceMs: 300, timers: clock });
    await repl.enterRaw();
    await repl.run('kept = 41');
    // sum() loops in C and never checks for a pending exception (as on a Pico, where it would run on).
    repl.write('sum(range(10**9))\x04');
    expect(await repl.until('OK')).toBe('OK');
    repl.write('\x03');
    await vi.waitFor(() => expect(clock.pending).toBe(1)); // the grace period started
    clock.advance(299);
    expect(clock.pending).toBe(1);
    clock.advance(1);
    expect(clock.pending).toBe(0);
    expect(await repl.follow()).toEqual({ stdout: '', stderr: 'KeyboardInterrupt: \r\n' });
    expect(pico.resets).toBe(1);
    expect(await repl.run('import picogc_sim\nprint(picogc_sim.resets())')).toBe('1\r\n');
    expect((await repl.exec('print(kept)')).stderr).toContain("NameError: name 'kept' isn't defined");
  });

  it('input queued behind a running execution is dropped by the Ctrl-C, input after it is kept', async () => {
    const { repl } = await boot();
    await repl.enterRaw();
    repl.write('while True:\n  pass\n\x04');
    await repl.until('OK');
    repl.write('print("queued before")\x04\x03print("sent after")\x04');
    expect((await repl.follow()).stderr).toContain('KeyboardInterrupt');
    expect(await repl.until('OK')).toBe('OK');
    expect(await repl.follow()).toEqual({ stdout: 'sent after\r\n', stderr: '' });
  });
});

describe('soft reset and modes', () => {
  it('Ctrl-D gives a fresh VM that keeps gc.threshold and gc.disable(), as a Pico does', async () => {
    const { pico, repl } = await boot();
    await repl.enterRaw();
    const used = async () => Number(await repl.run('import gc\nprint(gc.mem_alloc())'));
    const bootUsed = await used();
    await repl.run('import gc\ngc.threshold(1000)\ngc.disable()\nkept = [bytearray(100) for i in range(50)]');
    expect(await used()).toBeGreaterThan(bootUsed + 50 * 128);
    repl.write('\x04');
    expect(await repl.until(TEXT.RAW_BANNER_PROMPT)).toBe(
      `OK\r\nMPY: soft reboot\r\n${TEXT.RAW_BANNER_PROMPT}`,
    );
    // A fresh heap: about what a VM uses after boot, without the 50 bytearrays (6.4 KB).
    expect(await used()).toBeLessThan(bootUsed + 1024);
    expect(await repl.run('import gc\nprint(gc.threshold(), gc.isenabled(), "kept" in globals())')).toBe(
      '992 False False\r\n',
    );
    expect(pico.softResets).toBe(1);
    expect(pico.resets).toBe(0);
  });

  it('SystemExit and machine.soft_reset() soft-reboot after the frame', async () => {
    const { repl } = await boot();
    await repl.enterRaw();
    repl.write('print("bye")\nimport sys\nsys.exit()\x04');
    expect(await repl.until(TEXT.RAW_BANNER_PROMPT)).toBe(
      `OKbye\r\n\x04\x04MPY: soft reboot\r\n${TEXT.RAW_BANNER_PROMPT}`,
    );
    repl.write('import machine\nmachine.soft_reset()\x04');
    expect(await repl.until(TEXT.RAW_BANNER_PROMPT)).toBe(
      `OK\x04\x04MPY: soft reboot\r\n${TEXT.RAW_BANNER_PROMPT}`,
    );
  });

  it('Ctrl-B leaves raw mode with the virtual Pico’s banner; the friendly REPL echoes and cooks CRLF', async () => {
    const { repl } = await boot();
    await repl.enterRaw();
    repl.write('\x02');
    expect(await repl.until('>>> ')).toMatch(
      /^\r\nMicroPython v1\.27\.0 on \d{4}-\d\d-\d\d; picogc virtual Pico with webassembly-pyscript VM\r\nType "help\(\)" for more information\.\r\n>>> $/,
    );
    repl.write('print(6*7)\r');
    expect(await repl.until('>>> ')).toBe('print(6*7)\r\n42\r\n>>> ');
    repl.write('\x04');
    expect(await repl.until('>>> ')).toMatch(
      /^\r\nMPY: soft reboot\r\nMicroPython v1\.27\.0 on \S+; picogc virtual Pico/,
    );
  });

  it('machine.unique_id() is 8 bytes, the same for the same seed, different for another', async () => {
    const id = async (seed: number) => {
      const { repl } = await boot({ seed });
      await repl.enterRaw();
      return repl.run('import machine\nprint(machine.unique_id().hex(), len(machine.unique_id()))');
    };
    const [a, b, c] = [await id(7), await id(7), await id(8)];
    expect(a).toMatch(/^[0-9a-f]{16} 8\r\n$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('--heap changes the first heap area (GC total follows the VM’s geometry)', async () => {
    const { repl } = await boot({ heapBytes: 131072 });
    await repl.enterRaw();
    const out = await repl.run('import micropython\nmicropython.mem_info()');
    const total = Number(/GC: total: (\d+)/.exec(out)?.[1]);
    expect(total).toBeGreaterThan(120_000);
    expect(total).toBeLessThan(131072);
    expect(total % 64).toBe(0);
  });
});
