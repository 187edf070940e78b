# Shared by every picogc device script. A data line is the marker followed by one JSON object;
# everything else the device prints is log, and the host never parses it.
import binascii
import gc
import json
import micropython
import time

MARK = "@picogc "


def emit(kind, **fields):
    # The host's stub (_picogc_x) numbers the line, prints it in parts with their CRC-32, and keeps
    # it until the next step, so a part damaged or lost on the way can be asked for again.
    fields["kind"] = kind
    _picogc_put(json.dumps(fields))


def alloc_delta(make):
    # Bytes allocated by make(), read from gc.mem_alloc() around it. Collection is disabled so
    # nothing allocated during the call can be freed before the second reading.
    gc.disable()
    before = gc.mem_alloc()
    keep = make()
    after = gc.mem_alloc()
    gc.enable()
    return after - before, keep
