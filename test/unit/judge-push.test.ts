// Every verdict row of the push check, judged from facts alone: no network.
import { describe, expect, it } from 'vitest';
import { judgePush, type PushFacts } from '../../src/plugins/integration/oci/push.js';

type Upload = NonNullable<PushFacts['upload']>;

function facts(upload?: Partial<Upload>, cancel?: PushFacts['cancel']): PushFacts {
  return {
    host: 'r.example',
    registryUrl: 'https://r.example',
    repository: 'team/scratch',
    authMethod: 'basic',
    username: 'ci',
    credentialNote: undefined,
    product: { product: 'distribution', evidence: null },
    ...(upload
      ? {
          upload: {
            status: 202,
            latencyMs: 4,
            hasLocation: true,
            grantedActions: null,
            rateLimit: {},
            errorCode: null,
            message: null,
            challengeError: null,
            credentialProof: 'unproven',
            ...upload,
          },
        }
      : {}),
    ...(cancel ? { cancel } : {}),
    reproduce: [
      { environment: 'any', description: 'Open an upload session the same way', command: 'curl …', safe: true },
    ],
  };
}
const cancelled = { status: 204, isCancelled: true, refusal: null, error: null };

describe('judgePush', () => {
  it("names ECR's create-repository for a push repository that does not exist", () => {
    const outcome = judgePush({
      ...facts({
        status: 404,
        errorCode: 'NAME_UNKNOWN',
        message: "The repository with name 'team/scratch' does not exist",
      }),
      product: { product: 'ecr', evidence: null },
    });
    expect(outcome.diagnosis).toContain(`The registry says: "The repository with name 'team/scratch' does not exist"`);
    expect(outcome.remediation!.map((s) => s.command).join('\n')).toContain(
      'aws ecr create-repository --repository-name team/scratch --region <region>',
    );
  });

  it.each<[string, PushFacts, string, RegExp, Record<string, unknown>]>([
    [
      'no credentials',
      { ...facts(), authMethod: 'anonymous', username: undefined },
      'skip',
      /No credentials resolved \(none configured\)/,
      { repository: 'team/scratch' },
    ],
    [
      'session opened and cancelled',
      facts({}, cancelled),
      'pass',
      /may push to team\/scratch on r\.example: an upload session was opened and cancelled at once/,
      { is_upload_cancelled: true, cancel_status_code: 204 },
    ],
    [
      'session opened, cancel refused',
      facts({}, { status: 401, isCancelled: false, refusal: 'insufficient_scope', error: null }),
      'pass',
      /it was not cancelled \(no delete permission\)/,
      {
        is_upload_cancelled: false,
        cancel_note: expect.stringContaining('the cancel was refused (401 insufficient_scope)'),
      },
    ],
    [
      'session on another origin, not cancelled',
      facts(
        {},
        {
          status: null,
          isCancelled: false,
          refusal: null,
          error: 'refusing to send credentials to https://127.0.0.2: they belong to https://r.example',
        },
      ),
      'pass',
      /it was not cancelled \(refusing to send credentials to https:\/\/127\.0\.0\.2: they belong to https:\/\/r\.example\)/,
      { is_upload_cancelled: false },
    ],
    [
      '202 without a Location',
      facts({ hasLocation: false }, { status: null, isCancelled: false, refusal: null, error: 'no Location' }),
      'warn',
      /named no upload session \(no Location header\)/,
      { status_code: 202 },
    ],
    [
      'valid credentials without the push grant',
      facts({ status: 401, challengeError: 'insufficient_scope', grantedActions: ['repository:team/scratch:pull'] }),
      'fail',
      /lack push permission on team\/scratch \(401 insufficient_scope; the token grants: repository:team\/scratch:pull\)/,
      { challenge_error: 'insufficient_scope' },
    ],
    [
      'forbidden',
      facts({ status: 403, errorCode: 'DENIED' }),
      'fail',
      /lack push permission on team\/scratch \(403 DENIED\)/,
      { registry_error_code: 'DENIED' },
    ],
    [
      'rejected credentials',
      facts({ status: 401, errorCode: 'UNAUTHORIZED' }),
      'fail',
      /rejected the credentials when opening an upload on team\/scratch \(401 UNAUTHORIZED\)/,
      {},
    ],
    [
      'repository not created on push',
      facts({ status: 404 }),
      'warn',
      /answered 404 to an upload on team\/scratch: the repository does not exist/,
      {},
    ],
    [
      'rate limited',
      facts({ status: 429, rateLimit: { retry_after: '5' } }),
      'warn',
      /rate limiting this client \(429 to an upload on team\/scratch\); push permission could not be verified/,
      { retry_after: '5' },
    ],
    [
      'a 401 without insufficient_scope after the token service accepted the credentials (Harbor, Quay)',
      facts({
        status: 401,
        errorCode: 'UNAUTHORIZED',
        message: 'unauthorized to access repository: team/scratch, action: push',
        credentialProof: 'accepted',
      }),
      'fail',
      /lack push permission on team\/scratch \(401 UNAUTHORIZED; the token service accepted the same credentials.*The registry says: "unauthorized to access repository: team\/scratch, action: push"\.$/,
      { credential_proof: 'accepted' },
    ],
    [
      'a 401 without insufficient_scope after an anonymous token (credentials not accepted)',
      facts({ status: 401, errorCode: 'UNAUTHORIZED', credentialProof: 'rejected' }),
      'fail',
      /rejected the credentials when opening an upload/,
      { credential_proof: 'rejected' },
    ],
    [
      'an expired credential named by the registry (ECR)',
      facts({ status: 403, message: 'Your authorization token has expired. Reauthenticate and try again.' }),
      'fail',
      /because the credentials expired \(403\)\. The registry says: "Your authorization token has expired/,
      { registry_error_message: 'Your authorization token has expired. Reauthenticate and try again.' },
    ],
  ])('%s', (_name, input, severity, diagnosis, evidence) => {
    const outcome = judgePush(input);

    expect(outcome.severity).toBe(severity);
    expect(outcome.diagnosis).toMatch(diagnosis);
    expect(outcome.evidence).toMatchObject(evidence);
  });

  it('names read-only mode among the causes of a 503', () => {
    expect(judgePush(facts({ status: 503 })).likelyCauses).toContain('The registry is in read-only mode');
  });
});
