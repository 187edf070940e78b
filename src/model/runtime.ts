import type { HeadLetter } from '../meminfo/types.ts';
import type { GcHeap } from './heap.ts';
import type { ModelObject } from './heap-area.ts';
import { nextHashAllocation, objectSizes, type ObjectSizes, type ObjectSpec } from './object-sizes.ts';

/** What MicroPython raises when m_malloc gets NULL (py/runtime.c m_malloc_fail). */
export class ModelMemoryError extends Error {
  constructor(readonly bytes: number) {
    super(`memory allocation failed, allocating ${bytes} bytes`);
    this.name = 'ModelMemoryError';
  }
}

/** A Python object on the model heap, known by its header (the block a Python reference points at). */
export interface PyObj {
  readonly header: ModelObject;
}

/** A Python value: a heap object, or null for what lives off the heap (small int, None, interned str, `()`). */
export type PyValue = PyObj | null;

export class PyList implements PyObj {
  constructor(
    readonly header: ModelObject,
    public items: ModelObject,
    public alloc: number,
    readonly elements: PyValue[],
  ) {}
}

export class PyInstance implements PyObj {
  table: ModelObject | null = null;
  alloc = 0;
  used = 0;
  constructor(readonly header: ModelObject) {}
}

/**
 * The allocations MicroPython's object constructors make (py/obj*.c, py/map.c, py/mpz.c), in
 * their order and with their letters, on a model heap. Values in flight sit on `heap.stack`
 * (the C stack / Python stack of the VM) while a constructor allocates, so a collection that an
 * allocation triggers keeps them, as it would on a device.
 */
export class ModelRuntime {
  readonly sizes: ObjectSizes;

  constructor(readonly heap: GcHeap) {
    this.sizes = objectSizes(heap.config);
  }

  /** `x * 1.5`: every float result is a new 1-block object. */
  float(): PyObj {
    return { header: this.malloc(this.sizes.float, 'F') };
  }

  /** `bytearray(n)`: the header, then exactly n bytes of data (none for n = 0). */
  bytearray(length: number): PyObj {
    const header = this.malloc(this.sizes.arrayHeader, 'A');
    if (length > 0) this.withStack([header], () => (header.refs = [this.malloc(length, 'h')]));
    return { header };
  }

  /** A str or bytes of `length` built through a vstr (`'q' * n`, `bytes(n)`): data + NUL, then the header. */
  str(length: number): PyObj {
    const data = this.malloc(length + 1, 'h');
    const header = this.withStack([data], () => this.malloc(this.sizes.strHeader, 'S'));
    header.refs = [data];
    return { header };
  }

  /** A list display `[a, b, …]` or `list_new(n)`: the header, then max(n, 4) item slots. */
  list(elements: readonly PyValue[]): PyList {
    return this.withStack(heads(elements), () => {
      const header = this.malloc(this.sizes.listHeader, 'L');
      const alloc = Math.max(elements.length, this.sizes.listMinAlloc);
      const items = this.withStack([header], () => this.malloc(alloc * this.sizes.slot, 'h'));
      header.refs = [items];
      items.refs = heads(elements);
      return new PyList(header, items, alloc, [...elements]);
    });
  }

  /** `[x, …] * n`: the display itself (garbage afterwards), then the product list. */
  repeatList(elements: readonly PyValue[], times: number): PyList {
    const display = this.list(elements);
    const product: PyValue[] = [];
    for (let i = 0; i < times; i++) product.push(...elements);
    return this.withStack([display.header], () => this.list(product));
  }

  /** list.append: a full list doubles its slots through m_renew (in place if it can, else moved). */
  append(list: PyList, value: PyValue): void {
    if (list.elements.length >= list.alloc) {
      this.withStack(heads([value]), () => this.renew(list.items, list.alloc * 2 * this.sizes.slot));
      list.alloc *= 2;
    }
    list.elements.push(value);
    if (value) list.items.refs.push(value.header);
  }

  /** list.pop(): halves the slots when more than half of them (and more than 4) are unused. */
  pop(list: PyList): PyValue {
    const value = list.elements.pop() ?? null;
    list.items.refs = heads(list.elements);
    if (list.alloc > this.sizes.listMinAlloc && list.alloc > 2 * list.elements.length) {
      this.renew(list.items, (list.alloc / 2) * this.sizes.slot);
      list.alloc /= 2;
    }
    return value;
  }

