// Every verdict row of the pull check, judged from facts alone: no network.
import { describe, expect, it } from 'vitest';
import { judgePull, type PullFacts } from '../../src/plugins/integration/oci/pull.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;

function facts(over: Partial<PullFacts>): PullFacts {
  return {
    host: 'r.example',
    registryUrl: 'https://r.example',
    repository: 'team/app',
    tag: 'v1',
    authMethod: 'basic',
    username: 'ci',
    status: 200,
    latencyMs: 3,
    grantedActions: null,
    rateLimit: {},
    product: { product: 'distribution', evidence: null },
    isAnonymousGrant: false,
    reproduce: [{ environment: 'any', description: 'Repeat the manifest request', command: 'curl …', safe: true }],
    ...over,
  };
}
const manifest = { digest: DIGEST, contentType: 'application/vnd.oci.image.manifest.v1+json', isManifest: true };
const refusal = (code: string | null, challengeError: string | null = null) => ({
  code,
  message: null,
  challengeError,
});

describe('judgePull', () => {
  it.each<[string, PullFacts, string, RegExp, Record<string, unknown>]>([
    [
      'credentials that may pull',
      facts({ manifest }),
      'pass',
      /^The configured credentials can pull team\/app:v1 from r\.example\.$/,
      { manifest_digest: DIGEST },
    ],
    [
      'anonymous pull',
      facts({ authMethod: 'anonymous', username: undefined, manifest }),
      'pass',
      /^Anonymous clients can pull/,
      { auth_method: 'anonymous' },
    ],
    [
      'an HTML page answered 200',
      facts({ manifest: { digest: null, contentType: 'text/html', isManifest: false } }),
      'warn',
      /with text\/html and no Docker-Content-Digest: that is not a manifest/,
      { content_type: 'text/html' },
    ],
    [
      'no such image',
      facts({ status: 404, refusal: refusal('MANIFEST_UNKNOWN') }),
      'info',
      /does not exist on r\.example \(MANIFEST_UNKNOWN\)/,
      { registry_error_code: 'MANIFEST_UNKNOWN' },
    ],
    [
      'valid credentials without the pull grant (distribution: 401 insufficient_scope)',
      facts({ status: 401, grantedActions: [], refusal: refusal('UNAUTHORIZED', 'insufficient_scope') }),
      'fail',
      /valid but have no pull permission on team\/app \(401 UNAUTHORIZED; the token grants: nothing\)/,
      { challenge_error: 'insufficient_scope' },
    ],
    [
      'forbidden',
      facts({ status: 403, refusal: refusal('DENIED') }),
      'fail',
      /no pull permission on team\/app \(403 DENIED\)/,
      { registry_error_code: 'DENIED' },
    ],
    [
      'rejected credentials',
      facts({ status: 401, refusal: refusal('UNAUTHORIZED') }),
      'fail',
      /rejected the credentials when pulling team\/app \(401 UNAUTHORIZED\)/,
      {},
    ],
    [
      'no credentials where they are needed',
      facts({
        status: 401,
        authMethod: 'anonymous',
        username: undefined,
        refusal: refusal(null, 'insufficient_scope'),
      }),
      'fail',
      /requires credentials to pull team\/app and none are configured/,
      {},
    ],
    [
      'rate limited',
      facts({ status: 429, rateLimit: { retry_after: '30' } }),
      'warn',
      /rate limiting this client \(429 to the manifest request\); pull permission could not be verified/,
      { retry_after: '30' },
    ],
    ['registry trouble', facts({ status: 502 }), 'warn', /answered 502 to the manifest request/, { status_code: 502 }],
    [
      'a registry that hides existence answering 401 insufficient_scope (Docker Hub)',
      facts({
        status: 401,
        product: { product: 'dockerhub', evidence: 'service="registry.docker.io"' },
        refusal: { code: 'UNAUTHORIZED', message: 'authentication required', challengeError: 'insufficient_scope' },
      }),
      'fail',
      /^team\/app:v1 does not exist on r\.example, or the account may not read it \(401 UNAUTHORIZED\): Docker Hub answers both alike\. The registry says: "authentication required"\.$/,
      { registry_product: 'dockerhub' },
    ],
    [
      'an expired credential named by the registry (ECR, plain text on 403)',
      facts({
        status: 403,
        product: { product: 'ecr', evidence: 'service="ecr.amazonaws.com"' },
        refusal: {
          code: null,
          message: 'Your authorization token has expired. Reauthenticate and try again.',
          challengeError: null,
        },
      }),
      'fail',
      /because the credentials expired \(403\)\. The registry says: "Your authorization token has expired/,
      { registry_error_message: 'Your authorization token has expired. Reauthenticate and try again.' },
    ],
    [
      'an anonymous token issued for the credentials (Harbor after a failed login)',
      facts({ status: 401, isAnonymousGrant: true, refusal: refusal('UNAUTHORIZED', 'insufficient_scope') }),
      'fail',
      /answered the credentials with an anonymous token, so r\.example refused the pull/,
      {},
    ],
  ])('%s', (_name, input, severity, diagnosis, evidence) => {
    const outcome = judgePull(input);

    expect(outcome.severity).toBe(severity);
    expect(outcome.diagnosis).toMatch(diagnosis);
    expect(outcome.evidence).toMatchObject({
      registry_url: 'https://r.example',
      repository: 'team/app',
      tag: 'v1',
      ...evidence,
    });
  });

  it("puts the product's own cause first and its own step after the reproduction", () => {
    const outcome = judgePull(
      facts({ status: 403, product: { product: 'artifact-registry', evidence: null }, refusal: refusal('DENIED') }),
    );
    expect(outcome.likelyCauses![0]).toBe('The service account lacks roles/artifactregistry.reader on the repository');
    expect(outcome.remediation![1]!.command).toContain('--role=roles/artifactregistry.reader');
  });

  it('asks for the pull grant for the named account', () => {
    const outcome = judgePull(facts({ status: 403, refusal: refusal('DENIED') }));

    expect(outcome.remediation!.at(-1)!.description).toBe(
      "Grant the account (ci) pull/read access to team/app in the registry's access control",
    );
  });
});
