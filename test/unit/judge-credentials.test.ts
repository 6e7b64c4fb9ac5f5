// Every verdict row of the credentials check, judged from facts alone: no network.
import { describe, expect, it } from 'vitest';
import {
  judgeCredentials,
  type CredentialsFacts,
  type V2Answer,
} from '../../src/plugins/integration/oci/credentials.js';
import type { TokenOutcome } from '../../src/registry/token.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

function facts(over: Partial<CredentialsFacts>): CredentialsFacts {
  return {
    host: 'r.example',
    registryUrl: 'https://r.example',
    curlTls: '',
    credential: { method: 'basic', username: 'ci', source: 'env:OCI__Username' },
    reproduce: [{ environment: 'any', description: 'Repeat the probe', command: 'curl …', safe: true }],
    product: { product: 'distribution', evidence: null },
    isRegistryOpen: false,
    challenge: { raw: 'Basic realm="r"' },
    ...over,
  };
}
const answer = (status: number, over: Partial<V2Answer> = {}): V2Answer => ({
  status,
  latencyMs: 4,
  challenge: null,
  challengeError: null,
  rateLimit: {},
  message: null,
  ...over,
});
const bearerToken = { method: 'bearer' as const, source: 'env:OCI__Token' };
const anonymous = { method: 'anonymous' as const, source: null };
const issued = (over: Partial<Extract<TokenOutcome, { exchange: 'ok' }>> = {}): TokenOutcome => ({
  exchange: 'ok',
  token: 'opaque',
  expiresInSeconds: 300,
  issuedAt: null,
  expiresAtUtc: '2026-06-01T00:05:00.000Z',
  grantedActions: null,
  isAnonymous: false,
  isAnonymousGrant: false,
  subject: 'ci',
  credentialsWithheldFrom: null,
  method: 'GET',
  statusCode: 200,
  ...over,
});
const flow = (token: TokenOutcome): CredentialsFacts['tokenFlow'] => ({
  realm: 'https://auth.example/token',
  service: 'r.example',
  realmHost: 'auth.example',
  token,
});

