import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Builds dist/ if a source changed since the last build: the CLI tests run bin/picogc.js.
    globalSetup: ['test/support/build-dist.ts'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The virtual Pico runs the MicroPython VM in worker threads; two forks keep a 2-core CI machine responsive.
    pool: 'forks',
    maxWorkers: 2,
  },
});
