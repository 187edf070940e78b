import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PICO_PORT, UART_PORT } from '../../../test/support/serial-ports.ts';
import { formatPortTable } from './ports.ts';

const BIN = fileURLToPath(new URL('../../../bin/picogc.js', import.meta.url));

describe('picogc ports', () => {
  it('prints a table with Picos marked', () => {
    const table = formatPortTable([PICO_PORT, UART_PORT]);
    expect(table).toBe(
      [
        '   PORT          VID:PID    SERIAL            MANUFACTURER',
        '*  /dev/ttyACM0  2e8a:0005  E6614C311B7A8B2F  MicroPython',
        '   /dev/ttyS0',
        '1 Pico found (* = USB vendor 2E8A)',
        '',
      ].join('\n'),
    );
    expect(formatPortTable([])).toBe('no serial ports found\n');
  });

  it('lists ports as JSON without udevadm on PATH (as in containers and CI)', () => {
    const emptyBin = mkdtempSync(join(tmpdir(), 'picogc-nobin-'));
    try {
      const run = spawnSync(process.execPath, [BIN, 'ports', '--json'], {
        env: { ...process.env, PATH: emptyBin },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const ports = JSON.parse(run.stdout) as unknown[];
      expect(Array.isArray(ports)).toBe(true);
      for (const port of ports) {
        expect(port).toEqual(expect.objectContaining({ isPico: expect.any(Boolean) as unknown }));
        expect((port as { path: string }).path).toMatch(/^\/dev\//);
      }
    } finally {
      rmSync(emptyBin, { recursive: true, force: true });
    }
  });
});
