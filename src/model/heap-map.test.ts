import { describe, expect, it } from 'vitest';
import { loadMemInfo, type MemInfoFixture } from '../../test/support/fixtures.ts';
import { parseMemInfo } from '../meminfo/parse.ts';
import { GcHeap } from './heap.ts';
import { heapFromMemInfo, renderMemInfo } from './heap-map.ts';
import { initialAreaLayout } from './layout.ts';
import { heapRegionOfSize, rp2Config, wasmPyscriptConfig } from './port-config.ts';
import { ModelRuntime } from './runtime.ts';

const FIXTURES: MemInfoFixture[] = ['mem_info1-boot', 'mem_info1-2000-bytearray48', 'mem_info1-fragmented'];

describe('heap-map I/O on real v1.28.0 RPI_PICO dumps', () => {
  for (const name of FIXTURES) {
    it(`${name}: parse → model heap → render gives the device's text back`, () => {
      const text = loadMemInfo(name);
      const info = parseMemInfo(text, { allowTrailing: true });
      const heap = heapFromMemInfo(rp2Config('1.28.0'), info);
      const rendered = renderMemInfo(heap, { stack: info.stack, lineEnding: info.lineEnding });
      expect(rendered + info.trailing).toBe(text);
    });
  }

  it('the rp2 preset lays out the heap the fixture shows: GC total 245888, pool from 0x20003f80', () => {
    const info = parseMemInfo(loadMemInfo('mem_info1-boot'));
    const layout = initialAreaLayout(rp2Config('1.28.0'), rp2Config('1.28.0').heapRegion);
    expect(layout.totalBytes).toBe(info.gc.total);
    expect(layout.poolStart).toBe(info.map!.areas[0]!.poolStart);
    expect(
      renderMemInfo(new GcHeap(rp2Config('1.28.0')))
        .split('\r\n')
        .slice(1, 4),
    ).toEqual([
      'GC: total: 245888, used: 0, free: 245888',
      ' No. of 1-blocks: 0, 2-blocks: 0, max blk sz: 0, max free sz: 15368',
      'GC memory layout; from 20003f80:',
    ]);
  });

  it('seeded objects stay live as roots by default; without that a collection frees them all', () => {
    const info = parseMemInfo(loadMemInfo('mem_info1-2000-bytearray48'));
    const kept = heapFromMemInfo(rp2Config(), info);
    kept.collectNow('explicit');
    expect(renderMemInfo(kept, { stack: info.stack })).toBe(loadMemInfo('mem_info1-2000-bytearray48'));
    const dropped = heapFromMemInfo(rp2Config(), info, { seededObjectsAreRoots: false });
    const { work } = dropped.collectNow('explicit');
    expect(work.blocksFreed).toBe(info.gc.used / 16);
    expect(dropped.info().used).toBe(0);
  });

  it('continues allocating where the device would: first fit into the seeded map', () => {
    const info = parseMemInfo(loadMemInfo('mem_info1-boot'));
    const heap = heapFromMemInfo(rp2Config(), info);
    const blocks = info.map!.areas[0]!.blocks;
    const obj = new ModelRuntime(heap).float();
    expect(obj.header.head).toBe(blocks.indexOf('.'));
  });

  it('renders and re-reads a split heap of several areas (pyscript)', () => {
    const config = wasmPyscriptConfig();
    const heap = new GcHeap(config, initialAreaLayout(config, heapRegionOfSize(config, 4096)));
    const rt = new ModelRuntime(heap);
    heap.roots.push(rt.bytearray(6000).header, rt.float().header);
    expect(heap.areas).toHaveLength(2);
    const text = renderMemInfo(heap);
    const again = heapFromMemInfo(config, parseMemInfo(text));
    expect(again.areas.map((a) => a.layout.poolStart)).toEqual(heap.areas.map((a) => a.layout.poolStart));
    expect(renderMemInfo(again)).toBe(text);
    expect(text).toMatch(/max new split: 134217728/);
  });
});
