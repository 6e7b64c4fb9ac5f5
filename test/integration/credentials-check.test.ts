// check.integration.oci.credentials against the real registries of the harness, each case next
// to what skopeo concludes about the same registry and credentials. Where the two deliberately
// differ, the test says so.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { countRequests, mintToken, loadTestEnv, tokenServerLog } from '../harness/test-env.js';
import { listenLocal, type Running } from '../fakes/listen.js';
import { ALL_OCI, CHECK, check, doctor } from './doctor.js';
import { skopeoInspect, skopeoLogin } from './skopeo.js';

const env = loadTestEnv();
const ca = env.caCertPath;
const { admin, nobody } = env.users;
const tmp = mkdtempSync(join(tmpdir(), 'stella-cred-'));

function settings(registry: keyof typeof env.registries, extra: Record<string, string> = {}): Record<string, string> {
  return { 'OCI:RegistryUrl': env.registries[registry].url, 'OCI:CaCertificatePath': ca, ...extra };
}

const creds = (user: { username: string; password: string }) => ({
  'OCI:Username': user.username,
  'OCI:Password': user.password,
});

describe('htpasswd registry', () => {
  it('passes with the right password; skopeo login agrees', async () => {
    const result = await check(CHECK.credentials, settings('basic', creds(admin)));

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({
      auth_method: 'basic',
      username: 'admin',
      credentials_valid: true,
      status_code: 200,
      credential_source: '--set:OCI:Username',
      token_exchange: 'not_attempted',
    });
    expect(skopeoLogin(env, env.registries.basic, 'admin', admin.password).ok).toBe(true);
  });

  it('fails with a wrong password; skopeo login agrees', async () => {
    const result = await check(
      CHECK.credentials,
      settings('basic', { 'OCI:Username': 'admin', 'OCI:Password': 'wrong-password-1' }),
    );

    expect(result.severity).toBe('fail');
    expect(result.evidence).toMatchObject({ credentials_valid: false, status_code: 401 });
    expect(result.remediation.steps.find((s) => s.environment === 'kubernetes')?.command).toContain(
      'kubectl create secret generic stellaops-registry-creds',
    );
    expect(result.remediation.steps.find((s) => s.environment === 'kubernetes')?.command).toContain(
      '--dry-run=client -o yaml | kubectl apply -f -',
    );
    expect(skopeoLogin(env, env.registries.basic, 'admin', 'wrong-password-1').ok).toBe(false);
  });

  it('fails when anonymous: the registry requires credentials; skopeo inspect without creds fails too', async () => {
    const result = await check(CHECK.credentials, settings('basic'));

    expect(result.severity).toBe('fail');
    expect(result.evidence.auth_method).toBe('anonymous');
    expect(result.diagnosis).toContain('requires credentials');
    expect(skopeoInspect(env, env.registries.basic).ok).toBe(false);
  });
});

describe('open registry', () => {
  it('passes without claiming the credentials were checked; skopeo login succeeds too', async () => {
    const result = await check(CHECK.credentials, {
      'OCI:RegistryUrl': env.registries.open.url,
      'OCI:Username': 'admin',
      'OCI:Password': 'anything-1',
    });

    expect(result.severity).toBe('pass');
    expect(result.evidence.credentials_valid).toBeNull();
    expect(result.diagnosis).toContain('does not check credentials');
    expect(skopeoLogin(env, env.registries.open, 'admin', 'anything-1').ok).toBe(true);
  });
});

