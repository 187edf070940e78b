import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceException, LinkError } from '../errors.ts';
import { RawRepl } from '../repl/raw-repl.ts';
import { openPseudoTerminal, type PseudoTerminal } from './pseudo-terminal.ts';
import { ScriptedDevice } from '../../test/support/scripted-peer.ts';
import { openLink, type Link } from './open.ts';
import { describeOpenError } from './serial.ts';

describe('describeOpenError', () => {
  it('names the dialout group and the udev rule on permission denied', () => {
    const error = describeOpenError(
      '/dev/ttyACM0',
      new Error('Error: Permission denied, cannot open /dev/ttyACM0'),
    );
    expect(error).toBeInstanceOf(LinkError);
    expect(error.message).toMatch(/permission denied opening \/dev\/ttyACM0: .*dialout.*udev rule.*2e8a/);
  });
});

describe('serial links on the real bindings', () => {
  it('reports a missing port as "no such port"', async () => {
    const error = await openLink('/dev/ttyPICOGC-NOPE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(/^no such port: \/dev\/ttyPICOGC-NOPE/);
  });

  it('reports a path that is not a serial port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picogc-notatty-'));
    writeFileSync(join(dir, 'file'), '');
    const error = await openLink(join(dir, 'file')).catch((e: unknown) => e);
    rmSync(dir, { recursive: true, force: true });
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toMatch(/^cannot open .*file: /);
  });
});

// The host side is the real serialport bindings on a real pseudo-terminal; the board side is the
// pty's master, where a scripted board answers.
describe('over a real pseudo-terminal', () => {
  let dir: string;
  let pty: PseudoTerminal;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'picogc-pty-'));
    pty = await openPseudoTerminal(join(dir, 'A'));
  });
  afterAll(async () => {
    await pty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second open while the port is held, and reopens at once after close()', async () => {
    const first = await openLink(pty.path);
    const busy = await openLink(pty.path).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(LinkError);
    expect((busy as Error).message).toMatch(/^port busy: .*another process/);
    await first.close();
    const again = await openLink(pty.path);
    await again.close();
    await again.close(); // idempotent
  });

  it('runs enter, raw-paste exec, classic exec, an exception, soft reset and leave through the pty', async () => {
    const device = new ScriptedDevice(pty.stream, {
      bootOutput: 'boot.py: hello\r\n',
      run: (code) =>
        code.startsWith('1/0')
          ? {
              stderr:
                'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\n' +
                'ZeroDivisionError: divide by zero\r\n',
            }
          : { stdout: `received ${Buffer.byteLength(code)} bytes\r\n` },
    });
    let link: Link | undefined;
    try {
      link = await openLink(pty.path);
      expect(link.description).toBe(pty.path);
      const repl = new RawRepl(link.stream);
      await repl.enter();

      const big = 'x = 1\n'.repeat(700); // 4200 bytes: many 128-byte windows
      expect(await repl.exec(big)).toEqual({
        stdout: 'received 4200 bytes\r\n',
        stderr: '',
        pasteMode: 'raw-paste',
      });
      expect(device.flowViolations).toBe(0);
      expect(device.events.filter((e) => e === 'grant')).toHaveLength(Math.floor(4200 / 128));

      const classic = await repl.exec('y = 2\n'.repeat(100), { forceClassic: true });
      expect(classic).toEqual({ stdout: 'received 600 bytes\r\n', stderr: '', pasteMode: 'classic' });
      expect(device.execs.map((e) => e.mode)).toEqual(['raw-paste', 'classic']);

      const error = await repl.exec('1/0').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeviceException);
      expect((error as DeviceException).type).toBe('ZeroDivisionError');

      expect(await repl.softReset()).toBe('boot.py: hello\r\n');
      expect((await repl.exec('print(1)')).stdout).toBe('received 8 bytes\r\n');
      expect(await repl.leave()).toMatch(
        /^MicroPython v1\.28\.0 on 2026-04-06; Raspberry Pi Pico with RP2040\n/,
      );
      repl.close();
    } finally {
      await link?.close();
      device.detach();
    }
  });
});
