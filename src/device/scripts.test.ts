import { describe, expect, it } from 'vitest';
import { deviceScript, forgetScript } from './scripts.ts';

describe('forgetting what a device script defined, before it runs again', () => {
  it('forgets its functions and top-level assignments', () => {
    expect(forgetScript(deviceScript('pause')).split('\n')).toEqual([
      "globals().pop('live', None)",
      "globals().pop('build', None)",
      "globals().pop('release', None)",
    ]);
  });

  it('keeps its imports: the stub reads its frames with the binascii and micropython of these globals', () => {
    const undo = forgetScript(deviceScript('common'));
    expect(undo).toContain("globals().pop('emit', None)");
    for (const module of ['binascii', 'gc', 'json', 'micropython', 'time'])
      expect(undo).not.toContain(`'${module}'`);
  });

  it('leaves names bound inside a block, and comparisons, alone', () => {
    expect(forgetScript('x = 1\nif x == 1:\n    y = 2\nz == 3\nclass K:\n    pass\n')).toBe(
      "globals().pop('x', None)\nglobals().pop('K', None)",
    );
  });
});
