import type { Command } from 'commander';
import type { PortInfo } from '../../link/discovery.ts';

/** `picogc ports [--json]`: the serial ports on this machine, Raspberry Pi Picos (USB VID 2E8A) marked. */
export function register(program: Command): void {
  program
    .command('ports')
    .description('list serial ports; Raspberry Pi Picos (USB vendor 2E8A) are marked with *')
    .option('--json', 'print the list as JSON')
    .action(async (options: { json?: boolean }) => {
      const { listPorts } = await import('../../link/discovery.ts');
      const ports = await listPorts();
      process.stdout.write(options.json ? `${JSON.stringify(ports, null, 2)}\n` : formatPortTable(ports));
    });
}

export function formatPortTable(ports: PortInfo[]): string {
  if (ports.length === 0) return 'no serial ports found\n';
  const rows = ports.map((port) => [
    port.isPico ? '*' : '',
    port.path,
    port.vendorId ? `${port.vendorId}:${port.productId ?? '????'}` : '',
    port.serialNumber ?? '',
    port.manufacturer ?? '',
  ]);
  const table = [['', 'PORT', 'VID:PID', 'SERIAL', 'MANUFACTURER'], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  const picos = ports.filter((port) => port.isPico).length;
  const summary = `${picos} Pico${picos === 1 ? '' : 's'} found (* = USB vendor 2E8A)`;
  return `${lines.join('\n')}\n${summary}\n`;
}
