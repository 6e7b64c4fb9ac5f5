// check.integration.oci.pull — may the configured credential read the test image?
// SPEC 4.3: authenticated `HEAD` of the test manifest (OCI and Docker types in Accept); on
// 401/403/404 a GET reads the registry's error code; the token's granted actions are recorded.
// distribution answers a token without the pull action with 401 `insufficient_scope` (not 403),
// so that 401 is reported as "valid credentials, no pull permission", which is what it means.

import { readAuthenticate } from '../../../registry/challenge.js';
import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import { headerValue } from '../../../net/http-client.js';
import { MANIFEST_ACCEPT, getManifest, grantedActions, isManifestAnswer, isSuccess, probeManifest, pullScope, rateLimitEvidence, registryError } from '../../../registry/operations.js';
import { probeTarget, type OciTarget } from './oci-context.js';
import { curlReproduction } from '../shared/curl.js';
import { credentialSteps, numbered, setConfigSteps, type Step } from '../shared/remediation.js';

async function probePull(target: OciTarget): Promise<CheckOutcome> {
  const { session, settings } = target;
  const repo = settings.testRepository.value;
  const tag = settings.testTag.value;
  const credential = await session.credential();
  const res = await probeManifest(session, repo, tag);
  const evidence: Evidence = {
    registry_url: session.baseUrl.origin,
    repository: repo,
    tag,
    auth_method: credential.method,
    status_code: res.status,
    granted_actions: grantedActions(res),
    latency_ms: res.latencyMs,
    ...rateLimitEvidence(res),
  };
  const reproduce = await curlReproduction(target, {
    method: 'HEAD',
    path: `/v2/${repo}/manifests/${tag}`,
    scopes: [pullScope(repo)],
    headers: { Accept: MANIFEST_ACCEPT },
    description: 'Repeat the manifest request',
  });

  if (isSuccess(res)) {
    evidence.manifest_digest = headerValue(res, 'docker-content-digest');
    evidence.content_type = headerValue(res, 'content-type');
    if (!isManifestAnswer(res)) return notAManifest(target, repo, tag, evidence, reproduce);
    return { severity: 'pass', diagnosis: `${credential.method === 'anonymous' ? 'Anonymous clients' : 'The configured credentials'} can pull ${repo}:${tag} from ${target.host}.`, evidence };
  }
  if (res.status === 401 || res.status === 403 || res.status === 404) {
    const detail = await getManifest(session, repo, tag);
    const error = registryError(detail.body);
    evidence.registry_error_code = error.code;
    evidence.registry_error_message = error.message;
    evidence.challenge_error = readAuthenticate(res).error;
  }
  if (res.status === 404) {
    return {
      severity: 'info',
      diagnosis: `The test image ${repo}:${tag} does not exist on ${target.host} (${evidence.registry_error_code ?? '404'}), so pull permission cannot be verified. Set OCI:TestRepository/OCI:TestTag to an image that exists.`,
      evidence,
      likelyCauses: ['The default test image library/alpine:latest is not mirrored in this registry', 'The repository or tag name is misspelled'],
      remediation: numbered(setConfigSteps('OCI:TestRepository', '<repository-that-exists>', [['OCI:TestTag', '<tag>']]), reproduce),
    };
  }
  const isScopeProblem = res.status === 403 || evidence.challenge_error === 'insufficient_scope';
  if ((res.status === 401 && isScopeProblem && credential.method !== 'anonymous') || res.status === 403) {
    return {
      severity: 'fail',
      diagnosis: `The credentials are valid but have no pull permission on ${repo} (${res.status}${evidence.registry_error_code ? ` ${evidence.registry_error_code}` : ''}${evidence.granted_actions ? `; the token grants: ${(evidence.granted_actions as string[]).join(' ') || 'nothing'}` : ''}).`,
      evidence,
      likelyCauses: [`The account is not a member of a team/project with read access to ${repo}`, 'The repository is private and the robot/service account was scoped to other repositories', 'An IP or network restriction on the repository'],
      remediation: numbered(reproduce, [{ environment: 'any', description: `Grant the account (${credential.username ?? 'the token\'s subject'}) pull/read access to ${repo} in the registry's access control`, safe: false }]),
    };
  }
  if (res.status === 401) {
    const anonymous = credential.method === 'anonymous';
    return {
      severity: 'fail',
      diagnosis: anonymous
        ? `${target.host} requires credentials to pull ${repo} and none are configured.`
        : `${target.host} rejected the credentials when pulling ${repo} (401${evidence.registry_error_code ? ` ${evidence.registry_error_code}` : ''}).`,
      evidence,
      likelyCauses: anonymous ? ['OCI:Username/OCI:Password or OCI:Token are not configured'] : ['The credentials are wrong, expired or revoked', 'Docker Hub-style registries answer 401 for repositories that do not exist'],
      remediation: numbered(reproduce, credentialSteps(session.baseUrl.origin, credential.username)),
    };
  }
  return {
    severity: 'warn',
    diagnosis:
      res.status === 429
        ? `${target.host} is rate limiting pulls (429); pull permission could not be verified.`
        : `${target.host} answered ${res.status} to the manifest request; pull permission could not be verified.`,
    evidence,
    likelyCauses: res.status === 429 ? ['Pull rate limit of the account or address reached (Docker Hub: anonymous limits are low)'] : ['The registry or its storage backend is unhealthy'],
    remediation: numbered(reproduce),
  };
}

/** A 2xx without a digest or a manifest media type: something answered, but not a registry's manifest. */
function notAManifest(target: OciTarget, repo: string, tag: string, evidence: Evidence, reproduce: Step[]): CheckOutcome {
  return {
    severity: 'warn',
    diagnosis: `${target.host} answered ${evidence.status_code} to the manifest request for ${repo}:${tag}, but with ${evidence.content_type ?? 'no content type'} and no Docker-Content-Digest: that is not a manifest, so pull permission could not be verified.`,
    evidence,
    likelyCauses: ['OCI:RegistryUrl points at a web UI or a login page, not the registry API', 'A reverse proxy or captive portal answers every path with a page of its own'],
    remediation: numbered(reproduce),
  };
}

export const runPullCheck: CheckDefinition['run'] = (ctx, signal) => probeTarget(ctx, signal, probePull);
