/**
 * A separate process that appends history records until it is killed, for the store's crash test:
 * `node --import tsx append-loop.fixture.ts PATH`. It prints `appended <n>` after each append resolves,
 * i.e. after the record was fsynced; the test SIGKILLs it and checks every acknowledged record is there.
 */
import { appendHistoryRecord } from './store.ts';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: append-loop.fixture.ts PATH\n');
  process.exit(2);
}

for (let n = 1; ; n++) {
  await appendHistoryRecord(path, {
    schema: 'picogc.history/1',
    runId: `run-${n}`,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    device: { id: 'board-crash' },
    metrics: { 'pause-vs-live.slope': { median: n, n: 5, unit: 'us/object' } },
    verdict: 'pass',
  });
  process.stdout.write(`appended ${n}\n`);
}
