import { defineConfig } from 'vitest/config';

/**
 * Tests whose verdicts rest on pauses timed on the host (the virtual Pico's): they compare runs made
 * minutes apart with a statistical rule, and another test file loading the host in between is a real
 * shift of what was measured. So they run last and alone. Every other file runs first, two at a time.
 */
const HOST_TIMED = ['test/compare-sim.test.ts', 'test/nightly/history-trend.test.ts'];

export default defineConfig({
  test: {
    // Builds dist/ if a source changed since the last build: the CLI tests run bin/picogc.js.
    globalSetup: ['test/support/build-dist.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The virtual Pico runs the MicroPython VM in worker threads; two forks keep a 2-core CI machine responsive.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'picogc',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: HOST_TIMED,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'host-timed',
          include: HOST_TIMED,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
