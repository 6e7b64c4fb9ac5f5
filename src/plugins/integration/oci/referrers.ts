// check.integration.oci.referrers — does the registry implement the OCI 1.1 referrers API that
// signatures, SBOMs and attestations are attached through? SPEC 4.5: resolve the test image's
// digest, query `/v2/<repo>/referrers/<digest>`, and when unsupported look for the tag-schema
// fallback tag `sha256-<hex>`; report `OCI-Filters-Applied` when the API is there.
//
// Two parts: gatherReferrers asks the registry and returns plain facts; judgeReferrers, pure and
// synchronous, turns the facts into the verdict, and the evidence is built from the facts.

import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import { headerValue } from '../../../net/http-client.js';
import { OCI_INDEX, probeReferrers, pullScope, resolveDigest } from '../../../registry/operations.js';
import { productOf, type ProductRecognition } from '../../../registry/products.js';
import { curlReproduction } from './curl-reproduction.js';
import { productAdvice } from './product-advice.js';
import { hostTroubleWarning } from '../shared/host-trouble.js';
import { numbered, setConfigSteps, type Step } from '../shared/remediation.js';
import { probeTarget, type OciTarget } from './oci-context.js';
import { CHECK_IDS } from './preconditions.js';

/** What the registry answered about the referrers of the test image. */
export type ReferrersAnswer =
  | { kind: 'supported'; status: number; count: number; isEmptyVia404: boolean; filtersApplied: string | null }
  | {
      kind: 'unsupported';
      status: number;
      fallbackTag: string;
      hasFallbackTag: boolean | null;
      fallbackStatus: number | null;
      fallbackNote: string | null;
    }
  | { kind: 'no_access' | 'error_status'; status: number };

export interface ReferrersFacts {
  host: string;
  registryUrl: string;
  repository: string;
  tag: string;
  /** The test image: its digest, or the status that kept it from being read. */
  subject: { kind: 'resolved'; digest: string; via: 'header' | 'body' } | { kind: 'unavailable'; status: number };
  /** Absent when the subject could not be resolved. */
  answer?: ReferrersAnswer;
  contentType?: string | null;
  /** The registry product that answers. */
  product: ProductRecognition;
  /** curl commands that repeat the query. */
  reproduce: Step[];
}

async function gatherReferrers(target: OciTarget): Promise<ReferrersFacts> {
  const { session, settings } = target;
  const repository = settings.testRepository.value;
  const tag = settings.testTag.value;
  const base = {
    host: target.host,
    registryUrl: session.baseUrl.origin,
    repository,
    tag,
    product: await productOf(session),
    reproduce: [],
  };
  const resolved = await resolveDigest(session, repository, tag);
  if (resolved.kind === 'unavailable')
    return { ...base, subject: { kind: 'unavailable', status: resolved.head.status } };
  const support = await probeReferrers(session, repository, resolved.digest);
  const status = support.response.status;
  const answer: ReferrersAnswer =
    support.kind === 'supported'
      ? {
          kind: 'supported',
          status,
          count: support.count,
          isEmptyVia404: support.isEmptyVia404,
          filtersApplied: support.filtersApplied,
        }
      : support.kind === 'unsupported'
        ? {
            kind: 'unsupported',
            status,
            fallbackTag: support.fallbackTag,
            hasFallbackTag: support.hasFallbackTag,
            fallbackStatus: support.fallbackStatus,
            fallbackNote: support.fallbackNote,
          }
        : { kind: support.kind, status };
  const reproduce = await curlReproduction(target, {
    method: 'GET',
    path: `/v2/${repository}/referrers/${resolved.digest}`,
    scopes: [pullScope(repository)],
    headers: { Accept: OCI_INDEX },
    description: 'Query the referrers API the same way',
  });
  return {
    ...base,
    subject: { kind: 'resolved', digest: resolved.digest, via: resolved.via },
    answer,
    contentType: headerValue(support.response, 'content-type'),
    reproduce,
  };
}

/** The evidence of the facts: the same keys whatever the verdict, so reports stay comparable. */
function evidenceOf(f: ReferrersFacts): Evidence {
  const evidence: Evidence = {
    registry_url: f.registryUrl,
    repository: f.repository,
    tag: f.tag,
    registry_product: f.product.product,
  };
  if (f.subject.kind === 'unavailable') return { ...evidence, manifest_status_code: f.subject.status };
  Object.assign(evidence, {
    subject_digest: f.subject.digest,
    digest_source: f.subject.via,
    status_code: f.answer?.status ?? null,
    content_type: f.contentType ?? null,
  });
  if (f.answer?.kind === 'supported') {
    Object.assign(evidence, {
      is_referrers_supported: true,
      referrers_count: f.answer.count,
      has_filtering: f.answer.filtersApplied !== null,
      filters_applied: f.answer.filtersApplied,
    });
  }
  if (f.answer?.kind === 'unsupported')
    Object.assign(evidence, {
      is_referrers_supported: false,
      fallback_tag: f.answer.fallbackTag,
      has_fallback_tag: f.answer.hasFallbackTag,
      ...(f.answer.fallbackNote ? { fallback_note: f.answer.fallbackNote } : {}),
    });
  return evidence;
}

