# How fast do transient floats fill the heap? Every float result is a new heap object. churn()
# multiplies floats `ops` times and reads gc.mem_alloc() every `every` ops into a preallocated
# array; a drop is a collection.
import array


def churn(ops, every):
    n = ops // every
    readings = array.array("i", bytes(4 * (n + 1)))
    x = 1.0001
    y = 1.0
    readings[0] = gc.mem_alloc()
    for j in range(n):
        for i in range(every):
            y = y * x
        readings[j + 1] = gc.mem_alloc()
    emit("churn", ops=ops, every=every, readings=list(readings))
