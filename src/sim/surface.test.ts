import { describe, expect, it } from 'vitest';
import { SurfaceLoader, surfaceLibFiles } from './surface.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('SurfaceLoader', () => {
  it('loads a module for the names of what it provides, once per VM', () => {
    const loader = new SurfaceLoader();
    expect(loader.needed(bytes('import gc\ngc.collect()\x04'))).toEqual([]);
    expect(loader.needed(bytes('x = input("? ")\x04'))).toEqual(['picogc_input']);
    expect(loader.needed(bytes('y = input()\x04'))).toEqual([]);
    loader.reset();
    expect(loader.needed(bytes('input()\x04'))).toEqual(['picogc_input']);
  });

  it('finds a name a cut splits in two', () => {
    const loader = new SurfaceLoader();
    expect(loader.needed(bytes('x = inp'))).toEqual([]);
    expect(loader.needed(bytes('ut()\x04'))).toEqual(['picogc_input']);
  });

  it('takes whole words only: amount, mount_point, inputs load nothing', () => {
    const loader = new SurfaceLoader();
    expect(loader.needed(bytes('amount = mount_point = inputs = 1\x04'))).toEqual([]);
  });

  it('ships the Python files it names', () => {
    expect(Object.keys(surfaceLibFiles())).toEqual(['picogc_input.py']);
  });
});
