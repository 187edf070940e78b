# When does an allocation fail with free RAM? fill() packs the heap with equal blocks, punch()
# frees every other one; after a collection the free RAM is scattered in holes the size of one
# block. map_and_probe() (boards only: the virtual Pico's heap grows instead of failing) prints the
# heap map and bisects the largest bytearray that can still be allocated.
import micropython

blocks = None


def fill(n, size):
    global blocks
    blocks = None
    blocks = [None] * n
    for i in range(n):
        blocks[i] = bytearray(size)
    emit("filled", n=n, size=size, mem_alloc=gc.mem_alloc())


def punch():
    for i in range(0, len(blocks), 2):
        blocks[i] = None


def largest_fit(hi):
    lo = 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            probe = bytearray(mid)
            probe = None
            lo = mid
        except MemoryError:
            hi = mid - 1
    emit("largest_fit", bytes=lo)


def map_and_probe(hi):
    # The map and the probe must describe one heap. Collected here, nothing is compiled or left as
    # garbage between the map and the probe (a map taken by an exec of its own shows the garbage of
    # the execs before it, which the probe's first failed allocation collects). mem_info(1)
    # allocates nothing.
    gc.collect()
    micropython.mem_info(1)
    largest_fit(hi)


def release():
    global blocks
    blocks = None
