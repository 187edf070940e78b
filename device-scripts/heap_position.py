# Does a collection's pause follow free RAM, or where the highest live block sits? Since v1.22 the
# sweep stops at the last used block, so one small object pinned at the top of the heap should
# make the same live set cost more. The host calls prepare_pin(n) then pin_top(fill_bytes, run_end),
# with sizes and the run's end address read from the heap map in between; unpin() removes the pin.
pin = None
_slots = None
_one = (None,)
_pin_value = 2.5


def prepare_pin(max_holes):
    # Room to hold one float per low hole, allocated now so it cannot move during pin_top().
    global _slots
    _slots = [None] * max_holes


def pin_top(fill_bytes, run_end):
    # A filler takes all but the last few blocks of the free run above the live set. 1-block
    # floats then fill every lower hole until one lands above the filler; dropping the filler and
    # the hole fillers leaves that float alone at the top. A tuple is one allocation, so id() (a
    # MicroPython object's heap address) gives where the filler starts.
    global pin, _slots
    if run_end is None:
        # On a board: what the execs since the host's heap map left (their garbage) goes first, so
        # the free run the filler was sized from is whole, and the low holes are the ones counted.
        gc.collect()
    filler, shrunk = _filler(fill_bytes, run_end)
    top = id(filler)
    n = 0
    candidate = _pin_value * 1.0
    while id(candidate) < top and n < len(_slots):
        _slots[n] = candidate
        n += 1
        candidate = _pin_value * 1.0
    pin = candidate if id(candidate) > top else None
    filler = None
    _slots = None
    emit("pinned", ok=pin is not None, address=id(candidate), filler_address=top, holes_filled=n, shrunk=shrunk)


def _filler(fill_bytes, run_end):
    # The host sized the filler from a heap map read in the previous exec. This exec's own code
    # (the checked upload and its compilation: more on older compilers) may since have taken blocks
    # at the start of that run, so the filler gives up 16 blocks at a time until it fits inside the
    # run: too big, it raises MemoryError on a board, and lands in a new area of a heap that grows
    # (there the host passes the run's end address; on a board, None).
    for shrunk in range(16):
        size = fill_bytes - 256 * shrunk
        try:
            filler = _one * ((size - 8) // 4)
        except MemoryError:
            continue
        if run_end is None or id(filler) + size <= run_end:
            return filler, shrunk
        filler = None
    raise MemoryError("no room for the filler in the longest free run")


def unpin():
    global pin
    pin = None
