import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'eslint-plugin/tests/**/*.test.ts'],
    // End-to-end tests spawn real CLIs; give them room but never time assertions.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
