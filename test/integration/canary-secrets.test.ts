// No secret ever leaves the process: the whole CLI runs against real registries with canary
// secrets — passwords (right and wrong), static tokens, the base64 of user:password, a docker
// config entry — in every format and command, on passing and failing paths, and no canary may
// appear anywhere in stdout or stderr.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTestEnv, mintToken } from '../harness/test-env.js';
import { stella } from './cli.js';

const env = loadTestEnv();
const dir = mkdtempSync(join(tmpdir(), 'stella-canary-'));
const adminPassword = env.users.admin.password;
const WRONG = 'canary-Wr0ng-pass-7731';
const OPAQUE = 'canary-opaque-token-55120';
const JWT = mintToken(env, {
  sub: 'admin',
  expiresInSeconds: 2 * 86_400,
  access: [{ type: 'repository', name: 'library/alpine', actions: ['pull'] }],
});
const EXPIRED_JWT = mintToken(env, { sub: 'admin', expiresInSeconds: -60 });

function canaries(password: string, username = 'admin'): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [password, b64(`${username}:${password}`), encodeURIComponent(password), b64(password)];
}

const ALL = [
  ...new Set([
    ...canaries(adminPassword),
    ...canaries(WRONG),
    OPAQUE,
    JWT,
    EXPIRED_JWT,
    ...JWT.split('.').slice(1),
    ...EXPIRED_JWT.split('.').slice(1),
  ]),
];

function expectClean(output: string): void {
  for (const canary of ALL) expect(output, `a canary leaked: ${canary.slice(0, 4)}…`).not.toContain(canary);
}

const formats = ['text', 'table', 'json', 'markdown', 'junit'];
const base = { OCI__CaCertificatePath: env.caCertPath };
const scenarios: Array<[string, Record<string, string>, string?]> = [
  [
    'basic, right password via stdin',
    { ...base, OCI__RegistryUrl: env.registries.basic.url, OCI__Username: 'admin' },
    adminPassword,
  ],
  [
    'basic, wrong password',
    { ...base, OCI__RegistryUrl: env.registries.basic.url, OCI__Username: 'admin', OCI__Password: WRONG },
  ],
  [
    'token, right password',
    { ...base, OCI__RegistryUrl: env.registries.token.url, OCI__Username: 'admin', OCI__Password: adminPassword },
  ],
  [
    'token, wrong password',
    { ...base, OCI__RegistryUrl: env.registries.token.url, OCI__Username: 'admin', OCI__Password: WRONG },
  ],
  [
    'token, dead realm',
    {
      ...base,
      OCI__RegistryUrl: env.registries.tokenDeadRealm.url,
      OCI__Username: 'admin',
      OCI__Password: adminPassword,
    },
  ],
  ['static JWT expiring soon', { ...base, OCI__RegistryUrl: env.registries.token.url, OCI__Token: JWT }],
  ['expired static JWT', { ...base, OCI__RegistryUrl: env.registries.token.url, OCI__Token: EXPIRED_JWT }],
  ['opaque token rejected', { ...base, OCI__RegistryUrl: env.registries.token.url, OCI__Token: OPAQUE }],
  [
    'password over plain HTTP to the TLS port',
    {
      ...base,
      OCI__RegistryUrl: `http://${env.registries.basic.host}`,
      OCI__Username: 'admin',
      OCI__Password: adminPassword,
    },
  ],
];

describe('canary secrets never appear in any output', () => {
  it.each(scenarios)('%s, every format, verbose', (_name, vars, stdinPassword) => {
    for (const format of formats) {
      const args = ['doctor', '--format', format, '--verbose'];
      if (stdinPassword) args.push('--password-stdin');

      const run = stella(args, { env: vars, input: stdinPassword });

      expect([0, 1]).toContain(run.status);
      expect(run.stdout.length).toBeGreaterThan(100);
      expectClean(run.stdout + run.stderr);
    }
  });

  it('config, text and json', () => {
    for (const format of ['text', 'json']) {
      const run = stella(
        [
          'doctor',
          'config',
          '--format',
          format,
          '--set',
          `Registry:Token=${OPAQUE}`,
          '--set',
          `Registry:Password=${WRONG}`,
          '--set',
          `Custom:Note=contains ${WRONG} inline`,
        ],
        { env: { OCI__Password: adminPassword, OCI__Username: 'admin', OCI__Token: JWT } },
      );

      expect(run.status).toBe(0);
      expectClean(run.stdout + run.stderr);
      expect(run.stdout).toContain('****');
    }
  });

  it('errors: malformed configuration holding a secret is reported without quoting it', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, `{ "OCI": { "Password": ${WRONG} } }`);

    const run = stella(['doctor', '--config', file]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('broken.json');
    expectClean(run.stdout + run.stderr);
  });

  it('a docker config entry and a report written with --output', () => {
    const config = join(dir, 'docker.json');
    writeFileSync(
      config,
      JSON.stringify({
        auths: { [env.registries.basic.host]: { auth: Buffer.from(`admin:${adminPassword}`).toString('base64') } },
      }),
    );
    const out = join(dir, 'report.md');

    const run = stella(
      [
        'doctor',
        '--docker-config',
        config,
        '--registry',
        env.registries.basic.url,
        '--format',
        'markdown',
        '--output',
        out,
      ],
      { env: base },
    );

    expect(run.status).toBe(0);
    expectClean(run.stdout + run.stderr + readFileSync(out, 'utf8'));
  });
});
