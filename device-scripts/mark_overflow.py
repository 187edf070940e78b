# What does the shape of the live graph cost? The mark stack holds 64 entries: one object with 64
# or more unmarked children overflows it and forces a rescan of the whole heap, while a long chain
# never holds more than a few entries (facts §9). build_wide(k) keeps one list of k children;
# build_chain(depth) keeps a chain of one-item lists.
wide = None
chain = None


def build_wide(k):
    global wide, chain
    chain = None
    wide = None
    wide = [None] * k
    for i in range(k):
        wide[i] = bytearray(16)
    # Globals waiting on the mark stack when the list is traced shift the overflow point down.
    emit("built", shape="wide", size=k, globals=len(globals()))


def build_chain(depth):
    global wide, chain
    wide = None
    chain = None
    node = None
    for i in range(depth):
        node = [node]
    chain = node
    emit("built", shape="chain", size=depth)


def release():
    global wide, chain
    wide = None
    chain = None
