// check.integration.oci.referrers — does the registry implement the OCI 1.1 referrers API that
// signatures, SBOMs and attestations are attached through? SPEC 4.5: resolve the test image's
// digest, query `/v2/<repo>/referrers/<digest>`, and when unsupported look for the tag-schema
// fallback tag `sha256-<hex>`; report `OCI-Filters-Applied` when the API is there.

import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import { headerValue } from '../../../net/http-client.js';
import { OCI_INDEX, probeReferrers, pullScope, resolveDigest } from '../../../registry/operations.js';
import { curlReproduction } from '../shared/curl.js';
import { probeTarget, type OciTarget } from './oci-context.js';
import { CHECK_IDS } from './preconditions.js';
import { numbered, setConfigSteps } from '../shared/remediation.js';

async function probeReferrersCheck(target: OciTarget): Promise<CheckOutcome> {
  const { session, settings } = target;
  const repo = settings.testRepository.value;
  const tag = settings.testTag.value;
  const evidence: Evidence = { registry_url: session.baseUrl.origin, repository: repo, tag };
  const resolved = await resolveDigest(session, repo, tag);
  if (resolved.kind === 'unavailable') {
    evidence.manifest_status_code = resolved.head.status;
    if (resolved.head.status === 404) {
      return {
        severity: 'info',
        diagnosis: `The test image ${repo}:${tag} does not exist on ${target.host}, so referrers support cannot be checked.`,
        evidence,
        likelyCauses: ['OCI:TestRepository/OCI:TestTag name an image that is not in this registry'],
        remediation: numbered(setConfigSteps('OCI:TestRepository', '<repository-that-exists>', [['OCI:TestTag', '<tag>']])),
      };
    }
    return {
      severity: 'warn',
      diagnosis: `The test image's manifest could not be read (${resolved.head.status}), so referrers support cannot be checked.`,
      evidence,
      likelyCauses: ['The credentials have no pull permission on the test repository (see check.integration.oci.pull)'],
      remediation: numbered([{ environment: 'any', description: 'Diagnose pull access first', command: `stella doctor run --check ${CHECK_IDS.pull} --verbose`, safe: true }]),
    };
  }
  evidence.subject_digest = resolved.digest;
  evidence.digest_source = resolved.via;
  const support = await probeReferrers(session, repo, resolved.digest);
  evidence.status_code = support.response.status;
  evidence.content_type = headerValue(support.response, 'content-type');
  const reproduce = await curlReproduction(target, {
    method: 'GET',
    path: `/v2/${repo}/referrers/${resolved.digest}`,
    scopes: [pullScope(repo)],
    headers: { Accept: OCI_INDEX },
    description: 'Query the referrers API the same way',
  });

  switch (support.kind) {
    case 'supported':
      evidence.is_referrers_supported = true;
      evidence.referrers_count = support.count;
      evidence.has_filtering = support.filtersApplied !== null;
      evidence.filters_applied = support.filtersApplied;
      return {
        severity: 'pass',
        diagnosis: `${target.host} implements the OCI 1.1 referrers API (${support.isEmptyVia404 ? '404 with an empty image index' : `${support.count} referrer(s) of the test image`}${support.filtersApplied ? `; filtering by ${support.filtersApplied}` : '; no artifactType filtering'}).`,
        evidence,
      };
    case 'unsupported':
      evidence.is_referrers_supported = false;
      evidence.fallback_tag = support.fallbackTag;
      evidence.has_fallback_tag = support.hasFallbackTag;
      return {
        severity: 'warn',
        diagnosis: `${target.host} does not implement the OCI 1.1 referrers API (${support.response.status}); signature and attestation clients must use the tag-schema fallback (${support.fallbackTag}: ${support.hasFallbackTag === true ? 'present' : support.hasFallbackTag === false ? 'absent' : `unknown, ${support.fallbackStatus}`}).`,
        evidence,
        likelyCauses: ['The registry predates OCI distribution-spec 1.1 (distribution 2.x, older Harbor/Nexus/Artifactory)', 'A proxy in front of the registry does not forward the /referrers/ route'],
        remediation: numbered(reproduce, [
          { environment: 'any', description: 'Upgrade the registry to a release with the OCI 1.1 referrers API (distribution 3, Harbor 2.8+, zot, recent cloud registries), or make sure cosign/oras use the tag-schema fallback', safe: false },
        ]),
      };
    case 'no_access':
      return {
        severity: 'warn',
        diagnosis: `The referrers query was refused (${support.response.status}); without pull access to ${repo} referrers support cannot be verified.`,
        evidence,
        likelyCauses: ['The credentials have no pull permission on the test repository', 'The registry protects the referrers route differently (Harbor 2.7 answers 401 without a challenge)'],
        remediation: numbered(reproduce),
      };
    default:
      return {
        severity: 'warn',
        diagnosis: `${target.host} answered ${support.response.status} to the referrers query; support cannot be verified.`,
        evidence,
        likelyCauses: support.response.status === 429 ? ['Rate limit reached'] : ['The registry is unhealthy'],
        remediation: numbered(reproduce),
      };
  }
}

export const runReferrersCheck: CheckDefinition['run'] = (ctx, signal) => probeTarget(ctx, signal, probeReferrersCheck);
