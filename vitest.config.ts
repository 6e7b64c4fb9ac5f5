// Test runner configuration: unit tests run alone; integration tests share the real registries
// that test/harness/global-setup.ts starts once for the whole run and stops at the end (and the
// PostgreSQL cluster of test/harness/service-global-setup.ts); every test file gets a temp dir of
// its own (test/harness/temp-dir.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts', 'test/harness/service-global-setup.ts'],
    setupFiles: ['test/harness/temp-dir.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
