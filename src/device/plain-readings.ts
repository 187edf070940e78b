import type { ExecResult } from '../repl/raw-repl.ts';
import { ProtocolError, escapeBytes } from '../errors.ts';
import type { Capabilities } from './device-info.ts';
import type { DeviceExecOptions, MemInfoOptions, TimedCollection } from './device.ts';
import { memInfoProblem } from './mem-info-check.ts';
import { memInfoCopiesCode, voteMemInfo } from './mem-info-vote.ts';

/**
 * Readings the device prints plainly, not as checked data lines: a pause as a number, mem_info as
 * the firmware prints it. Each is judged by its own shape, and read again in a way that does not
 * change what it reads.
 */
type Exec = (code: string, options?: DeviceExecOptions) => Promise<ExecResult>;

const BOARD_TIMED_COLLECT =
  'import gc, time\n_t = time.ticks_us()\ngc.collect()\nprint(time.ticks_diff(time.ticks_us(), _t))';

/** A figure printed plainly is no data line: a damaged one is caught by its shape, and read again. */
const wholeNumber = (stdout: string) => (/^\d+\r\n$/.test(stdout) ? undefined : 'not a whole number');

/** A timed collection on a board: ticks_us around gc.collect(), inside one exec. */
export async function boardTimedCollection(
  exec: Exec,
  options: { timeoutMs?: number },
): Promise<TimedCollection> {
  const { stdout } = await exec(BOARD_TIMED_COLLECT, { ...options, validate: wholeNumber });
  return { us: parseInteger(stdout, 'microseconds'), method: 'ticks_us' };
}

/** The virtual Pico collects when an execution returns: this one only asks for a collection. */
export const VM_COLLECT = 'import gc\ngc.collect()';

/**
 * The virtual Pico's last collection as it timed it (on its work clock, or on the host), read by
 * the next execution. Tried once: a read tried again (itself an execution) could find another
 * collection, so a damaged read is a DamagedLinkError and the pair goes again instead.
 */
export async function lastVmCollection(
  exec: Exec,
  capabilities: Capabilities,
  options: { timeoutMs?: number },
): Promise<TimedCollection> {
  // Printed twice: a plain number with one digit damaged is still a whole number.
  const { stdout } = await exec('import picogc_sim\nprint(*[picogc_sim.last_collect_ns()] * 2)', {
    ...options,
    validate: (text) => (/^(\d+) \1\r\n$/.test(text) ? undefined : 'not the same whole number twice'),
    attempts: 1,
  });
  return {
    us: parseInteger(stdout.split(' ')[0]!, 'nanoseconds') / 1000,
    method: capabilities.collectTiming,
  };
}

/**
 * `micropython.mem_info()` text, with the heap map for `heapMap`. A damaged copy is asked for
 * again as several copies of one snapshot, mended line by line (mem-info-vote.ts).
 *
 * On a device whose collections wait for the exec to return (`deferredCollect`, the virtual Pico)
 * a map shows the garbage of the exec that prints it, so every try prints the copies, after a
 * collection: a map that sizes what a step allocates is then the same whether or not the link
 * damaged the first answer (a board collects when it needs to, the garbage is not in its way).
 */
export async function memInfoText(
  exec: Exec,
  options: MemInfoOptions,
  deferredCollect = false,
): Promise<string> {
  const call = options.heapMap ? 'micropython.mem_info(1)' : 'micropython.mem_info()';
  const validate = (stdout: string) =>
    stdout.split('stack: ').length > 2 ? voteMemInfo(stdout) : memInfoProblem(stdout);
  const retryCode = memInfoCopiesCode(call);
  const sameEveryTry = Boolean(options.heapMap && deferredCollect);
  const code = sameEveryTry ? retryCode : `import micropython\n${call}`;
  return (await exec(code, { timeoutMs: 20_000, validate, retryCode, collectFirst: sameEveryTry })).stdout;
}

function parseInteger(stdout: string, unit: string): number {
  const text = stdout.trim();
  if (!/^\d+$/.test(text))
    throw new ProtocolError(`a timed collection did not print ${unit}`, escapeBytes(text));
  return Number(text);
}
