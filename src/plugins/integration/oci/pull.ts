// check.integration.oci.pull — may the configured credential read the test image?
// SPEC 4.3: authenticated `HEAD` of the test manifest (OCI and Docker types in Accept); on
// 401/403/404 a GET reads the registry's error code; the token's granted actions are recorded.
// distribution answers a token without the pull action with 401 `insufficient_scope` (not 403),
// so that 401 is reported as "valid credentials, no pull permission", which is what it means.
//
// Two parts: gatherPull asks the registry and returns plain facts; judgePull, pure and
// synchronous, turns the facts into the verdict, and the evidence is built from the facts.

import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import { headerValue } from '../../../net/http-client.js';
import { readAuthenticate } from '../../../registry/challenge.js';
import type { AuthMethod } from '../../../registry/credentials.js';
import {
  MANIFEST_ACCEPT,
  getManifest,
  grantedActions,
  isManifestAnswer,
  isSuccess,
  probeManifest,
  pullScope,
  rateLimitEvidence,
} from '../../../registry/operations.js';
import { readRegistryMessage } from '../../../registry/registry-message.js';
import { hidesExistence, productOf, PRODUCT_NAMES, type ProductRecognition } from '../../../registry/products.js';
import { quoted, saysExpired } from '../../../registry/registry-message.js';
import { curlReproduction } from './curl-reproduction.js';
import { productAdvice, withProductAdvice, type Advice, type Situation } from './product-advice.js';
import { hostTroubleWarning } from '../shared/host-trouble.js';
import { credentialSteps, numbered, setConfigSteps, type Step } from '../shared/remediation.js';
import { probeTarget, type OciTarget } from './oci-context.js';

export interface PullFacts {
  host: string;
  registryUrl: string;
  repository: string;
  tag: string;
  authMethod: AuthMethod;
  username: string | undefined;
  status: number;
  latencyMs: number;
  /** Actions the token granted (`repository:name:pull`); null when the token is opaque or there is none. */
  grantedActions: string[] | null;
  /** Retry-After and rate-limit headers, as evidence. */
  rateLimit: Record<string, string>;
  /** The registry product that answers. */
  product: ProductRecognition;
  /** The token service answered the credentials with an anonymous token: they were not accepted. */
  isAnonymousGrant: boolean;
  /** On success: the digest and content type, and whether that is a manifest as a registry serves one. */
  manifest?: { digest: string | null; contentType: string | null; isManifest: boolean };
  /** On 401/403/404: the registry's error and the challenge's `error=`. */
  refusal?: { code: string | null; message: string | null; challengeError: string | null };
  reproduce: Step[];
}

