// The OAuth2 side of the token flow: an identity (refresh) token from a docker config exchanged
// with grant_type=refresh_token against the real token server, and the POST form used as the
// fallback when a token service has no GET endpoint.
import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTestEnv, request, type TokenServerLogEntry } from '../harness/test-env.js';
import { listenLocal, type Running } from '../fakes/listen.js';
import { CHECK, doctor } from './doctor.js';

const env = loadTestEnv();
const ca = readFileSync(env.caCertPath);
const tmp = mkdtempSync(join(tmpdir(), 'stella-oauth-'));
const fakes: Running[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

async function refreshTokenFor(user: 'admin'): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'password', username: user, password: env.users[user].password, service: env.tokenServer.service, client_id: 'test', access_type: 'offline' });
  const res = await request(env.tokenServer.realm, { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  return (JSON.parse(res.body.toString('utf8')) as { refresh_token: string }).refresh_token;
}

describe('OAuth2 token flows', () => {
  it('exchanges a docker-config identity token with grant_type=refresh_token', async () => {
    const config = join(tmp, 'identity.json');
    writeFileSync(config, JSON.stringify({ auths: { [env.registries.token.host]: { auth: Buffer.from('<token>:').toString('base64'), identitytoken: await refreshTokenFor('admin') } } }));

    const report = await doctor({ settings: { 'OCI:RegistryUrl': env.registries.token.url, 'OCI:CaCertificatePath': env.caCertPath, 'OCI:DockerConfigPath': config }, checks: [CHECK.credentials, CHECK.pull] });

    expect(report.results.map((r) => r.severity)).toEqual(['pass', 'pass']);
    const log = JSON.parse((await request(env.tokenServer.logUrl, { ca })).body.toString('utf8')) as TokenServerLogEntry[];
    const mine = log.filter((e) => e.user_agent.includes(report.runId));
    expect(mine.map((e) => `${e.method} ${e.status} ${e.user}`)).toEqual(['POST 200 admin']);
  });

  it('falls back to the POST form when the token service has no GET endpoint', async () => {
    // Imitates a token service that implements only the OAuth2 POST endpoint, and its registry.
    const seen: string[] = [];
    const realm = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.method === 'POST' ? new URLSearchParams(body).get('grant_type') : ''}`.trim());
        if (req.method !== 'POST') return void res.writeHead(404).end();
        const form = new URLSearchParams(body);
        const ok = form.get('username') === 'svc' && form.get('password') === 'oauth-Secret-1';
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ access_token: 'opaque-access-token-1', expires_in: 300, scope: form.get('scope') ?? '' }) : '{}');
      });
    });
    const realmServer = await listenLocal(realm);
    const registry = http.createServer((req, res) => {
      if (req.headers.authorization === 'Bearer opaque-access-token-1') return void res.writeHead(200).end('{}');
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realmServer.url}/oauth2/token",service="post-only"` }).end();
    });
    const registryServer = await listenLocal(registry);
    fakes.push(realmServer, registryServer);

    const report = await doctor({ settings: { 'OCI:RegistryUrl': registryServer.url, 'OCI:Username': 'svc', 'OCI:Password': 'oauth-Secret-1' }, checks: [CHECK.credentials] });

    expect(report.results[0]!.severity).toBe('pass');
    expect(report.results[0]!.evidence).toMatchObject({ token_exchange: 'ok', token_expires_in_seconds: 300, granted_actions: null });
    expect(seen).toEqual(['GET', 'POST password']);
  });
});