/** The test image could not be read: nothing to ask referrers of. */
function subjectUnreadable(f: ReferrersFacts, status: number, evidence: Evidence): CheckOutcome {
  const { host, repository, tag } = f;
  if (status === 404) {
    return {
      severity: 'info',
      diagnosis:
        `The test image ${repository}:${tag} does not exist on ${host}, so referrers support cannot be ` + 'checked.',
      evidence,
      likelyCauses: ['OCI:TestRepository/OCI:TestTag name an image that is not in this registry'],
      remediation: numbered(
        setConfigSteps('OCI:TestRepository', '<repository-that-exists>', [['OCI:TestTag', '<tag>']]),
      ),
    };
  }
  return {
    severity: 'warn',
    diagnosis: `The test image's manifest could not be read (${status}), ` + `so referrers support cannot be checked.`,
    evidence,
    likelyCauses: ['The credentials have no pull permission on the test repository (see check.integration.oci.pull)'],
    remediation: numbered([
      {
        environment: 'any',
        description: 'Diagnose pull access first',
        command: `stella doctor run --check ${CHECK_IDS.pull} --verbose`,
        safe: true,
      },
    ]),
  };
}

/** No referrers API: the tag-schema fallback, and the registry's own advice. */
function noReferrersApi(
  f: ReferrersFacts,
  answer: Extract<ReferrersAnswer, { kind: 'unsupported' }>,
  evidence: Evidence,
): CheckOutcome {
  const { host, repository } = f;
  const fallback =
    (answer.hasFallbackTag === true
      ? 'present'
      : answer.hasFallbackTag === false
        ? 'absent'
        : `unknown, ${answer.fallbackStatus}`) + (answer.fallbackNote ? `: ${answer.fallbackNote}` : '');
  const advice = productAdvice(f.product.product, 'referrers_unsupported', {
    host,
    repository,
    username: undefined,
  });
  return {
    severity: 'warn',
    diagnosis:
      `${host} does not implement the OCI 1.1 referrers API (${answer.status}); signature and attestation ` +
      `clients must use the tag-schema fallback (${answer.fallbackTag}: ${fallback}).`,
    evidence,
    likelyCauses: [
      ...advice.causes,
      'The registry predates OCI distribution-spec 1.1 (distribution 2.x, older Harbor/Nexus/Artifactory)',
      'A proxy in front of the registry does not forward the /referrers/ route',
    ],
    remediation: numbered(f.reproduce, advice.steps, [
      {
        environment: 'any',
        description:
          'Upgrade the registry to a release with the OCI 1.1 referrers API (distribution 3, Harbor 2.8+, ' +
          'zot, recent cloud registries), or make sure cosign/oras use the tag-schema fallback',
        safe: false,
      },
    ]),
  };
}

/** The verdict on the facts; pure. */
export function judgeReferrers(f: ReferrersFacts): CheckOutcome {
  const evidence = evidenceOf(f);
  const { host, repository } = f;
  if (f.subject.kind === 'unavailable') return subjectUnreadable(f, f.subject.status, evidence);
  const answer = f.answer!;
  switch (answer.kind) {
    case 'supported':
      return {
        severity: 'pass',
        diagnosis:
          `${host} implements the OCI 1.1 referrers API (` +
          (answer.isEmptyVia404 ? '404 with an empty image index' : `${answer.count} referrer(s) of the test image`) +
          (answer.filtersApplied ? `; filtering by ${answer.filtersApplied}` : '; no artifactType filtering') +
          ').',
        evidence,
      };
    case 'unsupported':
      return noReferrersApi(f, answer, evidence);
    case 'no_access':
      return {
        severity: 'warn',
        diagnosis:
          `The referrers query was refused (${answer.status}); without pull access to ${repository} referrers ` +
          `support cannot be verified.`,
        evidence,
        likelyCauses: [
          'The credentials have no pull permission on the test repository',
          'The registry protects the referrers route differently (Harbor 2.7 answers 401 without a challenge)',
        ],
        remediation: numbered(f.reproduce),
      };
    default:
      return hostTroubleWarning({
        host,
        status: answer.status,
        request: 'the referrers query',
        unverified: 'referrers support',
        evidence,
        reproduce: f.reproduce,
      });
  }
}

export const runReferrersCheck: CheckDefinition['run'] = (ctx, signal) =>
  probeTarget(ctx, signal, async (target) => judgeReferrers(await gatherReferrers(target)));
