import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReplDriver } from './testing.ts';
import { MicroPythonVm } from './vm.ts';
import { VirtualPico } from './virtual-pico.ts';

/**
 * A running script's stdin on the virtual Pico, through the real server and VM: bytes the host
 * sends after an execution started are the script's, as on rp2 (facts §10; mpremote's mount relies
 * on it), and a Ctrl-C still interrupts a read that waits for them.
 */
describe('stdin of a running script', () => {
  let pico: VirtualPico;
  let repl: ReplDriver;

  beforeAll(async () => {
    pico = await VirtualPico.start({ interruptGraceMs: 10_000 });
    repl = new ReplDriver(pico.link);
    await repl.until('>>> ');
    await repl.enterRaw();
  });

  afterAll(async () => {
    await pico.close();
  });

  /** Start an execution (classic raw mode) and wait for its `OK`. */
  async function start(code: string): Promise<void> {
    repl.write(`${code}\x04`);
    expect((await repl.reader.bytes(2, 5000, 'OK')).toString('latin1')).toBe('OK');
  }

  it('sys.stdin.buffer.read(5) gets the 5 bytes the host sends after the execution started', async () => {
    await start('import sys\nprint("reading")\nprint(sys.stdin.buffer.read(5))');
    await repl.until('reading\r\n');
    // The script waits: nothing more comes until the host sends.
    expect((await repl.reader.settle(200, 5000)).toString('latin1')).toBe('');
    repl.write('hel');
    repl.write('lo');
    expect(await repl.follow()).toEqual({ stdout: "b'hello'\r\n", stderr: '' });
  });

  it('once a read took the last byte the host sent, select.poll says stdin is empty', async () => {
    // The host said how many bytes it still held only after handing over the last ones: a script
    // woken by them polled in between, saw one more, and its read waited for good.
    await start(
      [
        'import sys, select',
        'p = select.poll()',
        'p.register(sys.stdin, select.POLLIN)',
        'for r in range(40):',
        '    print("go")',
        '    flags = ""',
        '    for _ in range(4):',
        '        sys.stdin.buffer.read(1)',
        '        flags += "1" if p.poll(0) else "0"',
        '    print(flags)',
      ].join('\n'),
    );
    // What the script could see as the bytes landed: the count of bytes still held last set before.
    const held = vi.spyOn(MicroPythonVm.prototype, 'stdinPending', 'set');
    const handedOver = vi.spyOn(MicroPythonVm.prototype, 'writeStdin');
    let printed = '';
    for (let round = 0; round < 40; round++) {
      printed += await repl.until('go\r\n');
      repl.write('abcd');
    }
    printed += (await repl.follow()).stdout;
    const handOvers = handedOver.mock.calls.map(([bytes], i) => {
      const at = handedOver.mock.invocationCallOrder[i]!;
      const before = held.mock.invocationCallOrder.findLastIndex((order) => order < at);
      return { last: String.fromCharCode(bytes.at(-1)!), stillHeld: held.mock.calls[before]?.[0] };
    });
    held.mockRestore();
    handedOver.mockRestore();
    expect(handOvers.length).toBeGreaterThanOrEqual(40);
    for (const { last, stillHeld } of handOvers)
      expect(stillHeld, `handing over up to '${last}'`).toBe(3 - 'abcd'.indexOf(last));
    // Three bytes still to come after each of the first three reads; none after the fourth.
    expect(printed.split('\r\n').filter((line) => /^[01]+$/.test(line))).toEqual(Array(40).fill('1110'));
  });

  it('a read costs the same device time whether its bytes came at once or in pieces (more than the stdin ring holds, too): the work clock counts the VM, not the host', async () => {
    /** Device µs of a readinto() of 6000 bytes sent in `pieces` (into a buffer made first: no allocation timed). */
    const timedRead = async (pieces: number): Promise<number> => {
      await start(
        'import sys, time\nb = bytearray(6000)\nprint("reading")\nt = time.ticks_us()\nn = sys.stdin.buffer.readinto(b)\nprint(time.ticks_diff(time.ticks_us(), t), n)',
      );
      await repl.until('reading\r\n');
      const size = 6000 / pieces;
      for (let i = 0; i < pieces; i++) {
        repl.write('x'.repeat(size));
        // The script has taken each piece before the next comes.
        if (pieces > 1) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const { stdout } = await repl.follow();
      expect(stdout).toMatch(/^\d+ 6000\r\n$/);
      return Number(stdout.split(' ')[0]);
    };
    await timedRead(1); // the first call's one-off costs
    const whole = await timedRead(1);
    // Within the clock's resolution (1 µs, where its fraction stood at the start); the VM called
    // once for each piece took ~85 µs more.
    expect(Math.abs((await timedRead(150)) - whole)).toBeLessThanOrEqual(1);
  });

  it('bytes sent with the code, after its Ctrl-D, are stdin too; sys.stdin.read(1) and readinto', async () => {
    repl.write(
      'import sys\nc = sys.stdin.read(1)\nb = bytearray(3)\nn = sys.stdin.buffer.readinto(b)\nprint(repr(c), n, b)\x04xabc',
    );
    expect((await repl.reader.bytes(2, 5000, 'OK')).toString('latin1')).toBe('OK');
    expect(await repl.follow()).toEqual({ stdout: "'x' 3 bytearray(b'abc')\r\n", stderr: '' });
  });

  it('raw-paste (as mpremote runs code): the bytes after the Ctrl-D that ends the upload are stdin', async () => {
    repl.write('\x05A\x01');
    expect((await repl.reader.bytes(5, 5000, 'raw-paste header')).toString('latin1')).toBe(
      'R\x01\x80\x00\x01',
    );
    repl.write('import sys\nprint(sys.stdin.buffer.read(4))\x04ping');
    expect((await repl.reader.bytes(1, 5000, 'end of upload')).toString('latin1')).toBe('\x04');
    expect(await repl.follow()).toEqual({ stdout: "b'ping'\r\n", stderr: '' });
  });

  it('what the script does not read stays the REPL’s input', async () => {
    repl.write('import sys\nprint(sys.stdin.buffer.read(2))\x04XYprint(40 + 2)\x04');
    expect((await repl.reader.bytes(2, 5000, 'OK')).toString('latin1')).toBe('OK');
    expect(await repl.follow()).toEqual({ stdout: "b'XY'\r\n", stderr: '' });
    expect((await repl.reader.bytes(2, 5000, 'OK')).toString('latin1')).toBe('OK');
    expect(await repl.follow()).toEqual({ stdout: '42\r\n', stderr: '' });
  });

  it('a Ctrl-C during a blocking read raises KeyboardInterrupt at that line, and the VM goes on', async () => {
    await start('import sys\nkept = 7\nprint("waiting")\nsys.stdin.buffer.read(5)\nprint("not reached")');
    await repl.until('waiting\r\n');
    repl.write('ab\x03');
    expect(await repl.follow()).toEqual({
      stdout: '',
      stderr:
        'Traceback (most recent call last):\r\n  File "<stdin>", line 4, in <module>\r\nKeyboardInterrupt: \r\n',
    });
    // Globals kept, no VM replaced; "ab", sent before the Ctrl-C, was dropped with it.
    expect(await repl.run('print(kept)')).toBe('7\r\n');
    expect(pico.resets).toBe(0);
  });

  it('with the interrupt char off (micropython.kbd_intr(-1)) a Ctrl-C is data for the script', async () => {
    await start(
      'import sys, micropython\nmicropython.kbd_intr(-1)\nprint("ready")\nd = sys.stdin.buffer.read(3)\nmicropython.kbd_intr(3)\nprint(d)',
    );
    await repl.until('ready\r\n');
    repl.write('a\x03b');
    expect(await repl.follow()).toEqual({ stdout: "b'a\\x03b'\r\n", stderr: '' });
  });

  it('select.poll sees stdin readable only once the host has sent something', async () => {
    await start(
      'import sys, select\np = select.poll()\np.register(sys.stdin, select.POLLIN)\nprint(len(p.poll(0)))\nprint(len(p.poll(60000)))\nprint(sys.stdin.buffer.read(2))',
    );
    await repl.until('0\r\n');
    repl.write('zz');
    expect(await repl.follow()).toEqual({ stdout: "1\r\nb'zz'\r\n", stderr: '' });
  });

  it('input() prints its prompt, echoes, takes backspace, ignores cursor keys and ends at Enter', async () => {
    await start('name = input("name? ")\nprint("got", repr(name))');
    await repl.until('name? ');
    repl.write('Pix\x7fco\x1b[A\r');
    expect(await repl.follow()).toEqual({ stdout: "Pix\b\x1b[Kco\r\ngot 'Pico'\r\n", stderr: '' });
  });
});

describe('stdin in the friendly REPL', () => {
  it("a line's script reads the bytes typed after that line; the REPL gets the rest", async () => {
    const pico = await VirtualPico.start();
    try {
      const repl = new ReplDriver(pico.link);
      await repl.until('>>> ');
      repl.write('import sys\rprint(repr(sys.stdin.read(3)))\rabc1+1\r');
      expect(await repl.until('2\r\n>>> ')).toBe(
        "import sys\r\n>>> print(repr(sys.stdin.read(3)))\r\n'abc'\r\n>>> 1+1\r\n2\r\n>>> ",
      );
    } finally {
      await pico.close();
    }
  });
});
