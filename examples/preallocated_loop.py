# The same loop with nothing allocated per iteration: integers that stay small (no heap object)
# and a preallocated array written in place. gc.mem_alloc() does not move while it runs.
# Expected: R near 0 (only compiling the program at its start), no collection; advice: leave the
# defaults (A = 0: the loop makes no garbage).
import array
import time
import picogc_probe

history = array.array("i", [0] * 8)
i = 0
t = 0
while True:
    picogc_probe.mark("control")
    raw = (i * 37) % 1024
    millivolts = raw * 3300 // 1023
    t = (t * 9 + millivolts) // 10
    history[i % 8] = t
    i += 1
    time.sleep_ms(10)
