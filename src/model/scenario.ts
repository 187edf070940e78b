import { InputError } from '../errors.ts';
import { GcHeap } from './heap.ts';
import type { ModelObject } from './heap-area.ts';
import { initialAreaLayout } from './layout.ts';
import { formatObjectSpec, type ObjectSpec } from './object-sizes.ts';
import { heapRegionOfSize, type PortConfig } from './port-config.ts';
import { ModelMemoryError, ModelRuntime, type PyValue } from './runtime.ts';

/**
 * How the live objects hang together, which decides whether the mark stack overflows:
 * - `list`: one list holds all N (`keep = [obj for i in range(N)]`): fan-out N at its item array.
 * - `chain`: each node is a 2-tuple `(obj, next)` (`keep = (obj, keep)` N times): depth N, and
 *   each level leaves its `obj` waiting on the mark stack while `next` is traced.
 * - `wide`: lists of 32 objects in an outer list: fan-out ≤ 32 at each node, but the outer list's
 *   waiting sublists stay on the stack, so it too overflows once there are enough of them (from
 *   1088 objects with a 64-entry stack).
 */
export type LiveShape = 'list' | 'chain' | 'wide';
export const LIVE_SHAPES: readonly LiveShape[] = ['list', 'chain', 'wide'];
export const WIDE_FAN_OUT = 32;

export interface LiveSetScenario {
  config: PortConfig;
  /** Bytes of the region given to gc_init; the port's default region when absent. */
  heapBytes?: number;
  live: number;
  object: ObjectSpec;
  shape: LiveShape;
}

export interface LiveSet {
  heap: GcHeap;
  runtime: ModelRuntime;
  /** The `keep` global, as the module's globals table references it. */
  keep: PyValue;
  /** The globals table: the one root, as mp_state_ctx's dict_main points at it. */
  globals: ModelObject;
}

/**
 * Builds the live set the way a script on the device would, in a fresh heap whose only other
 * object is the `__main__` globals table (a root). Garbage the building makes (outgrown list
 * slots, and with `chain` nothing else) stays until the next collection.
 */
export function buildLiveSet(scenario: LiveSetScenario): LiveSet {
  const { config } = scenario;
  const region =
    scenario.heapBytes === undefined ? config.heapRegion : heapRegionOfSize(config, scenario.heapBytes);
  const heap = new GcHeap(config, initialAreaLayout(config, region));
  if (heap.totalBlocks === 0) throw new InputError(`a ${scenario.heapBytes} byte heap has no blocks`);
  const runtime = new ModelRuntime(heap);
  const globals = runtime.malloc(4 * 2 * config.wordBytes, 'h');
  heap.roots.push(globals);
  try {
    const keep = build(runtime, scenario);
    globals.refs = keep ? [keep.header] : [];
    return { heap, runtime, keep, globals };
  } catch (error) {
    if (error instanceof ModelMemoryError) {
      throw new InputError(
        `${scenario.live} × ${formatObjectSpec(scenario.object)} as a ${scenario.shape} do not fit in a ` +
          `${heap.totalBlocks * config.bytesPerBlock} byte GC heap (${error.message})`,
      );
    }
    throw error;
  }
}

function build(runtime: ModelRuntime, { live, object, shape }: LiveSetScenario): PyValue {
  const heap = runtime.heap;
  if (shape === 'chain') {
    let keep = null as PyValue;
    for (let i = 0; i < live; i++) {
      const held = keep;
      const item = runtime.withStack(held ? [held.header] : [], () => runtime.make(object));
      keep = runtime.withStack(item ? [item.header] : [], () => runtime.tuple([item, held]));
      // `keep` is a global: rebind it in the globals table so a collection mid-build sees it.
      heap.roots[0]!.refs = keep ? [keep.header] : [];
    }
    return keep;
  }
  const outer = runtime.list([]);
  heap.roots[0]!.refs = [outer.header];
  if (shape === 'list') {
    for (let i = 0; i < live; i++)
      runtime.append(
        outer,
        runtime.withStack([outer.header], () => runtime.make(object)),
      );
    return outer;
  }
  for (let done = 0; done < live; done += WIDE_FAN_OUT) {
    const inner = runtime.withStack([outer.header], () => runtime.list([]));
    runtime.append(outer, inner);
    for (let i = done; i < Math.min(live, done + WIDE_FAN_OUT); i++) {
      runtime.append(
        inner,
        runtime.withStack([outer.header], () => runtime.make(object)),
      );
    }
  }
  return outer;
}

/**
 * `sys.argv` holding `live` objects. Its list is `mp_state_vm.mp_sys_argv_obj`, outside the heap,
 * so its item array is a root of its own: gc_collect_root traces it with an empty mark stack, and
 * nothing else (the build's globals, its modules) waits there while the items are pushed. The item
 * array starts with 4 slots and doubles through m_renew, as list.append does.
 */
export function buildArgvList(scenario: Omit<LiveSetScenario, 'shape'>): {
  heap: GcHeap;
  items: ModelObject;
} {
  const { config } = scenario;
  const region =
    scenario.heapBytes === undefined ? config.heapRegion : heapRegionOfSize(config, scenario.heapBytes);
  const heap = new GcHeap(config, initialAreaLayout(config, region));
  const runtime = new ModelRuntime(heap);
  const slot = config.wordBytes;
  let alloc = 4;
  const items = runtime.malloc(alloc * slot, 'h');
  heap.roots.push(items);
  for (let i = 0; i < scenario.live; i++) {
    const item = runtime.make(scenario.object);
    if (i >= alloc) {
      alloc *= 2;
      runtime.withStack(item ? [item.header] : [], () => runtime.renew(items, alloc * slot));
    }
    if (item) items.refs.push(item.header);
  }
  return { heap, items };
}

/**
 * The fewest children of the `sys.argv` item array that overflow the mark stack: with nothing else
 * waiting, the array pushes every unmarked child, and the one past the stack's size sets the
 * overflow flag (and costs the whole-heap rescan).
 */
export function firstOverflowingArgvLength(config: PortConfig, object: ObjectSpec): number {
  for (let live = 1; live <= 4 * config.markStackSize; live++) {
    const { heap } = buildArgvList({ config, live, object });
    if (heap.collectNow('explicit').work.rescans > 0) return live;
  }
  throw new Error(`no overflow up to ${4 * config.markStackSize} children: is the mark stack modelled?`);
}
