/** The GC model: py/gc.c in TypeScript, its port presets, object sizes, heap-map I/O and pause-cost fit. */
export { AllocTable, AT_FREE, AT_HEAD, AT_MARK, AT_TAIL, type BlockKind } from './atb.ts';
export { collect, type CollectionWork } from './collector.ts';
export { GcHeap, type CollectionCause, type CollectionRecord } from './heap.ts';
export { HeapArea, ModelObject } from './heap-area.ts';
export {
  heapFromMemInfo,
  heapToMemInfo,
  renderMemInfo,
  type RenderOptions,
  type SeedOptions,
} from './heap-map.ts';
export { initialAreaLayout, newAreaBytes, setupArea, type AreaLayout } from './layout.ts';
export {
  formatObjectSpec,
  objectAllocations,
  objectBlocks,
  objectSizes,
  parseObjectSpec,
  type ObjectSizes,
  type ObjectSpec,
} from './object-sizes.ts';
export {
  fitPauseCost,
  pauseCoefficientsSchema,
  predictPause,
  predictPauseCurve,
  type PauseCoefficients,
  type PauseFit,
  type PauseSample,
  type PauseWork,
} from './pause-cost.ts';
export {
  choosePortConfig,
  heapRegionOfSize,
  portConfigByName,
  rp2Config,
  VIRTUAL_PICO_HEAPSIZE,
  wasmPyscriptConfig,
  type DeviceIdentity,
  type PortConfig,
} from './port-config.ts';
export { predictLargestFit } from './largest-fit.ts';
export { ModelMemoryError, ModelRuntime, PyInstance, PyList, type PyObj, type PyValue } from './runtime.ts';
export {
  buildArgvList,
  firstOverflowingArgvLength,
  buildLiveSet,
  LIVE_SHAPES,
  type LiveSet,
  type LiveSetScenario,
  type LiveShape,
} from './scenario.ts';
export { formatFirmwareVersion, isAtLeast, parseFirmwareVersion, type FirmwareVersion } from './version.ts';
