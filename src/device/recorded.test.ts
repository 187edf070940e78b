import { describe, expect, it } from 'vitest';
import { changedScripts, explainDivergence, stepAt } from './recorded.ts';
import { deviceScript, deviceScriptHashes, sha256 } from './scripts.ts';

const paste = (code: string) => `\x05A\x01${code}\x04`;

describe('a replay the host left', () => {
  const upload = deviceScript('pause');
  const host = Buffer.from(`\r\x03\r\x01${paste(upload)}${paste('build(500, 48)')}`, 'utf8');
  const scripts = { pause: sha256(upload) };

  it('names the upload of a device script by its file', () => {
    const inside = host.indexOf('def build');
    expect(stepAt(host, inside, scripts)).toBe('the upload of device-scripts/pause.py');
  });

  it('names any other exec by its first line of code', () => {
    expect(stepAt(host, host.indexOf('500'), scripts)).toBe('the exec "build(500, 48)"');
  });

  it('lists the scripts that changed, appeared or went since the recording', () => {
    expect(changedScripts({ a: '1', b: '2', c: '3' }, { a: '1', b: '9', d: '4' })).toEqual([
      'b.py changed',
      'c.py was removed',
      'd.py is new',
    ]);
  });

  it('says the recording must be remade, and why', () => {
    // Recorded with an older pause.py than the one in the tree now.
    const old = `${upload}# an older version\n`;
    const oldHost = Buffer.from(`\r\x03\r\x01${paste(old)}`, 'utf8');
    const current = deviceScriptHashes();
    const stale = { ...current, pause: sha256(old) };
    const offset = oldHost.indexOf('# an older');
    /** The replay of golden.rec.gz, recorded with `scripts` and `recordedHost`, sent `sent` at `offset`. */
    const diverged = (scripts: Record<string, string>, recordedHost: Buffer, sent: string) =>
      explainDivergence(
        'golden.rec.gz',
        { command: 'picogc run', scripts, notes: {} },
        {
          offset,
          recorded: recordedHost.subarray(offset, offset + 8),
          sent: Buffer.from(sent),
          recordedHost,
        },
      );
    const message = diverged(stale, oldHost, '\x04');
    expect(message).toMatch(
      /^replay of golden.rec.gz diverged at host byte \d+, in the upload of device-scripts\/pause.py/,
    );
    expect(message).toMatch(/device-scripts\/ changed since it was recorded \(pause.py changed\)/);
    expect(message).toMatch(/re-record it/);
    const sameScripts = diverged(current, host, '# edit');
    expect(sameScripts).toMatch(/the code picogc sends changed since it was recorded/);
  });
});