describe('token registry', () => {
  it('passes with the right password after a real token exchange; skopeo login agrees', async () => {
    const result = await check(CHECK.credentials, settings('token', creds(admin)));

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({
      auth_method: 'basic',
      token_exchange: 'ok',
      token_service: env.tokenServer.service,
      token_realm: env.tokenServer.realm,
      is_realm_cross_host: true,
      credentials_valid: true,
      status_code: 200,
    });
    expect(result.evidence.token_expires_in_seconds).toBeGreaterThanOrEqual(60);
    expect(skopeoLogin(env, env.registries.token, 'admin', admin.password).ok).toBe(true);
  });

  it('fails when the token service rejects the password; skopeo login agrees', async () => {
    const result = await check(
      CHECK.credentials,
      settings('token', { 'OCI:Username': 'admin', 'OCI:Password': 'wrong-password-2' }),
    );

    expect(result.severity).toBe('fail');
    expect(result.evidence).toMatchObject({
      token_exchange: 'rejected',
      token_status_code: 401,
      credentials_valid: false,
    });
    expect(result.diagnosis).toContain('rejected the credentials');
    expect(skopeoLogin(env, env.registries.token, 'admin', 'wrong-password-2').ok).toBe(false);
  });

  it('passes for a user whose token grants nothing, showing the empty grant; skopeo login agrees, skopeo inspect fails', async () => {
    const result = await check(CHECK.credentials, settings('token', creds(nobody)));
    const pull = await check(CHECK.pull, settings('token', creds(nobody)));

    // Both tools accept the login: /v2/ proves authentication, not authorization.
    expect(result.severity).toBe('pass');
    expect(result.evidence.granted_actions).toEqual([]);
    expect(skopeoLogin(env, env.registries.token, 'nobody', nobody.password).ok).toBe(true);
    // The missing permission shows up in the pull check, as it does in skopeo inspect.
    expect(pull.severity).toBe('fail');
    expect(skopeoInspect(env, env.registries.token, { creds: `nobody:${nobody.password}` }).ok).toBe(false);
  });

  it('is info when anonymous and anonymous tokens are issued; skopeo inspect without creds succeeds', async () => {
    const result = await check(CHECK.credentials, settings('token'));

    expect(result.severity).toBe('info');
    expect(result.evidence).toMatchObject({ auth_method: 'anonymous', token_exchange: 'ok', is_token_anonymous: true });
    expect(skopeoInspect(env, env.registries.token).ok).toBe(true);
  });

  it('warns when the token service is unreachable; skopeo login fails (deliberate difference: we cannot verify, so we do not call the credentials wrong)', async () => {
    const result = await check(CHECK.credentials, settings('tokenDeadRealm', creds(admin)));

    expect(result.severity).toBe('warn');
    expect(result.evidence.token_exchange).toBe('unreachable');
    expect(result.diagnosis).toContain('cannot be verified');
    expect(skopeoLogin(env, env.registries.tokenDeadRealm, 'admin', admin.password).ok).toBe(false);
  });

  it('follows a realm that redirects on the same host, keeping the credentials', async () => {
    const result = await check(CHECK.credentials, settings('tokenRedirectRealm', creds(admin)));

    expect(result.severity).toBe('pass');
    expect(result.evidence.token_realm).toBe(env.tokenServer.redirectRealm);
    expect(skopeoLogin(env, env.registries.tokenRedirectRealm, 'admin', admin.password).ok).toBe(true);
  });
});

describe('static bearer tokens', () => {
  it('fails for an expired JWT and says when it expired; skopeo with the same token fails too', async () => {
    const token = mintToken(env, {
      sub: 'admin',
      expiresInSeconds: -3600,
      access: [{ type: 'repository', name: 'library/alpine', actions: ['pull'] }],
    });

    const result = await check(CHECK.credentials, settings('token', { 'OCI:Token': token }));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toMatch(/expired at \d{4}-\d\d-\d\dT/);
    expect(result.evidence.auth_method).toBe('bearer');
    expect(skopeoInspect(env, env.registries.token, { registryToken: token }).ok).toBe(false);
  });

  it('warns for a JWT that expires within 7 days; skopeo succeeds (deliberate difference: we look ahead)', async () => {
    const token = mintToken(env, {
      sub: 'admin',
      expiresInSeconds: 3 * 86_400,
      access: [{ type: 'repository', name: 'library/alpine', actions: ['pull'] }],
    });

    const result = await check(CHECK.credentials, settings('token', { 'OCI:Token': token }));

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toMatch(/expires in [23] day/);
    expect(result.evidence.token_expires_at_utc).toMatch(/^\d{4}-/);
    expect(skopeoInspect(env, env.registries.token, { registryToken: token }).ok).toBe(true);
  });
});

describe('configuration mistakes', () => {
  it('fails at once, with no request, for a username without a password', async () => {
    const before = countRequests(env.registries.basic);

    const result = await check(CHECK.credentials, settings('basic', { 'OCI:Username': 'admin' }));

    expect(result.severity).toBe('fail');
    expect(result.evidence).toMatchObject({ credentials_valid: false, missing_key: 'OCI:Password', status_code: null });
    expect(countRequests(env.registries.basic)).toBe(before);
  });

  it('fails at once for a password without a username', async () => {
    const result = await check(CHECK.credentials, settings('basic', { 'OCI:Password': 'orphan-password' }));

    expect(result.severity).toBe('fail');
    expect(result.evidence.missing_key).toBe('OCI:Username');
  });

  it('names the appsettings file that supplied the credential', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stella-appsettings-'));
    writeFileSync(
      join(dir, 'appsettings.Production.json'),
      JSON.stringify({
        OCI: {
          RegistryUrl: env.registries.basic.url,
          CaCertificatePath: ca,
          Username: 'admin',
          Password: admin.password,
        },
      }),
    );
    const { runDoctor } = await import('../../src/doctor.js');

    const report = await runDoctor({
      config: { cwd: dir, env: {} },
      selection: { checks: [CHECK.credentials] },
      env: {},
    });

    expect(report.results[0]!.evidence.credential_source).toBe('appsettings.Production.json:OCI:Username');
    expect(report.results[0]!.severity).toBe('pass');
  });
});

