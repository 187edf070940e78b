import { afterEach, describe, expect, it } from 'vitest';
import { machineSource } from './capabilities.ts';
import { MicroPythonVm } from './vm.ts';
import { PICO_GC_DEFAULTS, type BootConfig } from './vm-protocol.ts';

const CONFIG: BootConfig = {
  heapBytes: 251_700,
  mode: 'raw',
  gc: PICO_GC_DEFAULTS,
  // The package's VM as shipped: these tests are about the thread, not the clock (work-clock.test.ts).
  clock: { kind: 'host' },
  machineSource: machineSource(0),
  capabilities: {},
  calibrationRuns: 11,
  resets: 0,
};

const vms: MicroPythonVm[] = [];
let output = '';

function start(): MicroPythonVm {
  const vm = MicroPythonVm.start((chunk) => (output += chunk.toString('latin1')));
  vms.push(vm);
  return vm;
}

afterEach(async () => {
  await Promise.all(vms.splice(0).map((vm) => vm.terminate()));
  output = '';
});

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('MicroPythonVm', () => {
  it('boots a VM with a Pico-sized heap into raw mode and streams its REPL output', async () => {
    const vm = start();
    const booted = await vm.boot(CONFIG);
    expect(Buffer.from(booted.output).toString('latin1')).toBe('raw REPL; CTRL-B to exit\r\n>');
    expect(booted.memInfo).toMatch(/^stack: \d+ out of 32768\r\nGC: total: 245888, /);
    const fed = await vm.feed(1, bytes('print(6*7)\x04'));
    expect(fed).toMatchObject({ consumed: 11, exitCode: 0, interrupted: false });
    expect(output).toBe('OK42\n\x04\x04>');
  });

  it('reports the soft-reset request of Ctrl-D on an empty raw line and stops feeding there', async () => {
    const vm = start();
    await vm.boot(CONFIG);
    const fed = await vm.feed(1, bytes('\x04print(1)\x04'));
    expect(fed.exitCode).not.toBe(0);
    expect(fed.consumed).toBe(1);
    expect(output).toBe('OK\r\n');
  });

  it('a Ctrl-C for an idle VM is not delivered and leaves the thread working (no stray pause)', async () => {
    const vm = start();
    await vm.boot(CONFIG);
    expect(await vm.interrupt(1, performance.now() + 300, () => true)).not.toBe('delivered');
    expect((await vm.feed(2, bytes('print(1)\x04'))).interrupted).toBe(false);
    expect(output).toBe('OK1\n\x04\x04>');
  });

  it('delivers KeyboardInterrupt into a busy loop on the VM thread', async () => {
    const vm = start();
    await vm.boot(CONFIG);
    let busy = true;
    const fed = vm.feed(7, bytes('while True:\n  pass\n\x04')).finally(() => (busy = false));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await vm.interrupt(7, performance.now() + 10_000, () => busy)).toBe('delivered');
    expect(await fed).toMatchObject({ interrupted: true, exitCode: 0 });
    expect(output).toContain('KeyboardInterrupt: \r\n\x04>');
  });

  it('remembers gc.threshold and gc.disable() for the next boot', async () => {
    const vm = start();
    await vm.boot(CONFIG);
    await vm.feed(1, bytes('import gc\ngc.threshold(4100)\ngc.disable()\x04'));
    expect(await vm.gcCarryOver()).toEqual({ threshold: 4096, enabled: false });
  });
});
