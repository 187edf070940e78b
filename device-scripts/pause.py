# The measure(n_live) pattern: keep n_live objects alive, then time gc.collect(). The host calls
# build(n_live), times collections through the device (ticks_us around gc.collect() on a board,
# host-timed on the virtual Pico), then release(). measure(n_live) on the host side of
# pause-vs-live is exactly these steps.
live = None


def build(n_live, size=48):
    global live
    live = None
    # Pre-sized, so the list's item array never moves while it fills.
    live = [None] * n_live
    for i in range(n_live):
        live[i] = bytearray(size)
    emit("built", n_live=n_live, size=size, mem_alloc=gc.mem_alloc())


def release():
    global live
    live = None
