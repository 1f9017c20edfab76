import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['electron/**/*.test.ts', 'shared/**/*.test.ts', 'renderer/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each test file gets a temp data home, so no test writes the operator's real one (audit secret, trails).
    setupFiles: ['electron/testkit/isolatedHome.ts'],
  },
});
