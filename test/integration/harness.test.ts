// Proves the test harness: the real registries it starts answer as the other integration tests
// expect (open, htpasswd and token auth), hold the test image under the recorded digests, and a
// third-party client (skopeo) can use them with the harness's CA and users.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  accessLogMark,
  basicAuth,
  countRequests,
  fetchToken,
  loadTestEnv,
  mintToken,
  request,
  type TestRegistry,
} from '../harness/test-env.js';

const run = promisify(execFile);
const env = loadTestEnv();
const ca = readFileSync(env.caCertPath);
const MANIFEST_ACCEPT = `${env.image.manifestMediaType}, application/vnd.docker.distribution.manifest.v2+json`;
const PULL_SCOPE = `repository:${env.image.repository}:pull`;

function manifestUrl(registry: TestRegistry): string {
  return `${registry.url}/v2/${env.image.repository}/manifests/${env.image.tag}`;
}

function uploadUrl(registry: TestRegistry): string {
  return `${registry.url}/v2/${env.image.repository}/blobs/uploads/`;
}

function jwtClaims(token: string): { access: { type: string; name: string; actions: string[] }[] } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe('open registry', () => {
  const registry = env.registries.open;

  it('answers /v2/ without credentials', async () => {
    const response = await request(`${registry.url}/v2/`);
    expect(response.status).toBe(200);
    expect(response.headers['docker-distribution-api-version']).toBe('registry/2.0');
  });

  it('serves the test image manifest under the recorded digest to an OCI Accept header', async () => {
    const mark = accessLogMark(registry);
    const response = await request(manifestUrl(registry), { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers['docker-content-digest']).toBe(env.image.manifestDigest);
    expect(countRequests(registry, { method: 'HEAD', path: /\/manifests\//, status: 200 }, { since: mark })).toBe(1);
  });

  it('answers 404 to a manifest request without an OCI Accept header', async () => {
    const response = await request(manifestUrl(registry), { method: 'HEAD' });
    expect(response.status).toBe(404);
  });
});

describe('basic registry', () => {
  const registry = env.registries.basic;

  it('challenges a request without credentials', async () => {
    const response = await request(`${registry.url}/v2/`, { ca });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm=/);
  });

  it('accepts the admin user', async () => {
    const { username, password } = env.users.admin;
    const response = await request(`${registry.url}/v2/`, {
      ca,
      headers: { authorization: basicAuth(username, password) },
    });
    expect(response.status).toBe(200);
  });
});

describe('token registry', () => {
  const registry = env.registries.token;

  it('challenges with the token server realm', async () => {
    const response = await request(`${registry.url}/v2/`, { ca });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="${env.tokenServer.realm}",service="${env.tokenServer.service}"`,
    );
  });

  it('lets an admin token pull the test image', async () => {
    const token = await fetchToken(env, { user: 'admin', scope: PULL_SCOPE });
    const response = await request(manifestUrl(registry), {
      ca,
      headers: { authorization: `Bearer ${token}`, accept: MANIFEST_ACCEPT },
    });
    expect(response.status).toBe(200);
    expect(`sha256:${createHash('sha256').update(response.body).digest('hex')}`).toBe(env.image.manifestDigest);
  });

  it('grants puller only pull, so its push is refused with insufficient_scope', async () => {
    const token = await fetchToken(env, { user: 'puller', scope: `repository:${env.image.repository}:pull,push` });
    expect(jwtClaims(token).access).toEqual([{ type: 'repository', name: env.image.repository, actions: ['pull'] }]);
    const response = await request(uploadUrl(registry), {
      method: 'POST',
      body: '',
      ca,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('accepts a minted token that is still valid and rejects an expired one', async () => {
    const access = [{ type: 'repository', name: env.image.repository, actions: ['pull'] }];
    const statusWith = async (token: string) =>
      (
        await request(manifestUrl(registry), {
          method: 'HEAD',
          ca,
          headers: { authorization: `Bearer ${token}`, accept: MANIFEST_ACCEPT },
        })
      ).status;
    expect(await statusWith(mintToken(env, { sub: 'admin', access, expiresInSeconds: 3 * 24 * 3600 }))).toBe(200);
    expect(await statusWith(mintToken(env, { sub: 'admin', access, expiresInSeconds: -3600 }))).toBe(401);
  });
});

describe('token server', () => {
  it('rejects a wrong password with a JSON error', async () => {
    const response = await request(`${env.tokenServer.realm}?service=${env.tokenServer.service}`, {
      ca,
      headers: { authorization: basicAuth('admin', 'wrong') },
    });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body.toString()).errors[0].code).toBe('UNAUTHORIZED');
  });

  it('issues OAuth2 tokens and refreshes them', async () => {
    const form = (fields: Record<string, string>) =>
      request(env.tokenServer.realm, {
        method: 'POST',
        ca,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ service: env.tokenServer.service, client_id: 'stella-test', ...fields }).toString(),
      });
    const { username, password } = env.users.pusher;
    const first = await form({ grant_type: 'password', username, password, scope: PULL_SCOPE, access_type: 'offline' });
    expect(first.status).toBe(200);
    const issued = JSON.parse(first.body.toString());
    expect(issued.scope).toBe(PULL_SCOPE);
    expect(issued.refresh_token).toEqual(expect.any(String));

    const refreshed = await form({
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      scope: PULL_SCOPE,
    });
    expect(refreshed.status).toBe(200);
    expect(JSON.parse(refreshed.body.toString()).access_token).toEqual(expect.any(String));
  });

  it('redirects the cross-host realm to another host name of the same server', async () => {
    const response = await request(`${env.tokenServer.crossHostRedirectRealm}?service=s`, { ca });
    expect(response.status).toBe(307);
    const location = new URL(response.headers.location ?? '');
    expect(location.hostname).toBe('localhost');
    expect((await request(location, { ca })).status).toBe(200);
  });
});

describe('skopeo against the harness registries', () => {
  const certDir = env.caCertDir;
  const authFile = join(mkdtempSync(join(tmpdir(), 'stella-skopeo-')), 'auth.json');
  writeFileSync(authFile, '');

  it.each(['token', 'basic'] as const)('inspects the test image on the %s registry', async (name) => {
    const registry = env.registries[name];
    const { username, password } = env.users.admin;
    const { stdout } = await run('skopeo', [
      'inspect',
      '--authfile',
      authFile,
      '--cert-dir',
      certDir,
      '--creds',
      `${username}:${password}`,
      `docker://${registry.imageReference}`,
    ]);
    expect(JSON.parse(stdout).Digest).toBe(env.image.manifestDigest);
  });
});