describe('docker config as a credential source', () => {
  it('uses an auths entry', async () => {
    const file = join(tmp, 'auths.json');
    writeFileSync(
      file,
      JSON.stringify({
        auths: {
          [`https://${env.registries.basic.host}`]: { auth: Buffer.from(`admin:${admin.password}`).toString('base64') },
        },
      }),
    );

    const result = await check(CHECK.credentials, settings('basic', { 'OCI:DockerConfigPath': file }));

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({
      credential_source: 'docker-config:auths',
      username: 'admin',
      docker_config_status: 'found',
    });
  });

  it('uses a credential helper through the docker-credential protocol', async () => {
    const bin = join(tmp, 'bin');
    await import('node:fs').then((fs) => fs.mkdirSync(bin, { recursive: true }));
    const helper = join(bin, 'docker-credential-stella-test');
    writeFileSync(
      helper,
      `#!/bin/sh\nread server\n[ "$server" = "${env.registries.token.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"admin","Secret":"%s"}' "$server" "$STELLA_TEST_SECRET"\n`,
    );
    chmodSync(helper, 0o755);
    const file = join(tmp, 'helpers.json');
    writeFileSync(file, JSON.stringify({ credHelpers: { [env.registries.token.host]: 'stella-test' } }));

    const result = await check(CHECK.credentials, settings('token', { 'OCI:DockerConfigPath': file }), {
      env: { PATH: `${bin}:${process.env.PATH}`, STELLA_TEST_SECRET: admin.password },
    });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({
      credential_source: 'docker-config:credHelpers',
      credential_helper: 'docker-credential-stella-test',
      token_exchange: 'ok',
    });
  });

  it('bounds a hung credential helper by the run timeout and names the helper in every verdict', async () => {
    const file = join(tmp, 'hanging-helper.json');
    writeFileSync(file, JSON.stringify({ credHelpers: { [env.registries.basic.host]: 'hang' } }));
    const fixtures = fileURLToPath(new URL('../fixtures/docker-credential-helpers', import.meta.url));

    const started = Date.now();
    const report = await doctor({
      settings: settings('basic', { 'OCI:DockerConfigPath': file }),
      checks: ALL_OCI,
      timeoutMs: 2000,
      env: { PATH: `${fixtures}:${process.env.PATH}` },
    });
    const elapsed = Date.now() - started;

    expect(elapsed).toBeLessThan(2000);
    const usingCredential = report.results.filter((r) => r.checkId !== CHECK.registry);
    expect(usingCredential).toHaveLength(5);
    for (const result of usingCredential) {
      expect(result.evidence.timed_out, result.checkId).toBeUndefined();
      expect(result.diagnosis, result.checkId).toContain('docker-credential-hang timed out after 1000 ms');
    }
  });

  it('fails with the helper name and exit status when the helper fails, never its output', async () => {
    const file = join(tmp, 'missing-helper.json');
    writeFileSync(file, JSON.stringify({ credsStore: 'does-not-exist' }));

    const result = await check(CHECK.credentials, settings('basic', { 'OCI:DockerConfigPath': file }));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('docker-credential-does-not-exist');
  });
});

describe('credential safety', () => {
  const fakes: Running[] = [];
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.close()));
  });

  it('withholds Basic credentials from a realm redirect to another host and does not call the anonymous token valid', async () => {
    // Imitates a registry whose token realm answers with a redirect to a different host name.
    const registry = http.createServer((req, res) => {
      if (req.headers.authorization?.startsWith('Bearer ')) {
        res.writeHead(200).end('{}');
        return;
      }
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="${env.tokenServer.crossHostRedirectRealm}",service="${env.tokenServer.service}"`,
        })
        .end();
    });
    const running = await listenLocal(registry);
    fakes.push(running);

    const result = await check(CHECK.credentials, {
      'OCI:RegistryUrl': running.url,
      'OCI:CaCertificatePath': ca,
      ...creds(admin),
    });

    const log = await tokenServerLog(env);
    const first = log.findLast((e) => e.path === '/token-redirect-cross');
    const second = log.findLast((e) => e.path === '/token' && e.host.startsWith('localhost'));
    expect(first?.had_authorization).toBe(true);
    expect(second?.host.startsWith('localhost')).toBe(true);
    expect(second?.had_authorization).toBe(false);
    expect(result.evidence.token_exchange).toBe('ok');
    expect(result.evidence.is_token_anonymous).toBe(true);
    expect(result.evidence.credentials_withheld_from).toBe(`https://${second!.host}`);
    expect(result.severity).toBe('fail');
    expect(result.evidence.credentials_valid).toBe(false);
    expect(result.diagnosis).toContain('were not verified');
  });
});
