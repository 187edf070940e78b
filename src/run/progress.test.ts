import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.ts';

function lines() {
  const written: string[] = [];
  const stream = {
    isTTY: false,
    write: (text: string) => written.push(text.trimEnd()),
  } as unknown as NodeJS.WriteStream;
  return { progress: createProgress(stream), written };
}

describe('progress lines', () => {
  it('count a retried experiment from its plan again, never past its total', () => {
    const { progress, written } = lines();
    progress.start('threshold', 3);
    progress.step('threshold', 'threshold 4096');
    progress.restart('threshold', 2);
    for (const t of [4096, 16384, 65536]) progress.step('threshold', `threshold ${t}`);
    expect(written).toEqual([
      'threshold: started (3 steps)',
      'threshold: 1/3 threshold 4096',
      'threshold: attempt 2, started again (3 steps)',
      'threshold: 1/3 threshold 4096',
      'threshold: 2/3 threshold 16384',
      'threshold: 3/3 threshold 65536',
    ]);
  });
});
