# picogc profile: the resident sampler that watches the user's program (issue 18). Uploaded before
# the program, removed after it. Its one rule: the sampler allocates nothing per sample, so what it
# reads in gc.mem_alloc() is the program's allocation, not its own.
#
# Entries go into a preallocated ring of int32 triples (code, t, v):
#   code 0  a tick that read the heap    t = µs since start, v = gc.mem_alloc()
#   code 1  a flush began                v = gc.mem_alloc() before it formatted anything
#   code 2  a flush ended                v = gc.mem_alloc() after it printed (its garbage: v2 - v1)
#   code 3  a late tick                  t = µs since start, v = µs since the tick before it
#   code 16+id  mark(name)               t = µs when called, v = gc.mem_alloc() without a timer, else -1
# A tick that is neither a heap read nor late stores nothing: ticks run at hundreds of Hz (a stall
# is measured to within one period), and only the few that say something cost ring space and print.
# t is counted from start, not raw ticks_us: values stay below 2**29, so no ring word can look like
# a heap address (0x2000_0000 and up) and keep garbage alive through the conservative mark phase.
#
# The flush (a second, slower soft timer, or mark() where there is no machine.Timer) prints the ring
# as checked data lines in the stub's format: `@picogc <seq>.0/1 <crc32> <json>`, the entries as hex
# of the ring's bytes. Printing allocates (hexlify, a few small strings), so each flush records the
# heap before and after itself and the host subtracts exactly that.
import array
import binascii
import gc
import micropython
import sys
import time

_pp_N = 512  # ring entries: a second of 100 Hz ticks and a few hundred marks between flushes
# Entries per line: most of a flush's garbage is per line (its prefix, CRC and slices), so lines
# are long (384 hex characters); a line damaged on the way loses these 16 entries, and is counted.
_pp_LINE = 16
_pp_ring = array.array("i", bytes(12 * _pp_N))
_pp_view = memoryview(_pp_ring)
_pp_s = [0] * 19  # state: see _PP_* indices below (a list: its items change without new globals)
_PP_W = 0  # entries written
_PP_R = 1  # entries flushed
_PP_T0 = 2  # ticks_us at start
_PP_SEQ = 3  # data lines printed
_PP_BUSY = 4  # a flush or a mark's name line is printing
_PP_END = 5  # µs since start after which mark() stops the program (0 = never)
_PP_LOST = 6  # entries overwritten before a flush reached them
_PP_MARKALLOC = 7  # mark() reads gc.mem_alloc() (no timer samples it)
_PP_LASTFLUSH = 8  # µs of the last flush (for mark-driven flushing)
_PP_PROBE_US = 9  # every this many µs a flush also prints mem_info() (longest free run)
_PP_LASTPROBE = 10
_PP_EVERY = 11  # read mem_alloc on every this-many-th tick
_PP_COUNT = 12  # ticks until the next mem_alloc read
_PP_PREV = 13  # µs of the previous tick
_PP_PERIOD = 14  # the timer's period, µs
_PP_LATE = 15  # a tick later than this (µs past its period) is recorded
_PP_ASKED = 16  # the host asked the program to stop through stdin (it swallowed its Ctrl-C)
# The host's second way to stop a program that catches KeyboardInterrupt: this byte on stdin (the
# profile owns the link, so nothing else arrives there). The next mark() then raises _PPStop.
_PP_STOP_BYTE = "\x1c"
_PP_FLUSHHZ = 17  # flushes a second, once the sampler starts
_PP_BARE = 18  # 1 while the program runs without the sampler (its first seconds, for comparison)
_pp_timer_cls = []
_pp_poller = []
_pp_names = {}
_pp_timers = []


class _PPStop(BaseException):
    # Raised by mark() once the profile's time is up: BaseException, so `except Exception` in the
    # program does not swallow it.
    pass


def _pp_now():
    return time.ticks_diff(time.ticks_us(), _pp_s[_PP_T0])


def _pp_put(code, t, v):
    s = _pp_s
    w = s[_PP_W]
    i = (w % _pp_N) * 3
    r = _pp_ring
    r[i] = code
    r[i + 1] = t
    r[i + 2] = v
    s[_PP_W] = w + 1