  /** list.extend(other list): grows to exactly len + k + 4 slots when they do not fit. */
  extend(list: PyList, other: PyList): void {
    const length = list.elements.length + other.elements.length;
    if (length > list.alloc) {
      this.withStack([other.header], () => this.renew(list.items, (length + 4) * this.sizes.slot));
      list.alloc = length + 4;
    }
    list.elements.push(...other.elements);
    list.items.refs = heads(list.elements);
  }

  /** list.clear(): back to 4 slots (a shrink in place). */
  clear(list: PyList): void {
    list.elements.length = 0;
    list.items.refs = [];
    this.renew(list.items, this.sizes.listMinAlloc * this.sizes.slot);
    list.alloc = this.sizes.listMinAlloc;
  }

  /** A tuple display with a non-constant item: one allocation; `()` is a constant. */
  tuple(elements: readonly PyValue[]): PyValue {
    if (elements.length === 0) return null;
    const header = this.withStack(heads(elements), () =>
      this.malloc(this.sizes.tupleHeader + elements.length * this.sizes.slot, 'T'),
    );
    header.refs = heads(elements);
    return { header };
  }

  /** `f = obj.m` (a call `obj.m()` allocates nothing). */
  boundMethod(self: PyValue, method: PyValue = null): PyObj {
    const header = this.withStack(heads([self, method]), () => this.malloc(this.sizes.boundMethod, 'h'));
    header.refs = heads([method, self]);
    return { header };
  }

  /** An instance of a plain class: its attribute table comes with the first attribute. */
  instance(): PyInstance {
    return new PyInstance(this.malloc(this.sizes.instance, 'h'));
  }

  /** `obj.new_attr = value`: a full (or absent) table is rehashed into a bigger one, the old one freed. */
  setNewAttribute(instance: PyInstance, value: PyValue): void {
    if (instance.used >= instance.alloc) {
      const alloc = nextHashAllocation(instance.alloc + 1);
      const table = this.withStack([instance.header, ...heads([value])], () =>
        this.malloc(alloc * this.sizes.mapElem, 'h'),
      );
      table.refs = instance.table?.refs ?? [];
      if (instance.table) this.heap.free(instance.table);
      instance.table = table;
      instance.alloc = alloc;
      instance.header.refs = [table];
    }
    instance.used += 1;
    if (value) instance.table!.refs.push(value.header);
  }

  /** An mpz of at least `bits` bits made whole (int.from_bytes): the header, then its digits. */
  bigInt(bits: number): PyObj {
    const header = this.malloc(this.sizes.mpzHeader, 'h');
    const digits = Math.max(this.sizes.mpzMinDigits, Math.ceil(bits / 16));
    header.refs = [this.withStack([header], () => this.malloc(digits * this.sizes.mpzDigit, 'h'))];
    return { header };
  }

  /** One object as `--object` describes it (its items, if any, are small ints). */
  make(spec: ObjectSpec): PyValue {
    switch (spec.kind) {
      case 'float':
        return this.float();
      case 'small-int':
        return null;
      case 'bigint':
        return this.bigInt(spec.bits);
      case 'bytearray':
        return this.bytearray(spec.length);
      case 'bytes':
      case 'str':
        return this.str(spec.length);
      case 'list':
        return this.list(new Array<PyValue>(spec.length).fill(null));
      case 'tuple':
        return this.tuple(new Array<PyValue>(spec.length).fill(null));
      case 'instance': {
        const instance = this.instance();
        this.withStack([instance.header], () => {
          for (let i = 0; i < spec.attributes; i++) this.setNewAttribute(instance, null);
        });
        return instance;
      }
      case 'bound-method':
        return this.boundMethod(null);
    }
  }

  /** m_malloc: gc_alloc, and MemoryError when it returns NULL. */
  malloc(bytes: number, letter: HeadLetter): ModelObject {
    const object = this.heap.alloc(bytes, letter);
    if (object === null) throw new ModelMemoryError(bytes);
    return object;
  }

  /** m_renew: gc_realloc allowed to move, MemoryError when it cannot. */
  renew(object: ModelObject, bytes: number): void {
    if (!this.heap.realloc(object, bytes, true)) throw new ModelMemoryError(bytes);
  }

  /** Runs `fn` with `held` on the VM's stack (reachable as roots), as C locals would be. */
  withStack<T>(held: readonly ModelObject[], fn: () => T): T {
    const stack = this.heap.stack;
    const depth = stack.length;
    stack.push(...held);
    try {
      return fn();
    } finally {
      stack.length = depth;
    }
  }
}

function heads(values: readonly PyValue[]): ModelObject[] {
  const out: ModelObject[] = [];
  for (const value of values) if (value) out.push(value.header);
  return out;
}
