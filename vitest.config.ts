import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // every test's scratch files under one directory, removed when the run ends
    globalSetup: ['test/setup/temp-root.ts'],
  },
});