def _pp_tick(i):
    # The sampler: small ints only, stored into the preallocated ring; nothing is allocated. Written
    # out in one function (a call costs tens of µs here), the state list indexed by literals. Its
    # locals and stack must stay within 11 words (py/objfun.c VM_MAX_STATE_ON_STACK), or MicroPython
    # puts the frame on the heap at every call (measured: 80 B, freed at return; gc.threshold counts
    # it): hence four locals, `i` the Timer argument reused as a ring index, and no try block (a
    # Ctrl-C landing here is caught by the scheduler; the host asks again through the probe).
    s = _pp_s
    t = time.ticks_diff(time.ticks_us(), s[2])
    w = s[0]
    if t - s[13] - s[14] > s[15]:
        i = (w % _pp_N) * 3
        _pp_ring[i] = 3
        _pp_ring[i + 1] = t
        _pp_ring[i + 2] = t - s[13]
        w += 1
    s[13] = t
    if s[12] > 0:
        s[12] -= 1
        s[0] = w
        return
    s[12] = s[11] - 1
    i = (w % _pp_N) * 3
    _pp_ring[i] = 0
    _pp_ring[i + 1] = t
    _pp_ring[i + 2] = gc.mem_alloc()
    s[0] = w + 1


def _pp_line(kind_and_fields, hexpart):
    # One checked data line: body = kind_and_fields + hexpart + '"}', CRC-32 over the body.
    s = _pp_s
    crc = binascii.crc32(hexpart, binascii.crc32(kind_and_fields))
    crc = binascii.crc32(b'"}', crc)
    sys.stdout.write("@picogc %d.0/1 %08x " % (s[_PP_SEQ], crc))
    sys.stdout.write(kind_and_fields)
    sys.stdout.write(hexpart)
    sys.stdout.write('"}\n')
    s[_PP_SEQ] += 1


def _pp_emit(body):
    # A whole JSON body (names, begin and end records): rare, allocation does not matter here.
    s = _pp_s
    sys.stdout.write("@picogc %d.0/1 %08x %s\n" % (s[_PP_SEQ], binascii.crc32(body), body))
    s[_PP_SEQ] += 1


def _pp_flush(_timer=None):
    s = _pp_s
    if s[_PP_BUSY]:
        return
    s[_PP_BUSY] = 1
    try:
        t = _pp_now()
        _pp_put(1, t, gc.mem_alloc())
        w = s[_PP_W]
        r = s[_PP_R]
        if w - r > _pp_N:
            s[_PP_LOST] += w - r - _pp_N
            r = w - _pp_N
        while r < w:
            i = r % _pp_N
            n = min(_pp_LINE, w - r, _pp_N - i)
            _pp_line(b'{"k":"ps","n":%d,"h":"' % r, binascii.hexlify(_pp_view[i * 3 : (i + n) * 3]))
            r += n
        s[_PP_R] = r
        if s[_PP_PROBE_US] and t - s[_PP_LASTPROBE] >= s[_PP_PROBE_US]:
            # The longest free run: gc_info's max_free, printed by the firmware (mem_info's last line).
            s[_PP_LASTPROBE] = t
            _pp_emit('{"k":"pf","t":%d}' % t)
            micropython.mem_info()
        s[_PP_LASTFLUSH] = t
        _pp_read_stdin()
        a = gc.mem_alloc()  # read first: the flush's window ends after its last heap walk
        _pp_put(2, _pp_now(), a)
    except KeyboardInterrupt:
        # (see _pp_tick: inside a scheduled flush the program would never see it)
        s[_PP_ASKED] = 1
        s[_PP_END] = 1
    finally:
        s[_PP_BUSY] = 0


def _pp_read_stdin():
    # Inside a flush (what reading allocates is the probe's): a stop byte ends the program at its
    # next mark(), as its time running out would. Anything else is dropped: the link is the probe's.
    for p in _pp_poller:
        while True:
            ready = False
            for _ in p.ipoll(0):
                ready = True
            if not ready:
                break
            if sys.stdin.read(1) == _PP_STOP_BYTE:
                _pp_s[_PP_ASKED] = 1
                _pp_s[_PP_END] = 1


