// Every verdict row of the referrers check, judged from facts alone: no network.
import { describe, expect, it } from 'vitest';
import {
  judgeReferrers,
  type ReferrersAnswer,
  type ReferrersFacts,
} from '../../src/plugins/integration/oci/referrers.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const resolved: ReferrersFacts['subject'] = { kind: 'resolved', digest: DIGEST, via: 'header' };

function facts(subject: ReferrersFacts['subject'], answer?: ReferrersAnswer): ReferrersFacts {
  return {
    host: 'r.example',
    registryUrl: 'https://r.example',
    repository: 'team/app',
    tag: 'v1',
    subject,
    product: { product: 'distribution', evidence: null },
    ...(answer ? { answer, contentType: 'application/vnd.oci.image.index.v1+json' } : {}),
    reproduce: [
      { environment: 'any', description: 'Query the referrers API the same way', command: 'curl …', safe: true },
    ],
  };
}

describe('judgeReferrers', () => {
  it.each<[string, ReferrersFacts, string, RegExp, Record<string, unknown>]>([
    [
      'test image missing',
      facts({ kind: 'unavailable', status: 404 }),
      'info',
      /does not exist on r\.example/,
      { manifest_status_code: 404 },
    ],
    [
      'test image unreadable',
      facts({ kind: 'unavailable', status: 401 }),
      'warn',
      /could not be read \(401\)/,
      { manifest_status_code: 401 },
    ],
    [
      'API with referrers and filtering',
      facts(resolved, {
        kind: 'supported',
        status: 200,
        count: 2,
        isEmptyVia404: false,
        filtersApplied: 'artifactType',
      }),
      'pass',
      /2 referrer\(s\) of the test image; filtering by artifactType/,
      { is_referrers_supported: true, referrers_count: 2, has_filtering: true, subject_digest: DIGEST },
    ],
    [
      'API answering an empty index with 404',
      facts(resolved, { kind: 'supported', status: 404, count: 0, isEmptyVia404: true, filtersApplied: null }),
      'pass',
      /404 with an empty image index; no artifactType filtering/,
      { is_referrers_supported: true, has_filtering: false },
    ],
    [
      'no API, fallback tag present',
      facts(resolved, {
        kind: 'unsupported',
        status: 404,
        fallbackTag: `sha256-${'a'.repeat(64)}`,
        hasFallbackTag: true,
        fallbackStatus: 200,
        fallbackNote: null,
      }),
      'warn',
      /does not implement .* \(sha256-a+: present\)/,
      { is_referrers_supported: false, has_fallback_tag: true },
    ],
    [
      'no API, fallback tag absent',
      facts(resolved, {
        kind: 'unsupported',
        status: 405,
        fallbackTag: 'sha256-x',
        hasFallbackTag: false,
        fallbackStatus: 404,
        fallbackNote: null,
      }),
      'warn',
      /\(405\).*\(sha256-x: absent\)/,
      { has_fallback_tag: false },
    ],
    [
      'no API, fallback tag unknown',
      facts(resolved, {
        kind: 'unsupported',
        status: 400,
        fallbackTag: 'sha256-x',
        hasFallbackTag: null,
        fallbackStatus: 500,
        fallbackNote: null,
      }),
      'warn',
      /\(sha256-x: unknown, 500\)/,
      { has_fallback_tag: null },
    ],
    [
      'query refused',
      facts(resolved, { kind: 'no_access', status: 403 }),
      'warn',
      /refused \(403\); without pull access to team\/app/,
      { status_code: 403 },
    ],
    [
      'rate limited',
      facts(resolved, { kind: 'error_status', status: 429 }),
      'warn',
      /rate limiting this client \(429 to the referrers query\); referrers support could not be verified/,
      { status_code: 429 },
    ],
    [
      'registry trouble',
      facts(resolved, { kind: 'error_status', status: 502 }),
      'warn',
      /answered 502 to the referrers query/,
      { status_code: 502 },
    ],
    [
      'no API, and the fallback tag is the subject itself (GitLab)',
      facts(resolved, {
        kind: 'unsupported',
        status: 404,
        fallbackTag: `sha256-${'b'.repeat(64)}`,
        hasFallbackTag: false,
        fallbackStatus: 200,
        fallbackNote: `the tag resolves to the subject itself (${DIGEST})`,
      }),
      'warn',
      /tag-schema fallback \(sha256-b+: absent: the tag resolves to the subject itself/,
      { has_fallback_tag: false, fallback_note: `the tag resolves to the subject itself (${DIGEST})` },
    ],
  ])('%s', (_name, input, severity, diagnosis, evidence) => {
    const outcome = judgeReferrers(input);

    expect(outcome.severity).toBe(severity);
    expect(outcome.diagnosis).toMatch(diagnosis);
    expect(outcome.evidence).toMatchObject({
      registry_url: 'https://r.example',
      repository: 'team/app',
      tag: 'v1',
      ...evidence,
    });
  });
});
