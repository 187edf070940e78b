import { describe, expect, it } from 'vitest';
import { DeviceException, ProtocolError } from '../errors.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, count } from '../../test/support/raw-repl-harness.ts';

/** A checked exec's output: the stub's start and end markers (verified-exec.ts). */
const OUTPUT = '@picogc+\r\n@picogc. 0\r\n';
const OUTPUT_END = /@picogc\. \d+\r\n$/;
const STALL_MS = 200;
const DEADLINE_MS = 30_000;

/** One exec whose answer is `answer` (a frame with bytes lost), then a well-formed one. */
async function execWithAnswer(answer: string, outputEnd: RegExp | null = OUTPUT_END, stdin?: Buffer) {
  const clock = new ManualClock();
  const behaviours = [{ raw: Buffer.from(answer, 'latin1') }, { stdout: 'next\r\n' }];
  const { repl, peer } = connect({ run: () => behaviours.shift()! }, { clock, interruptGraceMs: 100 });
  await clock.runUntil(repl.enter());
  const started = clock.now();
  const result = await clock.runUntil(
    repl
      .exec('step()', {
        timeoutMs: DEADLINE_MS,
        handshakeMs: STALL_MS,
        ...(outputEnd ? { outputEnd } : {}),
        ...(stdin ? { stdin: { data: stdin } } : {}),
      })
      .catch((e: unknown) => e),
  );
  return { result, elapsed: clock.now() - started, repl, peer, clock };
}

