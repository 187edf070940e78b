import type { ReplDevice } from '../../src/device/repl-device.ts';
import { deviceScript } from '../../src/device/scripts.ts';

/**
 * The probe's sampler tick run `ticks` times on the device after a warm-up that wraps its ring, each
 * tick both late (recorded) and reading gc.mem_alloc(): what gc.mem_alloc() says before and after,
 * and what the last tick read inside itself. A tick that allocated anything that stays would show
 * in the first; one whose frame MicroPython put on the heap (more than 11 words of locals and
 * stack, py/objfun.c) in the second (80 B on v1.28.0), though that frame is freed at return.
 */
export async function samplerAllocation(
  device: ReplDevice,
  ticks: number,
): Promise<{ grew: number; inTick: number; entries: number }> {
  await device.exec(deviceScript('profile_probe'), { timeoutMs: 20_000 });
  // (_pp_start prints its begin line first; the figures are the last line)
  const { stdout } = await device.exec(
    [
      'import gc, sys',
      '_pp_start(500, 1, 1, 0, 600, -1000000, 0)',
      'for _pp_t in _pp_timers:',
      '    _pp_t.deinit()',
      '_pp_timers.clear()',
      // (a timer device's sampler-start entry is in the ring already: counted from zero again)
      '_pp_s[0] = 0',
      // every tick reads the heap; every tick is late (late_us far below zero)
      '_pp_s[11] = 1',
      '_pp_s[12] = 0',
      `_pp_r = range(${ticks})`,
      '_pp_b = 0',
      '_pp_k = 0',
      'gc.collect()',
      'for _pp_k in range(600):',
      '    _pp_tick(None)',
      '_pp_a = gc.mem_alloc()',
      'for _pp_k in _pp_r:',
      '    _pp_tick(None)',
      '_pp_b = gc.mem_alloc()',
      "print('%d %d %d' % (_pp_b - _pp_a, _pp_ring[((_pp_s[0] - 1) % _pp_N) * 3 + 2] - _pp_a, _pp_s[0]))",
      "sys.modules.pop('picogc_probe', None)",
    ].join('\n'),
    {
      timeoutMs: 120_000,
      validate: (out) => (/(^|\n)-?\d+ -?\d+ \d+\r\n$/.test(out) ? undefined : 'not three numbers'),
    },
  );
  const [grew, inTick, entries] = stdout.trim().split('\n').at(-1)!.trim().split(' ').map(Number) as [
    number,
    number,
    number,
  ];
  return { grew, inTick, entries };
}
