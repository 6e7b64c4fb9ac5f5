// Vitest global setup: starts the real test environment (registries, token server, test image)
// once per run in .test-env/ at the repository root, publishes the env.json path to the tests as
// STELLA_TEST_ENV, and stops everything when the run ends.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestEnvironment, stopTestEnvironment } from './env.mjs';

const ENV_DIR = fileURLToPath(new URL('../../.test-env/', import.meta.url));

export default async function setup(): Promise<() => Promise<void>> {
  rmSync(ENV_DIR, { recursive: true, force: true });
  const env = await startTestEnvironment({ dir: ENV_DIR });
  process.env.STELLA_TEST_ENV = env.envPath;
  return async () => {
    await stopTestEnvironment(env);
  };
}