describe('an output frame whose closing \\x04 was lost after output known to be complete', () => {
  it("closes when the stderr part's \\x04 is lost: the prompt, read as stderr, is taken as the prompt", async () => {
    const { result, elapsed, repl, peer, clock } = await execWithAnswer(`${OUTPUT}\x04>`);
    expect(result).toEqual({ stdout: OUTPUT, stderr: '', pasteMode: 'raw-paste' });
    // One stall, not the exec's 30 s deadline.
    expect(elapsed).toBe(STALL_MS);
    // The session is in sync: the next exec needs no new raw-REPL entry.
    expect((await clock.runUntil(repl.exec('print("next")'))).stdout).toBe('next\r\n');
    expect(count(peer.received, '\r\x01')).toBe(1);
    expect(count(peer.received, '\x03')).toBe(1); // only the entry's Ctrl-C: nothing interrupted
  });

  it('closes when both \\x04 are lost: the prompt, read as stdout, is not part of the output', async () => {
    const { result, elapsed, repl, clock } = await execWithAnswer(`${OUTPUT}>`);
    expect(result).toEqual({ stdout: OUTPUT, stderr: '', pasteMode: 'raw-paste' });
    expect(elapsed).toBe(STALL_MS);
    expect((await clock.runUntil(repl.exec('print("next")'))).stdout).toBe('next\r\n');
  });

  it('closes when a \\x04 arrived damaged into another byte (0x84, a bit flipped)', async () => {
    const { result, elapsed, repl, peer, clock } = await execWithAnswer(`${OUTPUT}\x04\x84>`);
    expect(result).toEqual({ stdout: OUTPUT, stderr: '', pasteMode: 'raw-paste' });
    expect(elapsed).toBe(STALL_MS);
    expect((await clock.runUntil(repl.exec('print("next")'))).stdout).toBe('next\r\n');
    expect(count(peer.received, '\r\x01')).toBe(1);
  });

  it('keeps the whole output when the prompt is lost too, and resynchronises before the next exec', async () => {
    const { result, elapsed, repl, peer, clock } = await execWithAnswer(`${OUTPUT}\x04`);
    expect(result).toEqual({ stdout: OUTPUT, stderr: '', pasteMode: 'raw-paste' });
    // One stall closes the frame, a second finds no prompt: not the exec's deadline, not a rerun.
    expect(elapsed).toBe(2 * STALL_MS);
    expect((await clock.runUntil(repl.exec('print("next")'))).stdout).toBe('next\r\n');
    expect(count(peer.received, '\r\x01')).toBe(2);
    expect(peer.execs.map((e) => e.code)).toEqual(['step()', 'print("next")']);
  });

  it('keeps a whole frame whose prompt arrived damaged, and resynchronises before the next exec', async () => {
    const { result, elapsed, repl, peer, clock } = await execWithAnswer(`${OUTPUT}\x04\x04~`);
    expect(result).toEqual({ stdout: OUTPUT, stderr: '', pasteMode: 'raw-paste' });
    expect(elapsed).toBeLessThan(STALL_MS); // the damaged byte is seen at once
    expect((await clock.runUntil(repl.exec('print("next")'))).stdout).toBe('next\r\n');
    expect(count(peer.received, '\r\x01')).toBe(2);
  });

  it('without an end marker a damaged prompt is still a protocol error', async () => {
    const { result } = await execWithAnswer('plain\r\n\x04\x04~', null);
    expect(result).toBeInstanceOf(ProtocolError);
  });

  it('does not take a traceback for complete output: an exception with a lost \\x04 is a protocol error after one stall', async () => {
    const { result, elapsed } = await execWithAnswer(`${OUTPUT}\x04ValueError: x\r\n>`);
    expect(result).toBeInstanceOf(ProtocolError);
    expect(elapsed).toBe(STALL_MS);
  });

  it('closes a whole traceback whose closing \\x04 was lost: the exception is the answer', async () => {
    const traceback =
      'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nValueError: x\r\n';
    const { result, elapsed } = await execWithAnswer(`@picogc+\r\n\x04${traceback}>`);
    expect(result).toBeInstanceOf(DeviceException);
    expect((result as DeviceException).type).toBe('ValueError');
    expect(elapsed).toBe(STALL_MS);
  });

  it('never writes stdin to code that ended without reading it: a failed call whose closing \\x04 was lost', async () => {
    // The call did not compile (a byte of it lost): it never asks for its frame. Written anyway,
    // the frame would land in the REPL's line as junk.
    const traceback =
      'Traceback (most recent call last):\r\n  File "<stdin>", line 2\r\nSyntaxError: invalid syntax\r\n';
    const frame = Buffer.from('0000000009 0000000009 0 0123456789\nimport gc\n', 'latin1');
    const { result, elapsed, peer } = await execWithAnswer(`\x04${traceback}>`, OUTPUT_END, frame);
    expect(result).toBeInstanceOf(DeviceException);
    expect((result as DeviceException).type).toBe('SyntaxError');
    expect(elapsed).toBe(STALL_MS);
    expect(count(peer.received, '0000000009')).toBe(0);
  });

  it('resynchronises after one stall, writing nothing, when such code left a cut traceback', async () => {
    const frame = Buffer.from('0000000009 0000000009 0 0123456789\nimport gc\n', 'latin1');
    const cut = '\x04Traceback (most recent call last):\r\n  File "<stdin>", line 4, in <mod';
    const { result, elapsed, peer } = await execWithAnswer(cut, OUTPUT_END, frame);
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).message).toMatch(/ended before reading its stdin/);
    expect(elapsed).toBe(STALL_MS);
    expect(count(peer.received, '0000000009')).toBe(0);
  });

  it('does not write stdin after a ready line when the code raised right after it (both in one read)', async () => {
    const frame = Buffer.from('0000000009 0000000009 0 0123456789\nimport gc\n', 'latin1');
    const raised =
      "@picogc?\r\n\x04Traceback (most recent call last):\r\n  File \"<stdin>\", line 4, in <module>\r\nNameError: name '_picogc_' isn't defined\r\n";
    const { result, peer } = await execWithAnswer(raised, null, frame);
    expect(result).toBeInstanceOf(ProtocolError);
    expect(count(peer.received, '0000000009')).toBe(0);
  });

  it('closes a traceback whose first \\x04 was lost (it arrived as stdout): the exception is the answer', async () => {
    const traceback =
      'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nValueError: x\r\n';
    const { result, elapsed, repl, peer, clock } = await execWithAnswer(`@picogc+\r\n${traceback}\x04>`);
    expect(result).toBeInstanceOf(DeviceException);
    expect((result as DeviceException).type).toBe('ValueError');
    expect((result as DeviceException).stdout).toBe('@picogc+\r\n');
    expect(elapsed).toBe(STALL_MS);
    expect((await clock.runUntil(repl.exec('print("next")'))).stdout).toBe('next\r\n');
    expect(count(peer.received, '\r\x01')).toBe(1);
  });

  it('takes a traceback that stopped before its exception line for damage after one stall: the code had ended', async () => {
    const cut = 'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\n';
    const { result, elapsed } = await execWithAnswer(`@picogc+\r\n\x04${cut}`);
    expect(result).toBeInstanceOf(ProtocolError);
    expect(elapsed).toBe(STALL_MS);
  });

  it('takes a stderr part damaged past recognising for damage after one stall, not at the deadline', async () => {
    // corrupt:0.001: the refusal's mark and the second \x04 each a bit flipped (waited 30 s).
    const { result, elapsed } = await execWithAnswer('`picogc! 22 409136690\r\n\x04D>');
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).message).toMatch(/the code ended, and nothing closed its frame/);
    expect(elapsed).toBe(STALL_MS);
  });

  it('without an output end the exec knows nothing complete, and waits for its deadline', async () => {
    const { result, elapsed } = await execWithAnswer(`${OUTPUT}>`, null);
    // The device, silent after Ctrl-C, answers Ctrl-A: it sits at its prompt, the link is alive.
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).message).toMatch(
      /waiting for the output frame: no frame end recognised .* at its raw prompt/,
    );
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS);
  });

  it('output that stopped short of the end marker is still waited for, not closed', async () => {
    const { result, elapsed } = await execWithAnswer('@picogc+\r\n@pico');
    expect(result).toBeInstanceOf(ProtocolError);
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS);
  });
});