describe('judgeCredentials', () => {
  it.each<[string, CredentialsFacts, string, RegExp, Record<string, unknown>]>([
    [
      'a docker credential helper that fails',
      facts({
        credential: {
          method: 'anonymous',
          source: null,
          dockerConfig: {
            status: 'error',
            detail: 'docker-credential-pass exited 1',
            helper: 'docker-credential-pass',
          },
        },
      }),
      'fail',
      /^The docker config credential source failed: docker-credential-pass exited 1$/,
      { credential_helper: 'docker-credential-pass', docker_config_status: 'error', credentials_valid: null },
    ],
    [
      'a username without a password',
      facts({
        credential: {
          method: 'basic',
          username: 'ci',
          source: 'env:OCI__Username',
          problem: { diagnosis: 'A username is configured but no password.', missingKey: 'OCI:Password' },
        },
      }),
      'fail',
      /^A username is configured but no password\.$/,
      { missing_key: 'OCI:Password', credentials_valid: false },
    ],
    [
      'a static bearer token that expired',
      facts({
        credential: bearerToken,
        expiry: { kind: 'bearer token', at: new Date(NOW.getTime() - DAY), lifetimeMs: null },
      }),
      'fail',
      /^The configured bearer token \(env:OCI__Token\) expired at 2026-05-31T00:00:00\.000Z\.$/,
      { token_expires_at_utc: '2026-05-31T00:00:00.000Z', credentials_valid: false },
    ],
    [
      'no credentials on an open registry',
      facts({ credential: anonymous, isRegistryOpen: true, answer: answer(200) }),
      'pass',
      /^The registry allows anonymous access; no credentials are configured\.$/,
      { status_code: 200, credentials_valid: null },
    ],
    [
      'credentials on an open registry, which checks none',
      facts({ isRegistryOpen: true, answer: answer(200) }),
      'pass',
      /does not check credentials at \/v2\/; the configured ones were sent and not refused\.$/,
      { credentials_valid: null },
    ],
    [
      'credentials accepted',
      facts({ answer: answer(200) }),
      'pass',
      /^The credentials of 'ci' are accepted by r\.example\.$/,
      { credentials_valid: true, status_code: 200, latency_ms: 4 },
    ],
    [
      'a static bearer token accepted that expires in 3 days',
      facts({
        credential: bearerToken,
        expiry: { kind: 'bearer token', at: new Date(NOW.getTime() + 3.5 * DAY), lifetimeMs: null },
        answer: answer(200),
      }),
      'warn',
      /^The bearer token is accepted but expires in 3 day\(s\), at 2026-06-04T12:00:00\.000Z\.$/,
      { credentials_valid: true, token_expires_in_seconds: 302_400 },
    ],
    [
      'no credentials where they are required',
      facts({ credential: anonymous, answer: answer(401) }),
      'fail',
      /^r\.example requires credentials and none are configured\.$/,
      { credentials_valid: false },
    ],
    [
      'credentials rejected',
      facts({ answer: answer(401, { challenge: 'Basic realm="r"' }) }),
      'fail',
      /^r\.example rejected the credentials of 'ci' \(401\)\.$/,
      { credentials_valid: false, auth_challenge: 'Basic realm="r"' },
    ],
    [
      'a bearer token rejected as invalid_token',
      facts({ credential: bearerToken, answer: answer(401, { challengeError: 'invalid_token' }) }),
      'fail',
      /^r\.example rejected the bearer token \(401, invalid_token\)\.$/,
      { credentials_valid: false },
    ],
    [
      'an account refused with 403',
      facts({ answer: answer(403) }),
      'fail',
      /authenticated the request but refuses it \(403 Forbidden\)/,
      { credentials_valid: false, status_code: 403 },
    ],
    [
      'a registry answering 500',
      facts({ answer: answer(500) }),
      'warn',
      /^r\.example answered 500 to an authenticated GET \/v2\/; the credentials could not be verified\.$/,
      { status_code: 500, credentials_valid: null },
    ],
    [
      'a registry rate limiting with 429',
      facts({ answer: answer(429, { rateLimit: { retry_after: '60' } }) }),
      'warn',
      /is rate limiting this client \(429 to an authenticated GET \/v2\/\)/,
      { retry_after: '60' },
    ],
    [
      'a token service refusing anonymous tokens, no credentials configured',
      facts({
        credential: anonymous,
        tokenFlow: flow({ exchange: 'rejected', statusCode: 401, message: 'unauthorized' }),
      }),
      'fail',
      /^r\.example requires credentials \(its token service refuses anonymous tokens\) and none are configured\.$/,
      { token_exchange: 'rejected', credentials_valid: null },
    ],
    [
      'a token service rejecting the credentials',
      facts({ tokenFlow: flow({ exchange: 'rejected', statusCode: 401, message: 'unauthorized' }) }),
      'fail',
      /^The token service at auth\.example rejected the credentials of 'ci' \(401\)\.$/,
      { token_exchange: 'rejected', token_error: 'unauthorized', credentials_valid: false, is_realm_cross_host: true },
    ],
    [
      'a token service that cannot be used',
      facts({ tokenFlow: flow({ exchange: 'unreachable', statusCode: null, message: 'connection refused' }) }),
      'warn',
      /^The registry delegates authentication to auth\.example, but the token service could not be used \(connection refused\)/,
      { token_exchange: 'unreachable', credentials_valid: null },
    ],
    [
      'an anonymous token issued after the credentials were withheld from a redirect',
      facts({
        tokenFlow: flow(issued({ isAnonymous: true, credentialsWithheldFrom: 'https://127.0.0.2:8443' })),
      }),
      'fail',
      /were not verified: the token service redirected the request to https:\/\/127\.0\.0\.2:8443/,
      { credentials_valid: false, credentials_withheld_from: 'https://127.0.0.2:8443' },
    ],
    [
      'anonymous tokens issued, no credentials configured',
      facts({ credential: anonymous, tokenFlow: flow(issued({ isAnonymous: true })), answer: answer(200) }),
      'info',
      /^r\.example needs token auth; anonymous tokens are issued/,
      { is_token_anonymous: true, status_code: 200 },
    ],
    [
      'a token the registry does not accept',
      facts({ tokenFlow: flow(issued()), answer: answer(401) }),
      'fail',
      /^The token service issued a token, but r\.example does not accept it \(401\)/,
      { credentials_valid: false, token_exchange: 'ok' },
    ],
    [
      'credentials accepted through the token flow',
      facts({ tokenFlow: flow(issued({ grantedActions: [] })), answer: answer(200) }),
      'pass',
      /^The credentials of 'ci' are accepted by r\.example\.$/,
      {
        credentials_valid: true,
        token_exchange: 'ok',
        token_expires_in_seconds: 300,
        token_realm_host: 'auth.example',
      },
    ],
    [
      "an anonymous token for the credentials that /v2/ refuses (Harbor's failed login)",
      facts({
        credential: { method: 'basic', username: 'robotteam+ci', source: 'env:OCI__Username' },
        product: { product: 'harbor', evidence: 'service="harbor-registry"' },
        tokenFlow: flow(issued({ isAnonymousGrant: true, subject: null, grantedActions: [] })),
        answer: answer(401),
      }),
      'fail',
      /^The token service at auth\.example answered the credentials of 'robotteam\+ci' with an anonymous token/,
      { credentials_valid: false, registry_product: 'harbor' },
    ],
    [
      'an expired credential named by the registry (ECR: 403, plain text)',
      facts({
        product: { product: 'ecr', evidence: 'service="ecr.amazonaws.com"' },
        answer: answer(403, { message: 'Your authorization token has expired. Reauthenticate and try again.' }),
      }),
      'fail',
      /^r\.example refused the credentials of 'ci' because they expired \(403\)\. The registry says: "Your/,
      {
        credentials_valid: false,
        registry_error_message: 'Your authorization token has expired. Reauthenticate and try again.',
      },
    ],
    [
      'a 403 with the registry’s own reason (ACR network rules)',
      facts({ answer: answer(403, { message: "client with IP '203.0.113.7' is not allowed access" }) }),
      'fail',
      /from here\. The registry says: "client with IP '203\.0\.113\.7' is not allowed access"\.$/,
      { status_code: 403 },
    ],
    [
      'an ECR password in its last 20 % (short-lived by design)',
      facts({
        product: { product: 'ecr', evidence: 'service="ecr.amazonaws.com"' },
        expiry: { kind: 'ECR password', at: new Date(NOW.getTime() + 2 * 3_600_000), lifetimeMs: 12 * 3_600_000 },
        answer: answer(200),
      }),
      'warn',
      /^The ECR password is accepted but expires in 2 h 0 min/,
      { password_expires_in_seconds: 7200 },
    ],
    [
      'an ECR password with more than 20 % left',
      facts({
        expiry: { kind: 'ECR password', at: new Date(NOW.getTime() + 3 * 3_600_000), lifetimeMs: 12 * 3_600_000 },
        answer: answer(200),
      }),
      'pass',
      /^The credentials of 'ci' are accepted/,
      { password_expires_in_seconds: 10800 },
    ],
    [
      'an ECR password that expired',
      facts({ expiry: { kind: 'ECR password', at: new Date(NOW.getTime() - 60_000), lifetimeMs: 12 * 3_600_000 } }),
      'fail',
      /^The configured ECR password \(env:OCI__Username\) expired at /,
      { credentials_valid: false },
    ],
  ])('%s', (_name, input, severity, diagnosis, evidence) => {
    const outcome = judgeCredentials(input, NOW);
    expect(outcome.severity).toBe(severity);
    expect(outcome.diagnosis).toMatch(diagnosis);
    expect(outcome.evidence).toMatchObject(evidence);
    if (severity === 'fail' || severity === 'warn') expect(outcome.remediation?.length).toBeGreaterThan(0);
  });

  it('writes every secret in its commands as a placeholder', () => {
    const outcome = judgeCredentials(facts({ credential: bearerToken, answer: answer(401) }), NOW);
    const commands = outcome.remediation!.map((s) => s.command ?? '').join('\n');
    expect(commands).toContain("'Authorization: Bearer <token>'");
    expect(commands).toContain("OCI__Token='<token>'");
  });
});
