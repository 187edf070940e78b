import type { PortInfo } from '../../src/link/discovery.ts';

/** A Pico running MicroPython, as `picogc ports` lists it: USB 2E8A:0005, its REPL on ttyACM0. */
export const PICO_PORT = {
  path: '/dev/ttyACM0',
  vendorId: '2e8a',
  productId: '0005',
  serialNumber: 'E6614C311B7A8B2F',
  manufacturer: 'MicroPython',
  isPico: true,
} satisfies PortInfo;

/** A built-in UART: a serial port with no USB identity. */
export const UART_PORT = { path: '/dev/ttyS0', isPico: false } satisfies PortInfo;
