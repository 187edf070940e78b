# When does an allocation fail with free RAM? fill() packs the heap with equal blocks, punch()
# frees every other one; after a collection the free RAM is scattered in holes the size of one
# block. largest_fit() (boards only: the virtual Pico's heap grows instead of failing) bisects the
# largest bytearray that can still be allocated.
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


def release():
    global blocks
    blocks = None
