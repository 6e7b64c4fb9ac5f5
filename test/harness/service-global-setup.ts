// Vitest global setup for the service tests: a throwaway PostgreSQL cluster (test/harness/
// postgres.mjs) in .test-env-service/ at the repository root, published to the tests as
// STELLA_TEST_POSTGRES_URL, and stopped when the run ends — also when the runner exits on a signal.
// A cluster a killed earlier run left behind (recorded in that directory) is stopped first.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPostgres, stopPostgres } from './postgres.mjs';

const STATE_DIR = fileURLToPath(new URL('../../.test-env-service/', import.meta.url));
const POSTGRES_DIR = `${STATE_DIR}postgres`;

export default async function setup(): Promise<() => void> {
  stopPostgres(POSTGRES_DIR);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    stopPostgres(POSTGRES_DIR);
    rmSync(STATE_DIR, { recursive: true, force: true });
  };
  process.once('exit', stop);
  const cluster = await startPostgres({ dir: POSTGRES_DIR });
  process.env.STELLA_TEST_POSTGRES_URL = cluster.url;
  return stop;
}
