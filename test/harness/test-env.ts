// What tests import to reach the running test environment: loadTestEnv() reads the env.json that
// the global setup (or `node test/harness/cli.mjs up`) wrote, plus the harness's request helpers.
import { readFileSync } from 'node:fs';
import type { TestEnvironment } from './env.mjs';

export type * from './env.mjs';
export {
  request,
  basicAuth,
  readAccessLog,
  accessLogMark,
  countRequests,
  fetchToken,
  mintToken,
  tokenServerLog,
  USER_AGENT,
} from './env.mjs';

/** The environment described by the env.json at STELLA_TEST_ENV. */
export function loadTestEnv(): TestEnvironment {
  const path = process.env.STELLA_TEST_ENV;
  if (!path) {
    throw new Error(
      'STELLA_TEST_ENV is not set: run the tests with vitest (its global setup starts the environment) ' +
        'or set it to the env.json written by `node test/harness/cli.mjs up --dir DIR`',
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as TestEnvironment;
}
