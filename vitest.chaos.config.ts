import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = { '@': path.resolve(import.meta.dirname) };

/**
 * `npm run test:chaos`: the long fault-injection tests (worker SIGKILL, database connections
 * terminated, web server restarted, load). Real processes on a fresh database like the
 * integration tests; kept out of `npm test` because they take minutes.
 */
export default defineConfig({
  resolve: { alias },
  test: {
    name: 'chaos',
    environment: 'node',
    include: ['tests/chaos/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    setupFiles: ['tests/helpers/setup-env.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    // Figures (recovery time, throughput, latency) are printed for the report.
    silent: false,
  },
});
