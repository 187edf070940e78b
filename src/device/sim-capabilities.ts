import { z } from 'zod';
import { ProtocolError, escapeBytes } from '../errors.ts';
import type { Capabilities, InfoRecord } from './device-info.ts';

/** What `picogc_sim.capabilities()` declares (src/sim/capabilities.ts), as far as the host relies on it. */
const simDeclarationSchema = z.object({
  device: z.literal('picogc-virtual-pico'),
  differences: z.array(z.object({ id: z.string(), detail: z.string() })),
});

/**
 * The virtual Pico's capabilities, from its own declaration: every difference from a Pico it
 * lists reaches the report, and the flags experiments consult are set from the ids.
 */
export function simCapabilities(declared: Record<string, unknown>, floatBits: 32 | 64): Capabilities {
  const parsed = simDeclarationSchema.safeParse(declared);
  if (!parsed.success) {
    throw new ProtocolError(
      'picogc_sim.capabilities() is not a virtual Pico declaration',
      escapeBytes(JSON.stringify(declared)),
    );
  }
  const ids = new Set(parsed.data.differences.map((d) => d.id));
  return {
    kind: 'virtual-pico',
    collectTiming: ids.has('work-clock-collection')
      ? 'work-clock'
      : ids.has('host-timed-collection')
        ? 'host-timed'
        : 'ticks_us',
    deferredCollect: ids.has('deferred-collection'),
    heapGrows: ids.has('growing-heap'),
    ticksUsResolutionUs: ids.has('ticks-ms-resolution') ? 1000 : 1,
    floatBits,
    interruptResetsVm: ids.has('interrupt-may-reset'),
    differences: parsed.data.differences.map((d) => `${d.id}: ${d.detail}`),
  };
}

/** What the device can show, from its info record: the virtual Pico declares it, a board has it all. */
export function capabilitiesOf(record: InfoRecord): Capabilities {
  if (record.sim) return simCapabilities(record.sim, record.float_bits);
  return {
    kind: 'board',
    collectTiming: 'ticks_us',
    deferredCollect: false,
    heapGrows: false,
    ticksUsResolutionUs: 1,
    floatBits: record.float_bits,
    interruptResetsVm: false,
    differences: [],
  };
}
