# A buffer pattern that fragments the heap: every iteration keeps one small bytearray out of two
# and drops a growing larger one, so the free space left between the kept buffers is in pieces too
# small for the next large buffer. The longest free run shrinks while free RAM stays high.
# Expected (v1.28.0 on the emulated RP2040, --seconds 12): the longest free run falls from ~105 KB
# to ~6 KB while the heap keeps ~40% free; its scattered live set makes every collection long, with
# or without garbage (~11.9 ms after the program, ~12.5 ms with the heap full of garbage, ~11.9 ms
# in it). Advice: leave the defaults for its 20 ms frames (the full-heap collection fits); with
# --budget-us 10000, shrink what a collection walks (L > B).
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
