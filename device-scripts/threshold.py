# What does gc.threshold(n) do? set_threshold() reports how the byte count is stored (as 16-byte
# blocks). cycle() allocates garbage with the threshold set and reads gc.mem_alloc() after each
# allocation into a preallocated array: a drop is a collection. Readings are printed only at the
# end, so printing allocates nothing during the cycle. On the virtual Pico collections run only
# when an execution returns, so the host calls step() once per execution instead.
import array

_saved = None


def set_threshold(n):
    global _saved
    if _saved is None:
        _saved = gc.threshold()
    gc.threshold(n)
    emit("threshold", requested=n, readback=gc.threshold())


def restore():
    gc.threshold(_saved if _saved is not None else -1)


def cycle(size, steps):
    readings = array.array("i", bytes(4 * steps))
    junk = None
    for i in range(steps):
        junk = bytearray(size)
        readings[i] = gc.mem_alloc()
    emit("cycle", size=size, readings=list(readings))


def step(size):
    junk = bytearray(size)
    emit("step", size=size, mem_alloc=gc.mem_alloc())
