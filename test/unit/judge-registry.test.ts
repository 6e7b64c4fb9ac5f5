// Every verdict row of the registry connectivity check, judged from facts alone: no network.
import { describe, expect, it } from 'vitest';
import type { TlsFacts } from '../../src/net/tls-facts.js';
import { judgeRegistry, type RegistryFacts } from '../../src/plugins/integration/oci/registry-connectivity.js';
import type { ConnectionTarget } from '../../src/plugins/integration/shared/connection-failure.js';

const connection: ConnectionTarget = {
  noun: 'registry',
  url: new URL('https://r.example:5000'),
  urlKey: 'OCI:RegistryUrl',
  caKey: 'OCI:CaCertificatePath',
  caPath: undefined,
  skipTlsVerify: false,
  probePath: '/v2/',
  urlEvidence: 'registry_url',
  slug: 'registry',
  serviceNames: { systemd: 'docker-registry', compose: 'registry' },
};
const tls = (daysRemaining: number): TlsFacts => ({
  protocol: 'TLSv1.3',
  subject: 'CN=r.example',
  issuer: 'CN=ca',
  san: ['DNS:r.example'],
  notAfterUtc: '2027-01-01T00:00:00.000Z',
  daysRemaining,
});
type Answer = Extract<RegistryFacts['probe'], { kind: 'answer' }>;

function answer(over: Partial<Answer>, facts: Partial<RegistryFacts> = {}): RegistryFacts {
  return {
    connection,
    skipTlsVerify: false,
    caPath: undefined,
    probe: {
      kind: 'answer',
      status: 401,
      latencyMs: 2,
      authScheme: 'bearer',
      apiVersion: 'registry/2.0',
      bodyStart: '',
      location: null,
      url: new URL('https://r.example:5000/v2/'),
      tls: tls(300),
      rateLimit: {},
      product: { product: 'distribution', evidence: null },
      ...over,
    },
    ...facts,
  };
}

describe('judgeRegistry', () => {
  it.each<[string, RegistryFacts, string, RegExp, Record<string, unknown>]>([
    [
      'reachable, authentication required',
      answer({}),
      'pass',
      /^The registry is reachable and requires authentication \(bearer\)\.$/,
      { status_code: 401, is_auth_required: true, auth_scheme: 'bearer' },
    ],
    [
      'reachable and open',
      answer({ status: 200, authScheme: null }),
      'pass',
      /allows anonymous access to the API\.$/,
      { is_auth_required: false },
    ],
    [
      'certificate about to expire',
      answer({ tls: tls(3) }),
      'warn',
      /TLS certificate expires in 3 day\(s\)/,
      { tls_days_remaining: 3 },
    ],
    [
      'verification switched off',
      answer({}, { skipTlsVerify: true }),
      'warn',
      /TLS verification is switched off/,
      { is_tls_verify_skipped: true },
    ],
    [
      'redirect to another URL',
      answer({ status: 301, location: 'https://registry.example/v2/' }),
      'warn',
      /redirects GET \/v2\/ \(301\) to https:\/\/registry\.example\/v2\/.*Point OCI:RegistryUrl at https:\/\/registry\.example directly/,
      { redirect_location: 'https://registry.example/v2/' },
    ],
    [
      'redirect to something that is not http(s)',
      answer({ status: 302, location: 'javascript:alert(1)' }),
      'fail',
      /\(redirect\): .* not http\(s\)/,
      { error_class: 'redirect' },
    ],
    [
      'forbidden before authentication',
      answer({ status: 403 }),
      'warn',
      /403 Forbidden to an anonymous GET \/v2\//,
      { status_code: 403 },
    ],
    [
      'not a registry at this URL',
      answer({ status: 404 }),
      'warn',
      /answered 404 to GET \/v2\/ .* does not behave like an OCI registry/,
      { status_code: 404 },
    ],
    ['unhealthy', answer({ status: 503 }), 'warn', /answered 503 .* unhealthy/, { status_code: 503 }],
    [
      'a TLS port asked in plain HTTP',
      answer({ status: 400, bodyStart: 'Client sent an HTTP request to an HTTPS server.\n' }),
      'fail',
      /\(http_to_https\)/,
      { error_class: 'http_to_https' },
    ],
    [
      'unreachable',
      {
        connection,
        skipTlsVerify: false,
        caPath: undefined,
        probe: {
          kind: 'error',
          error: {
            errorClass: 'refused',
            message: 'nothing accepts connections on r.example:5000',
            detail: 'connect ECONNREFUSED',
          },
          tls: null,
          latencyMs: 1,
        },
      },
      'fail',
      /^The registry cannot be reached \(refused\): nothing accepts connections on r\.example:5000\./,
      { error_class: 'refused', error_message: 'connect ECONNREFUSED', status_code: null, latency_ms: 1 },
    ],
  ])('%s', (_name, input, severity, diagnosis, evidence) => {
    const outcome = judgeRegistry(input);

    expect(outcome.severity).toBe(severity);
    expect(outcome.diagnosis).toMatch(diagnosis);
    expect(outcome.evidence).toMatchObject({ registry_url: 'https://r.example:5000', ...evidence });
  });
});
