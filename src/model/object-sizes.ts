import { InputError } from '../errors.ts';
import type { PortConfig } from './port-config.ts';

/**
 * Sizes of MicroPython objects in bytes as the C structs make them (REPR_A, 32-bit words), per
 * port (facts §4). A header and its data buffer are separate allocations; each allocation takes
 * ceil(bytes / 16) blocks.
 */
export interface ObjectSizes {
  /** mp_obj_float_t: base + float (rp2, single) or base + pad + double (wasm). */
  float: number;
  /** mp_obj_array_t (base, typecode/free, len, items). */
  arrayHeader: number;
  /** mp_obj_list_t (base, alloc, len, items). */
  listHeader: number;
  /** LIST_MIN_ALLOC in objlist.c. */
  listMinAlloc: number;
  /** One item slot of a list or tuple. */
  slot: number;
  /** mp_obj_tuple_t without items (base, len). */
  tupleHeader: number;
  /** mp_obj_str_t (base, hash, len, data); bytes share it. */
  strHeader: number;
  /** mp_obj_bound_meth_t (base, meth, self). */
  boundMethod: number;
  /** mp_obj_instance_t of a plain class (base + an mp_map_t of 3 words). */
  instance: number;
  /** mp_map_elem_t (key, value). */
  mapElem: number;
  /** mp_obj_int_t with an mpz_t (base, neg/fixed/alloc, len, dig). */
  mpzHeader: number;
  /** mpz_dig_t: 16-bit digits on 32-bit ports. */
  mpzDigit: number;
  /** MIN_ALLOC in mpz.c: no digit array is shorter. */
  mpzMinDigits: number;
}

export function objectSizes(config: PortConfig): ObjectSizes {
  const w = config.wordBytes;
  return {
    float: config.floatBytes,
    arrayHeader: 4 * w,
    listHeader: 4 * w,
    listMinAlloc: 4,
    slot: w,
    tupleHeader: 2 * w,
    strHeader: 4 * w,
    boundMethod: 3 * w,
    instance: 4 * w,
    mapElem: 2 * w,
    mpzHeader: 4 * w,
    mpzDigit: 2,
    mpzMinDigits: 2,
  };
}

/**
 * py/map.c `hash_allocation_sizes`: a map's table grows to the next of these when an insert finds
 * it full.
 */
export const HASH_ALLOCATION_SIZES = [
  0, 2, 4, 6, 8, 10, 12, 17, 23, 29, 37, 47, 59, 73, 97, 127, 167, 223, 293, 389, 521, 691, 919, 1223, 1627,
  2161, 3229, 4831, 7243, 10861, 16273, 24407, 36607, 54907,
] as const;

export function nextHashAllocation(atLeast: number): number {
  for (const size of HASH_ALLOCATION_SIZES) if (size >= atLeast) return size;
  return (atLeast + Math.floor(atLeast / 2)) | 1;
}

/** An object the model can build, as `--object` names it. */
export type ObjectSpec =
  | { kind: 'float' }
  | { kind: 'small-int' }
  | { kind: 'bigint'; bits: number }
  | { kind: 'bytearray'; length: number }
  | { kind: 'bytes'; length: number }
  | { kind: 'str'; length: number }
  | { kind: 'list'; length: number }
  | { kind: 'tuple'; length: number }
  | { kind: 'instance'; attributes: number }
  | { kind: 'bound-method' };

const SPEC = /^(float|int|bigint|bytearray|bytes|str|list|tuple|instance|bound_method)(?:\((\d{1,9})\))?$/;

/** Parses `bytearray(48)`, `float`, `int`, `bigint(100)`, `str(20)`, `list(10)`, `tuple(3)`, `instance(2)`, `bound_method`. */
export function parseObjectSpec(text: string): ObjectSpec {
  const match = SPEC.exec(text.replace(/\s+/g, ''));
  const name = match?.[1];
  const arg = match?.[2] === undefined ? undefined : Number(match[2]);
  const needs = (what: string): number => {
    if (arg === undefined) throw new InputError(`--object ${text}: ${name}(N) needs ${what}`);
    return arg;
  };
  switch (name) {
    case 'float':
      if (arg === undefined) return { kind: 'float' };
      break;
    case 'int':
      if (arg === undefined) return { kind: 'small-int' };
      break;
    case 'bigint': {
      const bits = needs('a size in bits');
      if (bits < 31) throw new InputError(`--object ${text}: values under 31 bits are small ints (use int)`);
      return { kind: 'bigint', bits };
    }
    case 'bytearray':
    case 'bytes':
    case 'str':
    case 'list':
    case 'tuple':
      return { kind: name, length: needs('a length') };
    case 'instance':
      return { kind: 'instance', attributes: arg ?? 0 };
    case 'bound_method':
      if (arg === undefined) return { kind: 'bound-method' };
      break;
  }
  throw new InputError(
    `--object "${text}" is not one the model knows: float, int, bigint(BITS), bytearray(N), bytes(N), str(N), list(N), tuple(N), instance(K), bound_method`,
  );
}

export function formatObjectSpec(spec: ObjectSpec): string {
  switch (spec.kind) {
    case 'float':
      return 'float';
    case 'small-int':
      return 'int';
    case 'bigint':
      return `bigint(${spec.bits})`;
    case 'instance':
      return `instance(${spec.attributes})`;
    case 'bound-method':
      return 'bound_method';
    default:
      return `${spec.kind}(${spec.length})`;
  }
}

/**
 * The allocations (bytes each, in the order the VM makes them) that build one such object and
 * stay allocated until the next collection. Temporaries freed at once by the runtime (a map table
 * outgrown by rehashing) are not listed; their blocks are free again, though they count toward
 * the threshold — see ModelRuntime for the full sequence.
 */
export function objectAllocations(config: PortConfig, spec: ObjectSpec): number[] {
  const s = objectSizes(config);
  switch (spec.kind) {
    case 'float':
      return [s.float];
    case 'small-int':
      return [];
    case 'bigint': {
      const digits = Math.max(s.mpzMinDigits, Math.ceil(spec.bits / 16));
      return [s.mpzHeader, digits * s.mpzDigit];
    }
    case 'bytearray':
      return spec.length === 0 ? [s.arrayHeader] : [s.arrayHeader, spec.length];
    case 'bytes':
    case 'str':
      return [spec.length + 1, s.strHeader];
    case 'list':
      return [s.listHeader, Math.max(spec.length, s.listMinAlloc) * s.slot];
    case 'tuple':
      return spec.length === 0 ? [] : [s.tupleHeader + spec.length * s.slot];
    case 'instance': {
      if (spec.attributes === 0) return [s.instance];
      let alloc = 0;
      while (alloc < spec.attributes) alloc = nextHashAllocation(alloc + 1);
      return [s.instance, alloc * s.mapElem];
    }
    case 'bound-method':
      return [s.boundMethod];
  }
}

/** Blocks one such object keeps allocated: what `gc.mem_alloc()` grows by when it is made. */
export function objectBlocks(config: PortConfig, spec: ObjectSpec): number {
  return objectAllocations(config, spec).reduce(
    (sum, bytes) => sum + Math.ceil(bytes / config.bytesPerBlock),
    0,
  );
}
