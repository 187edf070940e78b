# What does the shape of the live graph cost? The mark stack holds 64 entries: one object with 64
# or more unmarked children overflows it and forces a rescan of the whole heap, while a long chain
# never holds more than a few entries (facts §9). build_wide(k) keeps k children in sys.argv;
# build_chain(depth) keeps a chain of one-item lists.
import sys

chain = None


def build_wide(k):
    # sys.argv's list lives outside the heap, so its item array is a root of its own, traced with
    # an empty mark stack: only these k children are pushed, and the script, not whatever else the
    # build holds (globals, modules), decides where the stack overflows.
    global chain
    chain = None
    argv = sys.argv
    argv.clear()
    for i in range(k):
        argv.append(bytearray(16))
    emit("built", shape="wide", size=len(argv))


def build_chain(depth):
    global chain
    sys.argv.clear()
    chain = None
    node = None
    for i in range(depth):
        node = [node]
    chain = node
    emit("built", shape="chain", size=depth)


def release():
    global chain
    sys.argv.clear()
    chain = None
