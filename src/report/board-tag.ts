import { z } from 'zod';

/**
 * Who a board is, in every report: what the user named (port path, tcp:// address, seed), what the
 * link enumerated (USB serial) and what the board said (`machine.unique_id()`, firmware). Stored in
 * report.json as `board`, next to `device` (DeviceInfo, which carries the firmware version and
 * build string). The schema stands alone (zod only) so the report schema can adopt it without importing the runner.
 */
export const boardTagSchema = z.object({
  /** The id history and run ids use: unique id, else USB serial, else the port. */
  id: z.string(),
  /** How the board was named: a port path, a tcp:// address, `virtual Pico seed N`. */
  label: z.string(),
  port: z.string().optional(),
  usbSerial: z.string().optional(),
  uniqueId: z.string().optional(),
  /** The virtual Pico's seed (its identity). */
  seed: z.number().int().optional(),
  /** The key this run held the board's lock under; absent for a virtual Pico in this process. */
  lockKey: z.string().optional(),
});
export type BoardTag = z.infer<typeof boardTagSchema>;
