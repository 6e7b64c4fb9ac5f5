// Vitest global setup: starts the real test environment (registries, token server, test image)
// once per run in .test-env/ at the repository root (or STELLA_TEST_ENV_DIR), publishes the
// env.json path to the tests as STELLA_TEST_ENV, and stops everything when the run ends. Vitest
// answers SIGTERM and SIGINT with process.exit, and the environment's 'exit' listener then stops
// the registries; the run's temp dir goes the same way. That temp dir, <env dir>/tmp, is TMPDIR
// (os.tmpdir()) for the tests and the tools they start; the run fails if anything is left in it.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEnvironment, stopTestEnvironment } from './env.mjs';

const ENV_DIR = resolve(process.env.STELLA_TEST_ENV_DIR ?? fileURLToPath(new URL('../../.test-env/', import.meta.url)));
const RUN_TMP_DIR = join(ENV_DIR, 'tmp');

/**
 * Vitest handles only the first SIGTERM or SIGINT, and exits a moment later. A second one (a
 * signal to the whole process group, then the one scripts/test.sh passes on) would kill the
 * process before its 'exit' listeners run; this exits as vitest does once it is the only listener.
 */
function exitOnSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) === 1) process.exit(128 + constants.signals[signal]);
}

export default async function setup(): Promise<() => Promise<void>> {
  process.on('SIGTERM', exitOnSignal);
  process.on('SIGINT', exitOnSignal);
  const removeRunTmp = (): void => rmSync(RUN_TMP_DIR, { recursive: true, force: true });
  removeRunTmp();
  process.on('exit', removeRunTmp);
  const env = await startTestEnvironment({ dir: ENV_DIR });
  mkdirSync(RUN_TMP_DIR);
  process.env.TMPDIR = RUN_TMP_DIR;
  process.env.STELLA_TEST_ENV = env.envPath;
  return async () => {
    await stopTestEnvironment(env);
    process.off('SIGTERM', exitOnSignal);
    process.off('SIGINT', exitOnSignal);
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
