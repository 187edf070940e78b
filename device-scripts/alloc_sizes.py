# What each object costs in GC heap bytes: gc.mem_alloc() read around one allocation (alloc_delta
# in common.py). The operands are globals made at upload time, so only the object under test is
# allocated during a measurement; constants would be folded at compile time and cost nothing.


class _Obj:
    def meth(self):
        pass


_float = 1.5
_small = 7
_big = 1 << 40
_s10 = "k3x9q2w8z1"
_s20 = _s10 + "m4v7c6b5n0"
_o = _Obj()

CASES = (
    # (what the report calls it, the model's object specs it should cost, how to make one)
    ("float", "float", lambda: _float * 3.0),
    ("small int", "int", lambda: _small + 1),
    ("big int 3<<40", "bigint(42)", lambda: _big * 3),
    ("bytearray(0)", "bytearray(0)", lambda: bytearray(0)),
    ("bytearray(1)", "bytearray(1)", lambda: bytearray(1)),
    ("bytearray(16)", "bytearray(16)", lambda: bytearray(16)),
    ("bytearray(48)", "bytearray(48)", lambda: bytearray(48)),
    ("bytearray(200)", "bytearray(200)", lambda: bytearray(200)),
    ("[]", "list(0)", lambda: []),
    ("1-item list literal", "list(1)", lambda: [_small]),
    ("4-item list literal", "list(4)", lambda: [_small, _small, _small, _small]),
    ("5-item list literal", "list(5)", lambda: [_small, _small, _small, _small, _small]),
    ("10-item list literal", "list(10)", lambda: [_small, _small, _small, _small, _small, _small, _small, _small, _small, _small]),
    # The temporary [0] stays allocated until the next collection.
    ("[0] * 10", "list(1)+list(10)", lambda: [0] * 10),
    ("(x,)", "tuple(1)", lambda: (_small,)),
    ("3-tuple", "tuple(3)", lambda: (_small, _small, _small)),
    ("7-tuple", "tuple(7)", lambda: (_small, _small, _small, _small, _small, _small, _small)),
    ("str of 20", "str(20)", lambda: _s10 + _s10),
    ("str of 40", "str(40)", lambda: _s20 + _s20),
    ("bound method", "bound_method", lambda: _o.meth),
    ("instance", "instance(0)", lambda: _Obj()),
)


def alloc_sizes():
    overhead, _ = alloc_delta(lambda: None)
    for name, model, make in CASES:
        n, keep = alloc_delta(make)
        emit("alloc", object=name, model=model, bytes=n - overhead, call_overhead=overhead)
