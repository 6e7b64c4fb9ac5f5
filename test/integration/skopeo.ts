// skopeo as a peer: what a real third-party client concludes about the same registry and
// credentials. Always with a throwaway --authfile, and the harness CA through --cert-dir.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestEnvironment, TestRegistry } from '../harness/test-env.js';

export interface SkopeoResult {
  ok: boolean;
  message: string;
}

function authfile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skopeo-auth-'));
  const file = join(dir, 'auth.json');
  writeFileSync(file, '{"auths":{}}');
  return file;
}

function tlsArgs(env: TestEnvironment, registry: TestRegistry): string[] {
  return registry.tls ? ['--cert-dir', env.caCertDir] : ['--tls-verify=false'];
}

function run(args: string[], input?: string): SkopeoResult {
  const result = spawnSync('skopeo', args, { encoding: 'utf8', input, timeout: 30_000 });
  return { ok: result.status === 0, message: `${result.stderr ?? ''}`.trim().split('\n').pop() ?? '' };
}

/** `skopeo login`: does skopeo accept these credentials for the registry? */
export function skopeoLogin(
  env: TestEnvironment,
  registry: TestRegistry,
  username: string,
  password: string,
): SkopeoResult {
  return run(
    [
      'login',
      '--authfile',
      authfile(),
      ...tlsArgs(env, registry),
      '--username',
      username,
      '--password-stdin',
      registry.host,
    ],
    password,
  );
}

/** `skopeo inspect` of the test image with the given credentials (or none, or a registry token). */
export function skopeoInspect(
  env: TestEnvironment,
  registry: TestRegistry,
  auth: { creds?: string; registryToken?: string } = {},
): SkopeoResult {
  const authArgs = auth.creds
    ? ['--creds', auth.creds]
    : auth.registryToken
      ? ['--registry-token', auth.registryToken]
      : ['--no-creds'];
  return run([
    'inspect',
    '--raw',
    '--authfile',
    authfile(),
    ...tlsArgs(env, registry),
    ...authArgs,
    `docker://${registry.imageReference}`,
  ]);
}
