// What a token service's answer becomes: times a Date cannot hold give no expiry instead of an
// internal error, and a redirect that the credential gate did not follow is "unreachable".
import { describe, expect, it } from 'vitest';
import { requestToken, type TokenRequestContext, type TokenResponse } from '../../src/registry/token.js';

function answer(status: number, body: unknown, extra: Partial<TokenResponse> = {}): TokenResponse {
  const url = new URL('https://auth.example/token');
  return {
    status,
    headers: {},
    body: Buffer.from(JSON.stringify(body)),
    isBodyTruncated: false,
    url,
    latencyMs: 1,
    tls: null,
    credentialsWithheldFrom: null,
    ...extra,
  };
}

function context(response: TokenResponse): TokenRequestContext {
  return {
    realm: new URL('https://auth.example/token'),
    service: 'registry',
    scopes: [],
    credentials: { username: 'ci', password: 'pw-Canary-1' },
    send: async () => response,
  };
}

describe('token responses with times outside what a date can hold', () => {
  it.each<[string, Record<string, unknown>]>([
    ['expires_in: 1e20', { token: 'opaque-token-1', expires_in: 1e20 }],
    [
      'issued_at at the largest date',
      { token: 'opaque-token-2', expires_in: 300, issued_at: '+275760-09-13T00:00:00.000Z' },
    ],
    ['expires_in: 1e308', { token: 'opaque-token-3', expires_in: 1e308 }],
  ])('issue a token with no expiry date for %s', async (_name, body) => {
    const outcome = await requestToken(context(answer(200, body)));

    expect(outcome).toMatchObject({ exchange: 'ok', expiresAtUtc: null });
  });

  it('still dates an ordinary token', async () => {
    const outcome = await requestToken(
      context(answer(200, { token: 'opaque-token-4', expires_in: 300, issued_at: '2026-01-01T00:00:00Z' })),
    );

    expect(outcome).toMatchObject({ exchange: 'ok', expiresAtUtc: '2026-01-01T00:05:00.000Z' });
  });
});

describe('a redirect the credentials were withheld from', () => {
  it('is an unreachable token service naming the other origin, and no token', async () => {
    const redirected = answer(307, '', {
      headers: { location: 'https://127.0.0.2/token' },
      credentialsWithheldFrom: 'https://127.0.0.2',
    });

    const outcome = await requestToken({
      ...context(redirected),
      credentials: { username: 'ci', identityToken: 'refresh-Canary-1' },
    });

    expect(outcome).toMatchObject({ exchange: 'unreachable', statusCode: 307 });
    expect(outcome.exchange !== 'ok' && outcome.message).toContain(
      'https://127.0.0.2, another origin; it was not followed',
    );
  });
});

const jwtOf = (payload: Record<string, unknown>): string =>
  [{ alg: 'RS256', typ: 'JWT' }, payload, 'sig']
    .map((p) => Buffer.from(JSON.stringify(p)).toString('base64url'))
    .join('.');

describe('what the token itself says', () => {
  it('reports the lifetime the JWT states (GitLab sends no expires_in, whose default is 60 s)', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const outcome = await requestToken(context(answer(200, { token: jwtOf({ sub: 'ci', iat, exp: iat + 300 }) })));
    expect(outcome).toMatchObject({ exchange: 'ok', expiresInSeconds: 300 });
  });

  it.each<[string, Record<string, unknown>, string[], boolean]>([
    ['an empty subject granting nothing (Harbor after a failed login)', { sub: '', access: [] }, [], true],
    [
      'no subject, nothing of the requested scope granted',
      { access: [{ type: 'repository', name: 'other/repo', actions: ['pull'] }] },
      ['repository:team/app:pull'],
      true,
    ],
    ['a subject', { sub: 'robot$team+ci', access: [] }, ['repository:team/app:pull'], false],
    [
      'no subject but the requested scope granted (a public repository)',
      { sub: '', access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] },
      ['repository:team/app:pull'],
      false,
    ],
  ])('marks as an anonymous grant: %s', async (_name, payload, scopes, expected) => {
    const outcome = await requestToken({ ...context(answer(200, { token: jwtOf(payload) })), scopes });
    expect(outcome).toMatchObject({ exchange: 'ok', isAnonymous: false, isAnonymousGrant: expected });
  });
});
