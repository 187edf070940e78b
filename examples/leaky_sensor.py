# A sensor loop that leaks floats: every 10 ms it takes 16 readings, scales each to volts and
# averages them. Each float result is a new 16-byte heap object and the list is new too, so an
# iteration leaves about 800 B of garbage. With gc.threshold() off (a Pico's default) a collection
# comes whenever the heap fills: every couple of seconds, each sweeping the whole heap.
# Expected (v1.28.0 on the emulated RP2040: `picogc profile examples/leaky_sensor.py --seconds 24`):
# R about 80 KB/s, a collection every ~2.64 s (F / (R + probe) predicts ~2.65 s), each stalling the
# loop ~5.7 ms: the same live set's gc.collect() with the heap full of garbage (~5.9 ms; ~4.3 ms
# with no garbage). Advice: leave the defaults for its own ~10.7 ms iterations (even the full-heap
# collection fits); with --budget-us 5000, tune gc.threshold (collect after ~100 KB).
import time
import picogc_probe

history = [0.0] * 8  # the live set: a small ring of recent averages
i = 0
while True:
    picogc_probe.mark("control")
    volts = [((i + k) * 37 % 4096) * 3.3 / 4095 for k in range(16)]
    history[i % 8] = sum(volts) / 16
    i += 1
    time.sleep_ms(10)
