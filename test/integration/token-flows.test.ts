// The OAuth2 side of the token flow: an identity (refresh) token from a docker config exchanged
// with grant_type=refresh_token against the real token server, and the POST form used as the
// fallback when a token service has no GET endpoint.
import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTestEnv, request, tokenServerLog, type TokenServerLogEntry } from '../harness/test-env.js';
import { listenLocal, type Running } from '../fakes/listen.js';
import { CHECK, doctor } from './doctor.js';
import type { ResolvedCredential } from '../../src/registry/credentials.js';
import { RegistrySession } from '../../src/registry/session.js';

const env = loadTestEnv();
const ca = readFileSync(env.caCertPath);
const tmp = mkdtempSync(join(tmpdir(), 'stella-oauth-'));
const fakes: Running[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

async function refreshTokenFor(user: 'admin'): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'password',
    username: user,
    password: env.users[user].password,
    service: env.tokenServer.service,
    client_id: 'test',
    access_type: 'offline',
  });
  const res = await request(env.tokenServer.realm, {
    method: 'POST',
    ca,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return (JSON.parse(res.body.toString('utf8')) as { refresh_token: string }).refresh_token;
}

describe('OAuth2 token flows', () => {
  it('exchanges a docker-config identity token with grant_type=refresh_token', async () => {
    const config = join(tmp, 'identity.json');
    writeFileSync(
      config,
      JSON.stringify({
        auths: {
          [env.registries.token.host]: {
            auth: Buffer.from('<token>:').toString('base64'),
            identitytoken: await refreshTokenFor('admin'),
          },
        },
      }),
    );

    const report = await doctor({
      settings: {
        'OCI:RegistryUrl': env.registries.token.url,
        'OCI:CaCertificatePath': env.caCertPath,
        'OCI:DockerConfigPath': config,
      },
      checks: [CHECK.credentials, CHECK.pull],
    });

    expect(report.results.map((r) => r.severity)).toEqual(['pass', 'pass']);
    const log = await tokenServerLog(env);
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
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(
          ok
            ? JSON.stringify({
                access_token: 'opaque-access-token-1',
                expires_in: 300,
                scope: form.get('scope') ?? '',
              })
            : '{}',
        );
      });
    });
    const realmServer = await listenLocal(realm);
    const registry = http.createServer((req, res) => {
      if (req.headers.authorization === 'Bearer opaque-access-token-1') return void res.writeHead(200).end('{}');
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="${realmServer.url}/oauth2/token",service="post-only"` })
        .end();
    });
    const registryServer = await listenLocal(registry);
    fakes.push(realmServer, registryServer);

    const report = await doctor({
      settings: { 'OCI:RegistryUrl': registryServer.url, 'OCI:Username': 'svc', 'OCI:Password': 'oauth-Secret-1' },
      checks: [CHECK.credentials],
    });

    expect(report.results[0]!.severity).toBe('pass');
    expect(report.results[0]!.evidence).toMatchObject({
      token_exchange: 'ok',
      token_expires_in_seconds: 300,
      granted_actions: null,
    });
    expect(seen).toEqual(['GET', 'POST password']);
  });
});

describe('the run token request', () => {
  const pullScope = `repository:${env.image.repository}:pull`;
  const tokenRequestsOf = async (userAgent: string): Promise<TokenServerLogEntry[]> =>
    (await tokenServerLog(env)).filter((e) => e.user_agent === userAgent);

  function sessionWith(
    credential: ResolvedCredential,
    userAgent: string,
    plannedScopes = [pullScope],
  ): RegistrySession {
    return new RegistrySession(
      {
        registryUrl: new URL(env.registries.token.url),
        caPem: ca.toString('utf8'),
        skipTlsVerify: false,
        allowInsecureCredentials: false,
        requestTimeoutMs: 10_000,
        proxyEnv: {},
        plannedScopes,
        isManifestBodyPlanned: false,
        userAgent,
      },
      async () => credential,
    );
  }

  it('starts as the /v2/ challenge arrives, for the planned scopes, and serves later requests from the cache', async () => {
    const userAgent = `stella-doctor-test/early-token-${Date.now()}`;
    const session = sessionWith(
      { method: 'basic', username: 'admin', password: env.users.admin.password, source: 'test' },
      userAgent,
    );
    try {
      await session.ping();
      // Nobody has asked for a token: the request reaches the token server on the challenge alone.
      let before: TokenServerLogEntry[] = [];
      for (let waited = 0; before.length === 0 && waited < 2000; waited += 50) {
        await new Promise((settle) => setTimeout(settle, 50));
        before = await tokenRequestsOf(userAgent);
      }
      const early = await session.token([]);
      const later = await session.token([pullScope]);

      expect(
        before.map(
          (e) => `${e.method} ${e.status} ${e.user} ${new URLSearchParams(e.query).getAll('scope').join(' ')}`,
        ),
      ).toEqual([`GET 200 admin ${pullScope}`]);
      expect(early?.exchange).toBe('ok');
      expect(later).toBe(early);
      expect(await tokenRequestsOf(userAgent)).toHaveLength(1);
    } finally {
      session.close();
    }
  });

  it('is not started for an anonymous or static-token credential, nor without planned scopes', async () => {
    const cases: Array<[string, ResolvedCredential, string[]]> = [
      ['anonymous', { method: 'anonymous', source: null }, [pullScope]],
      ['static token', { method: 'bearer', token: 'not-a-real-token', source: 'test' }, [pullScope]],
      [
        'no planned scopes',
        { method: 'basic', username: 'admin', password: env.users.admin.password, source: 'test' },
        [],
      ],
    ];
    for (const [name, credential, planned] of cases) {
      const userAgent = `stella-doctor-test/no-early-token-${name.replace(/ /g, '-')}-${Date.now()}`;
      const session = sessionWith(credential, userAgent, planned);
      try {
        const ping = await session.ping();
        await new Promise((settle) => setTimeout(settle, 200));

        expect(ping.kind === 'response' && ping.response.status, name).toBe(401);
        expect(await tokenRequestsOf(userAgent), name).toEqual([]);
      } finally {
        session.close();
      }
    }
  });
});
