import { describe, expect, it } from 'vitest';
import { SurfaceLoader, surfaceLibFiles } from './surface.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('SurfaceLoader', () => {
  it('loads a module for the names of what it provides, once per VM', () => {
    const loader = new SurfaceLoader();
    expect(loader.needed(bytes('import gc\ngc.collect()\x04'))).toEqual([]);
    expect(loader.needed(bytes('os.VfsLfs2.mkfs(bdev)\x04'))).toEqual(['picogc_vfs']);
    expect(loader.needed(bytes('vfs.mount(bdev, "/x")\x04'))).toEqual([]);
    expect(loader.needed(bytes('x = input("? ")\x04'))).toEqual(['picogc_input']);
    loader.reset();
    expect(loader.needed(bytes('import vfs\x04'))).toEqual(['picogc_vfs']);
  });

  it('finds a name a cut splits in two', () => {
    const loader = new SurfaceLoader();
    expect(loader.needed(bytes('import os\nos.mou'))).toEqual([]);
    expect(loader.needed(bytes('nt(bdev, "/r")\x04'))).toEqual(['picogc_vfs']);
  });

  it('takes whole words only: amount, mount_point, inputs load nothing', () => {
    const loader = new SurfaceLoader();
    expect(loader.needed(bytes('amount = mount_point = inputs = 1\x04'))).toEqual([]);
  });

  it('ships the Python files it names', () => {
    expect(Object.keys(surfaceLibFiles())).toEqual([
      'picogc_blockfs.py',
      'picogc_file.py',
      'picogc_input.py',
      'picogc_vfs.py',
    ]);
  });
});
