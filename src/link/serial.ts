import { SerialPort } from 'serialport';
import { LinkError } from '../errors.ts';
import type { Link } from './link.ts';

export interface SerialLinkOptions {
  /** Ignored by USB CDC (the Pico's REPL); kept at the hosts' customary 115200. */
  baudRate?: number;
  serialNumber?: string;
}

/**
 * Open a serial port with the real bindings and an exclusive lock (a second opener is refused
 * instead of stealing bytes). Failures become LinkErrors that say what to do.
 */
export async function openSerialLink(path: string, options: SerialLinkOptions = {}): Promise<Link> {
  const port = new SerialPort({ path, baudRate: options.baudRate ?? 115_200, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => (error ? reject(describeOpenError(path, error)) : resolve()));
  });
  // Errors reach readers through the stream's events; an unheard 'error' must not end the process.
  port.on('error', () => {});
  return new SerialLink(port, path, options.serialNumber);
}

/** Turn the bindings' open errors into advice. */
export function describeOpenError(path: string, error: Error): LinkError {
  const text = error.message;
  if (/No such file or directory|ENOENT/i.test(text)) {
    return new LinkError(`no such port: ${path} (is the board plugged in? \`picogc ports\` lists ports)`, {
      cause: error,
    });
  }
  if (/Permission denied|EACCES/i.test(text)) {
    return new LinkError(
      `permission denied opening ${path}: add yourself to the dialout group ` +
        '(sudo usermod -aG dialout $USER, then log in again) or add a udev rule for the Pico, e.g. ' +
        'SUBSYSTEM=="tty", ATTRS{idVendor}=="2e8a", MODE="0660", GROUP="dialout"',
      { cause: error },
    );
  }
  if (/Cannot lock port|Resource temporarily unavailable|EBUSY|resource busy/i.test(text)) {
    return new LinkError(
      `port busy: ${path} is already open (another process? mpremote, Thonny, screen or another picogc)`,
      { cause: error },
    );
  }
  return new LinkError(`cannot open ${path}: ${text}`, { cause: error });
}

class SerialLink implements Link {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly port: SerialPort,
    readonly description: string,
    readonly serialNumber: string | undefined,
  ) {}

  get stream(): SerialPort {
    return this.port;
  }

  /** Resolves once the file descriptor (and with it the lock) is released. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (!this.port.isOpen) return resolve();
      // An error here means the port is already gone (unplugged): released either way.
      this.port.close(() => resolve());
    });
    return this.closing;
  }
}
