# A buffer pattern that fragments the heap: every iteration keeps one small bytearray out of two
# and drops a growing larger one, so the free space left between the kept buffers is in pieces too
# small for the next large buffer. The longest free run shrinks while free RAM stays high.
# Expected advice: pre-allocate (one iteration's garbage already makes a collection too long for
# a 20 ms loop), and the longest-free-run series falls over time.
import time
import picogc_probe

kept = []
i = 0
while True:
    picogc_probe.mark("frame")
    scratch = bytearray(256 + (i % 64) * 16)
    kept.append(bytearray(16))
    if len(kept) > 600:
        kept = kept[300:]
    scratch = None
    i += 1
    time.sleep_ms(20)
