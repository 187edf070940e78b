import { describe, expect, it } from 'vitest';
import { RECORDING_SCHEMA, type Recording } from './recording.ts';
import { RecordingMismatchError, replayLink, type Divergence } from './replay-link.ts';

function recording(events: [number, 'h' | 'd', string][]): Recording {
  return {
    schema: RECORDING_SCHEMA,
    tool: { name: 'picogc', version: 'test' },
    recordedAt: '2026-12-06T00:00:00.000Z',
    link: 'test',
    durationMs: 1,
    meta: {},
    events: events.map(([t, d, text]) => [t, d, Buffer.from(text, 'latin1').toString('base64')]),
  };
}

/** Everything the replayed device has said so far. */
function listen(link: ReturnType<typeof replayLink>): { text: () => string } {
  let text = '';
  link.stream.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  return { text: () => text };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const write = (link: ReturnType<typeof replayLink>, text: string) =>
  new Promise<void>((resolve, reject) =>
    link.stream.write(Buffer.from(text, 'latin1'), (error) => (error ? reject(error) : resolve())),
  );

describe('replayLink', () => {
  const conversation = recording([
    [0, 'd', 'boot\r\n'],
    [1, 'h', '\r\x01'],
    [2, 'd', 'raw REPL; CTRL-B to exit\r\n>'],
    [3, 'h', 'print(1)'],
    [4, 'h', '\x04'],
    [5, 'd', 'OK1\r\n'],
    [6, 'd', '\x04\x04>'],
  ]);

  it('gives each device chunk once the host has sent what preceded it, never earlier', async () => {
    const link = replayLink(conversation, { description: 'r', explain: () => 'x' });
    const heard = listen(link);
    await tick();
    expect(heard.text()).toBe('boot\r\n');
    await write(link, '\r');
    await tick();
    expect(heard.text()).toBe('boot\r\n');
    await write(link, '\x01');
    await tick();
    expect(heard.text()).toBe('boot\r\nraw REPL; CTRL-B to exit\r\n>');
    // The host's chunks need not be cut where the recorded host's were.
    await write(link, 'print(1)\x04');
    await tick();
    expect(heard.text()).toBe('boot\r\nraw REPL; CTRL-B to exit\r\n>OK1\r\n\x04\x04>');
    await link.close();
  });

  it('fails the link at the first byte the host sends differently, saying where', async () => {
    let seen: Divergence | undefined;
    const link = replayLink(conversation, {
      description: 'r',
      explain: (d) => {
        seen = d;
        return `diverged at ${d.offset}`;
      },
    });
    listen(link);
    await write(link, '\r\x01');
    const failed = write(link, 'print(2)\x04');
    await expect(failed).rejects.toBeInstanceOf(RecordingMismatchError);
    await expect(failed).rejects.toThrow('diverged at 8');
    expect(seen?.sent.toString('latin1')).toBe('2)\x04');
    expect(seen?.recorded.toString('latin1')).toBe('1)\x04');
    await link.close();
  });

  it('refuses a host that goes on past the end of the recording', async () => {
    let seen: Divergence | undefined;
    const link = replayLink(conversation, {
      description: 'r',
      explain: (d) => {
        seen = d;
        return 'past the end';
      },
    });
    listen(link);
    await write(link, '\r\x01print(1)\x04');
    await expect(write(link, '\x04')).rejects.toThrow('past the end');
    expect(seen?.recorded.length).toBe(0);
    await link.close();
  });
});
