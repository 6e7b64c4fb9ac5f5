// Vitest global setup: starts the real test environment (registries, token server, test image)
// once per run in .test-env/ at the repository root (or STELLA_TEST_ENV_DIR), publishes the
// env.json path to the tests as STELLA_TEST_ENV, and stops everything when the run ends. Vitest
// answers SIGTERM and SIGINT with process.exit, and the environment's 'exit' listener then stops
// the registries; the run's temp dir goes the same way. That temp dir, <env dir>/tmp, is TMPDIR
// (os.tmpdir()) for the tests and the tools they start; the run fails if anything is left in it.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEnvironment, stopTestEnvironment } from './env.mjs';

const ENV_DIR = resolve(process.env.STELLA_TEST_ENV_DIR ?? fileURLToPath(new URL('../../.test-env/', import.meta.url)));
const RUN_TMP_DIR = join(ENV_DIR, 'tmp');

export default async function setup(): Promise<() => Promise<void>> {
  const removeRunTmp = (): void => rmSync(RUN_TMP_DIR, { recursive: true, force: true });
  removeRunTmp();
  process.on('exit', removeRunTmp);
  const env = await startTestEnvironment({ dir: ENV_DIR });
  mkdirSync(RUN_TMP_DIR);
  process.env.TMPDIR = RUN_TMP_DIR;
  process.env.STELLA_TEST_ENV = env.envPath;
  return async () => {
    await stopTestEnvironment(env);
    const left = readdirSync(RUN_TMP_DIR);
    removeRunTmp();
    process.off('exit', removeRunTmp);
    if (left.length > 0) {
      // Vitest reports an error thrown here but still exits 0, so the exit code is set instead.
      console.error(`the tests left files in their temp dir ${RUN_TMP_DIR}: ${left.join(', ')}`);
      process.exitCode = 1;
    }
  };
}
