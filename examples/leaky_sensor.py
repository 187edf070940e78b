# A sensor loop that leaks floats: every reading is scaled and filtered in floating point, and each
# float result is a new 16-byte heap object. Nothing is kept, so it is all garbage, and with
# gc.threshold() off (a Pico's default) a collection comes whenever the heap fills.
# Expected advice (picogc profile examples/leaky_sensor.py): the loop allocates about 10 floats,
# ~160 B, per 10 ms iteration; a full-heap collection overruns the budget, one of an iteration's
# garbage does not: tune gc.threshold.
import time
import picogc_probe

history = [0.0] * 8  # the live set: a small ring of recent values
i = 0
t = 0.0
while True:
    picogc_probe.mark("control")
    raw = (i * 37) % 1024
    volts = raw * 3.3 / 1023.0
    celsius = 27.0 - (volts - 0.706) / 0.001721
    t = t * 0.9 + celsius * 0.1
    history[i % 8] = t
    i += 1
    time.sleep_ms(10)
