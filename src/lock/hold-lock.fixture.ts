/**
 * A separate process that holds a board lock, for the lock tests: `node --import tsx
 * hold-lock.fixture.ts KEY DIR`. It prints `locked <pid>` once it holds the lock, then obeys one word
 * per stdin line: `release` (release, print `released`, exit 0), `exit` (exit 0 without releasing),
 * `crash` (die of an uncaught exception). The tests SIGKILL it as well.
 */
import { createInterface } from 'node:readline';
import { acquireBoardLock } from './board-lock.ts';

const [key, dir] = process.argv.slice(2);
if (!key || !dir) {
  process.stderr.write('usage: hold-lock.fixture.ts KEY DIR\n');
  process.exit(2);
}

const lock = await acquireBoardLock(key, {
  dir,
  info: { command: 'hold-lock fixture', port: '/dev/ttyFIXTURE' },
});
process.stdout.write(`locked ${process.pid}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const word = line.trim();
  if (word === 'release') {
    void lock.release().then(() => {
      process.stdout.write('released\n');
      process.exit(0);
    });
  } else if (word === 'exit') {
    process.exit(0);
  } else if (word === 'crash') {
    setImmediate(() => {
      throw new Error('fixture crashed on purpose');
    });
  }
});
