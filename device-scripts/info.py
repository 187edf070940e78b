# What the device is: firmware, implementation, identity, float precision, GC settings.
import sys


def info():
    impl = sys.implementation
    d = {
        "name": impl.name,
        "version": list(impl.version[:3]),
        "machine": getattr(impl, "_machine", sys.platform),
        "build": getattr(impl, "_build", None),
        "mpy": getattr(impl, "_mpy", None),
        "platform": sys.platform,
        "threshold": gc.threshold(),
        # 1 + 1e-10 rounds to 1 in single precision (rp2) but not in double precision (wasm).
        "float_bits": 32 if 1.0 + 1e-10 == 1.0 else 64,
    }
    try:
        import os

        d["uname_version"] = os.uname().version
    except (ImportError, AttributeError):
        pass
    try:
        import machine
        import binascii

        d["unique_id"] = binascii.hexlify(machine.unique_id()).decode()
    except (ImportError, AttributeError):
        pass
    try:
        import picogc_sim

        d["sim"] = json.loads(picogc_sim.capabilities())
    except ImportError:
        pass
    emit("info", **d)