async function gatherPull(target: OciTarget): Promise<PullFacts> {
  const { session, settings } = target;
  const repository = settings.testRepository.value;
  const tag = settings.testTag.value;
  const credential = await session.credential();
  const res = await probeManifest(session, repository, tag);
  const facts: PullFacts = {
    host: target.host,
    registryUrl: session.baseUrl.origin,
    repository,
    tag,
    authMethod: credential.method,
    username: credential.username,
    status: res.status,
    latencyMs: res.latencyMs,
    grantedActions: grantedActions(res),
    rateLimit: rateLimitEvidence(res),
    product: await productOf(session),
    isAnonymousGrant: res.token?.exchange === 'ok' && res.token.isAnonymousGrant,
    reproduce: await curlReproduction(target, {
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${tag}`,
      scopes: [pullScope(repository)],
      headers: { Accept: MANIFEST_ACCEPT },
      description: 'Repeat the manifest request',
    }),
  };
  if (isSuccess(res))
    facts.manifest = {
      digest: headerValue(res, 'docker-content-digest'),
      contentType: headerValue(res, 'content-type'),
      isManifest: isManifestAnswer(res),
    };
  if (res.status === 401 || res.status === 403 || res.status === 404) {
    const error = readRegistryMessage((await getManifest(session, repository, tag)).body);
    facts.refusal = { ...error, challengeError: readAuthenticate(res).error };
  }
  return facts;
}

function evidenceOf(f: PullFacts): Evidence {
  return {
    registry_url: f.registryUrl,
    repository: f.repository,
    tag: f.tag,
    auth_method: f.authMethod,
    status_code: f.status,
    granted_actions: f.grantedActions,
    latency_ms: f.latencyMs,
    registry_product: f.product.product,
    ...f.rateLimit,
    ...(f.manifest ? { manifest_digest: f.manifest.digest, content_type: f.manifest.contentType } : {}),
    ...(f.refusal
      ? {
          registry_error_code: f.refusal.code,
          registry_error_message: f.refusal.message,
          challenge_error: f.refusal.challengeError,
        }
      : {}),
  };
}

function adviceOf(f: PullFacts, situation: Situation): Advice {
  return productAdvice(f.product.product, situation, {
    host: f.host,
    repository: f.repository,
    username: f.username,
  });
}

/** The outcome with the registry product's own causes and steps. */
function withAdvice(f: PullFacts, situation: Situation, outcome: CheckOutcome): CheckOutcome {
  return withProductAdvice(outcome, adviceOf(f, situation), f.reproduce.length);
}

/** The verdict on the facts; pure. */
export function judgePull(f: PullFacts): CheckOutcome {
  const evidence = evidenceOf(f);
  const { host, repository: repo, tag, status } = f;
  const code = f.refusal?.code;
  if (f.manifest?.isManifest) {
    return {
      severity: 'pass',
      diagnosis:
        `${f.authMethod === 'anonymous' ? 'Anonymous clients' : 'The configured credentials'} can pull ` +
        `${repo}:${tag} from ${host}.`,
      evidence,
    };
  }
  if (f.manifest) {
    return {
      severity: 'warn',
      diagnosis:
        `${host} answered ${status} to the manifest request for ${repo}:${tag}, but with ` +
        `${f.manifest.contentType ?? 'no content type'} and no Docker-Content-Digest: that is not a manifest, so ` +
        `pull permission could not be verified.`,
      evidence,
      likelyCauses: [
        'OCI:RegistryUrl points at a web UI or a login page, not the registry API',
        'A reverse proxy or captive portal answers every path with a page of its own',
      ],
      remediation: numbered(f.reproduce),
    };
  }
  if (status === 404) {
    return {
      severity: 'info',
      diagnosis:
        `The test image ${repo}:${tag} does not exist on ${host} (${code ?? '404'}), so pull permission cannot ` +
        `be verified. Set OCI:TestRepository/OCI:TestTag to an image that exists.`,
      evidence,
      likelyCauses: [
        'The default test image library/alpine:latest is not mirrored in this registry',
        'The repository or tag name is misspelled',
      ],
      remediation: numbered(
        setConfigSteps('OCI:TestRepository', '<repository-that-exists>', [['OCI:TestTag', '<tag>']]),
        f.reproduce,
      ),
    };
  }
  const said = f.refusal?.message ? ` The registry says: ${quoted(f.refusal.message)}.` : '';
  const refused = `${status}${code ? ` ${code}` : ''}`;
  const anonymous = f.authMethod === 'anonymous';
  if ((status === 401 || status === 403) && saysExpired(f.refusal?.message ?? null)) {
    return withAdvice(f, 'credentials_expired', {
      severity: 'fail',
      diagnosis: `${host} refused the pull of ${repo} because the credentials expired (${refused}).${said}`,
      evidence,
      likelyCauses: ['The credential has a fixed lifetime and was not refreshed in time'],
      remediation: numbered(f.reproduce, credentialSteps(f.registryUrl, f.username)),
    });
  }
  if ((status === 401 || status === 403) && f.isAnonymousGrant) {
    return withAdvice(f, 'credentials_rejected', {
      severity: 'fail',
      diagnosis:
        `The token service answered the credentials with an anonymous token, so ${host} refused the pull of ` +
        `${repo} (${refused}): the credentials were not accepted.${said}`,
      evidence,
      likelyCauses: ['The credentials are wrong, expired or revoked'],
      remediation: numbered(f.reproduce, credentialSteps(f.registryUrl, f.username)),
    });
  }
  if ((status === 401 || status === 403) && hidesExistence(f.product.product)) {
    return withAdvice(f, 'not_found_or_denied', {
      severity: 'fail',
      diagnosis:
        `${repo}:${tag} does not exist on ${host}, or the ${anonymous ? 'anonymous client' : 'account'} may not ` +
        `read it (${refused}): ${PRODUCT_NAMES[f.product.product]} answers both alike.${said}`,
      evidence,
      likelyCauses: [
        `The repository or tag ${repo}:${tag} does not exist (or is misspelled)`,
        anonymous
          ? `${repo} is private and no credentials are configured`
          : `${repo} is private and the account has no read access to it`,
      ],
      remediation: numbered(
        f.reproduce,
        setConfigSteps('OCI:TestRepository', '<repository-that-exists>', [['OCI:TestTag', '<tag>']]),
      ),
    });
  }
  const isScopeProblem = status === 403 || f.refusal?.challengeError === 'insufficient_scope';
  if ((status === 401 && isScopeProblem && !anonymous) || status === 403) {
    const grants = f.grantedActions ? `; the token grants: ${f.grantedActions.join(' ') || 'nothing'}` : '';
    return withAdvice(f, 'pull_denied', {
      severity: 'fail',
      diagnosis: `The credentials are valid but have no pull permission on ${repo} (${refused}${grants}).${said}`,
      evidence,
      likelyCauses: [
        `The account is not a member of a team/project with read access to ${repo}`,
        'The repository is private and the robot/service account was scoped to other repositories',
        'An IP or network restriction on the repository',
      ],
      remediation: numbered(f.reproduce, [
        {
          environment: 'any',
          description:
            `Grant the account (${f.username ?? "the token's subject"}) pull/read access to ${repo} in the ` +
            `registry's access control`,
          safe: false,
        },
      ]),
    });
  }
  if (status === 401) {
    return withAdvice(f, 'credentials_rejected', {
      severity: 'fail',
      diagnosis: anonymous
        ? `${host} requires credentials to pull ${repo} and none are configured.${said}`
        : `${host} rejected the credentials when pulling ${repo} (${refused}).${said}`,
      evidence,
      likelyCauses: anonymous
        ? ['OCI:Username/OCI:Password or OCI:Token are not configured']
        : [
            'The credentials are wrong, expired or revoked',
            'Registries that hide existence (Docker Hub) answer 401 for repositories that do not exist',
          ],
      remediation: numbered(f.reproduce, credentialSteps(f.registryUrl, f.username)),
    });
  }
  if (status === 429) {
    const limited = hostTroubleWarning({
      host,
      status,
      request: 'the manifest request',
      unverified: 'pull permission',
      evidence,
      reproduce: f.reproduce,
    });
    return { ...limited, likelyCauses: [...adviceOf(f, 'rate_limited').causes, ...(limited.likelyCauses ?? [])] };
  }
  return hostTroubleWarning({
    host,
    status,
    request: 'the manifest request',
    unverified: 'pull permission',
    evidence,
    reproduce: f.reproduce,
  });
}

export const runPullCheck: CheckDefinition['run'] = (ctx, signal) =>
  probeTarget(ctx, signal, async (target) => judgePull(await gatherPull(target)));