def _pp_mark(name):
    # Called by the program: `import picogc_probe; picogc_probe.mark("control")`. The first call
    # with a name announces it (one allocation, once); later calls store small ints only.
    s = _pp_s
    t = _pp_now()
    i = _pp_names.get(name)
    if i is None:
        i = len(_pp_names)
        _pp_names[name] = i
        # Bracketed like a flush: what announcing the name allocates is the probe's, not the program's.
        s[_PP_BUSY] += 1
        _pp_put(1, _pp_now(), gc.mem_alloc())
        _pp_emit('{"k":"pm","id":%d,"name":%s}' % (i, _pp_json_str(name)))
        a = gc.mem_alloc()
        _pp_put(2, _pp_now(), a)
        s[_PP_BUSY] -= 1
    _pp_put(16 + i, t, gc.mem_alloc() if s[_PP_MARKALLOC] else -1)
    if s[_PP_END] and t >= s[_PP_END]:
        raise _PPStop()
    if s[_PP_MARKALLOC] and (s[_PP_W] - s[_PP_R] >= _pp_N // 2 or t - s[_PP_LASTFLUSH] >= 250000):
        _pp_flush()


def _pp_json_str(text):
    out = '"'
    for c in str(text):
        o = ord(c)
        out += c if 32 <= o < 127 and c != '"' and c != "\\" else "\\u%04x" % o
    return out + '"'


class _pp_module:
    # What `import picogc_probe` gives the program (sys.modules holds it while the profile runs).
    mark = _pp_mark


def _pp_start(hz, flush_hz, every, probe_ms, seconds, late_us, bare_ms):
    s = _pp_s
    for k in range(len(s)):
        s[k] = 0
    s[_PP_EVERY] = 1
    s[_PP_PROBE_US] = probe_ms * 1000
    s[_PP_T0] = time.ticks_us()
    s[_PP_END] = seconds * 1000000
    _pp_names.clear()
    sys.modules["picogc_probe"] = _pp_module
    _pp_poller.clear()
    try:
        import select

        p = select.poll()
        p.register(sys.stdin, select.POLLIN)
        _pp_poller.append(p)
    except Exception:
        pass
    timer = None
    try:
        from machine import Timer

        timer = Timer
    except ImportError:
        pass
    # Without machine.Timer (the virtual Pico) only mark() samples, reading mem_alloc itself.
    s[_PP_MARKALLOC] = 0 if timer else 1
    # What sampling costs here, measured before anything is recorded: one gc.mem_alloc(), and one
    # tick of the sampler that reads it (the ring is reset after).
    t = time.ticks_us()
    for _ in range(8):
        gc.mem_alloc()
    alloc_us = time.ticks_diff(time.ticks_us(), t) // 8
    # A tick that neither reads nor is late: what every tick costs (the reading ones add alloc_us).
    s[_PP_COUNT] = 1000
    s[_PP_LATE] = 1 << 29
    s[_PP_PREV] = _pp_now()
    t = time.ticks_us()
    for _ in range(8):
        _pp_tick(None)
    tick_us = time.ticks_diff(time.ticks_us(), t) // 8
    # gc.mem_alloc() walks the whole allocation table (ms on a Pico): with every=0 the probe reads
    # it on as few ticks as keep those reads within 5% of the CPU.
    # The tick's period: near 1e6 / hz, but a whole number of ms plus 0.618 ms (at least 1.618 ms).
    # A loop paced by sleep_ms() repeats every whole number of ms; on a period of whole ms its
    # collections would begin at one or two phases of the tick and every stall would read off by
    # the same amount (measured: an 11 ms loop on a 2 ms tick read +16%). Off by the golden ratio,
    # successive collections fall at phases spread evenly over the period, and gap - P/2 averages out.
    per = max(1618, (1000000 // hz - 118) // 1000 * 1000 + 618)
    if every <= 0:
        every = max(1, (alloc_us * 1000000 // per + 49999) // 50000) if timer else 1
    s[_PP_EVERY] = every
    s[_PP_W] = 0
    s[_PP_COUNT] = 0
    s[_PP_PERIOD] = per
    s[_PP_LATE] = late_us
    _pp_emit(
        '{"k":"pb","hz":%d,"period_us":%d,"flush_hz":%d,"every":%d,"timer":%s,"ring":%d,"total":%d,"alloc":%d,"alloc_us":%d,"tick_us":%d,"late_us":%d,"bare_ms":%d}'
        % (hz if timer else 0, per if timer else 0, flush_hz if timer else 0, every, "true" if timer else "false", _pp_N,
           gc.mem_alloc() + gc.mem_free(), gc.mem_alloc(), alloc_us, tick_us, late_us, bare_ms if timer else 0)
    )
    s[_PP_FLUSHHZ] = flush_hz
    _pp_timer_cls.clear()
    if timer:
        _pp_timer_cls.append(timer)
    if timer and bare_ms > 0:
        # The program's first bare_ms without the sampler (no ticks, no flushes; mark() stores its
        # time only): its loop period and allocation rate then, against those sampled after. A
        # collection first, so that none can come in a bare phase shorter than F / R.
        gc.collect()
        s[_PP_BARE] = 1
        _pp_put(4, _pp_now(), gc.mem_alloc())
        _pp_timers.append(timer(-1, mode=timer.ONE_SHOT, period=bare_ms, callback=_pp_sample))
    elif timer:
        _pp_sample(None)


def _pp_sample(_timer):
    # The sampler starts: a heap reading, then the ticks and the flushes.
    s = _pp_s
    s[_PP_BARE] = 0
    _pp_put(5, _pp_now(), gc.mem_alloc())
    s[_PP_PREV] = _pp_now()
    timer = _pp_timer_cls[0]
    _pp_timers.append(timer(-1, period=s[_PP_PERIOD], tick_hz=1000000, callback=_pp_tick))
    _pp_timers.append(timer(-1, freq=s[_PP_FLUSHHZ], callback=_pp_flush))


def _pp_stop(how, error):
    for timer in _pp_timers:
        timer.deinit()
    _pp_timers.clear()
    s = _pp_s
    s[_PP_BUSY] = 0
    a = gc.mem_alloc()
    _pp_put(0, _pp_now(), a)
    _pp_flush()  # (it also drains stdin: a stop byte left there would reach the raw REPL)
    _pp_emit(
        '{"k":"pe","how":"%s","error":%s,"t":%d,"entries":%d,"lost":%d,"lines":%d}'
        % (how, _pp_json_str(error) if error else "null", _pp_now(), s[_PP_W], s[_PP_LOST], s[_PP_SEQ] + 1)
    )
    del sys.modules["picogc_probe"]


def _pp_fill(n):
    # n one-block floats of garbage. Locals only, so nothing else is allocated between the fill and
    # the collection that follows.
    x = None
    for i in range(n):
        x = 1.5 * i
    x = None
    return n


def _pp_full_pause(margin):
    # The same live set's gc.collect() with the heap full of garbage, timed on the device (ticks_us):
    # the collection the program's stalls are made of. Returns (µs, garbage blocks, free before the
    # fill, free after it: more than the margin left means a collection came during the fill).
    # The heap as the program's own collections find it: every free block but `margin` taken by
    # garbage (threshold off, a Pico collects only when an allocation fails: the heap full).
    f = gc.mem_free()
    n = _pp_fill(f // 16 - margin)
    g = gc.mem_free()
    t = time.ticks_us()
    gc.collect()
    d = time.ticks_diff(time.ticks_us(), t)
    return d, n, f, g


_pp_globals = {}


def _pp_run(src, hz, flush_hz, every, probe_ms, seconds, late_us, bare_ms=0):
    # The program runs in its own globals (kept afterwards, so a timed collection can see its live
    # set); a Ctrl-C from the host or the time running out in mark() ends it, and either way the
    # samples still in the ring are flushed before the exec returns.
    _pp_globals.clear()
    _pp_globals["__name__"] = "__main__"
    _pp_start(hz, flush_hz, every, probe_ms, seconds, late_us, bare_ms)
    try:
        exec(src, _pp_globals)
    except _PPStop:
        _pp_stop("interrupted" if _pp_s[_PP_ASKED] else "time", None)
        return
    except KeyboardInterrupt:
        _pp_stop("interrupted", None)
        return
    except BaseException as e:
        _pp_stop("raised", "%s: %s" % (type(e).__name__, e))
        raise
    _pp_stop("returned", None)
