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
import { hidesExistence, productOf, PRODUCT_NAMES, type ProductRecognition } from '../../../registry/products.js';
import { readRegistryMessage, registrySays, saysExpired } from '../../../registry/registry-message.js';
import { curlReproduction } from './curl-reproduction.js';
import { advised, productAdvice } from './product-advice.js';
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

/** What every row of the judge reads, worked out once from the facts. */
interface PullCase {
  f: PullFacts;
  evidence: Evidence;
  /** `401 UNAUTHORIZED`: the status and the registry's error code. */
  refused: string;
  /** ` The registry says: "…".` when it said something, else ''. */
  said: string;
  anonymous: boolean;
  isRefusal: boolean;
}

/** One row of the decision table: its verdict when it applies, else undefined. */
type Row = (c: PullCase) => CheckOutcome | undefined;

const servesTheManifest: Row = ({ f, evidence }) =>
  f.manifest?.isManifest
    ? {
        severity: 'pass',
        diagnosis:
          `${f.authMethod === 'anonymous' ? 'Anonymous clients' : 'The configured credentials'} can pull ` +
          `${f.repository}:${f.tag} from ${f.host}.`,
        evidence,
      }
    : undefined;

const answersWithSomethingElse: Row = ({ f, evidence }) =>
  f.manifest
    ? {
        severity: 'warn',
        diagnosis:
          `${f.host} answered ${f.status} to the manifest request for ${f.repository}:${f.tag}, but with ` +
          `${f.manifest.contentType ?? 'no content type'} and no Docker-Content-Digest: that is not a manifest, ` +
          `so pull permission could not be verified.`,
        evidence,
        likelyCauses: [
          'OCI:RegistryUrl points at a web UI or a login page, not the registry API',
          'A reverse proxy or captive portal answers every path with a page of its own',
        ],
        remediation: numbered(f.reproduce),
      }
    : undefined;

const testImageMissing: Row = ({ f, evidence }) =>
  f.status === 404
    ? {
        severity: 'info',
        diagnosis:
          `The test image ${f.repository}:${f.tag} does not exist on ${f.host} (${f.refusal?.code ?? '404'}), so ` +
          `pull permission cannot be verified. Set OCI:TestRepository/OCI:TestTag to an image that exists.`,
        evidence,
        likelyCauses: [
          'The default test image library/alpine:latest is not mirrored in this registry',
          'The repository or tag name is misspelled',
        ],
        remediation: numbered(
          setConfigSteps('OCI:TestRepository', '<repository-that-exists>', [['OCI:TestTag', '<tag>']]),
          f.reproduce,
        ),
      }
    : undefined;

const credentialsExpired: Row = ({ f, evidence, refused, said, isRefusal }) =>
  isRefusal && saysExpired(f.refusal?.message ?? null)
    ? advised(f, 'credentials_expired', {
        severity: 'fail',
        diagnosis: `${f.host} refused the pull of ${f.repository} because the credentials expired (${refused}).${said}`,
        evidence,
        likelyCauses: ['The credential has a fixed lifetime and was not refreshed in time'],
        remediation: numbered(f.reproduce, credentialSteps(f.registryUrl, f.username)),
      })
    : undefined;

const anonymousGrantRefused: Row = ({ f, evidence, refused, said, isRefusal }) =>
  isRefusal && f.isAnonymousGrant
    ? advised(f, 'credentials_rejected', {
        severity: 'fail',
        diagnosis:
          `The token service answered the credentials with an anonymous token, so ${f.host} refused the pull of ` +
          `${f.repository} (${refused}): the credentials were not accepted.${said}`,
        evidence,
        likelyCauses: ['The credentials are wrong, expired or revoked'],
        remediation: numbered(f.reproduce, credentialSteps(f.registryUrl, f.username)),
      })
    : undefined;

const missingOrHidden: Row = ({ f, evidence, refused, said, anonymous, isRefusal }) =>
  isRefusal && hidesExistence(f.product.product)
    ? advised(f, 'not_found_or_denied', {
        severity: 'fail',
        diagnosis:
          `${f.repository}:${f.tag} does not exist on ${f.host}, or the ` +
          `${anonymous ? 'anonymous client' : 'account'} may not read it (${refused}): ` +
          `${PRODUCT_NAMES[f.product.product]} answers both alike.${said}`,
        evidence,
        likelyCauses: [
          `The repository or tag ${f.repository}:${f.tag} does not exist (or is misspelled)`,
          anonymous
            ? `${f.repository} is private and no credentials are configured`
            : `${f.repository} is private and the account has no read access to it`,
        ],
        remediation: numbered(
          f.reproduce,
          setConfigSteps('OCI:TestRepository', '<repository-that-exists>', [['OCI:TestTag', '<tag>']]),
        ),
      })
    : undefined;

/** distribution answers a valid token without the pull action with 401 insufficient_scope, others with 403. */
const pullDenied: Row = ({ f, evidence, refused, said, anonymous }) => {
  const isScopeProblem = f.refusal?.challengeError === 'insufficient_scope';
  if (!(f.status === 403 || (f.status === 401 && isScopeProblem && !anonymous))) return undefined;
  const grants = f.grantedActions ? `; the token grants: ${f.grantedActions.join(' ') || 'nothing'}` : '';
  return advised(f, 'pull_denied', {
    severity: 'fail',
    diagnosis: `The credentials are valid but have no pull permission on ${f.repository} (${refused}${grants}).${said}`,
    evidence,
    likelyCauses: [
      `The account is not a member of a team/project with read access to ${f.repository}`,
      'The repository is private and the robot/service account was scoped to other repositories',
      'An IP or network restriction on the repository',
    ],
    remediation: numbered(f.reproduce, [
      {
        environment: 'any',
        description:
          `Grant the account (${f.username ?? "the token's subject"}) pull/read access to ${f.repository} in the ` +
          `registry's access control`,
        safe: false,
      },
    ]),
  });
};

const credentialsRejected: Row = ({ f, evidence, refused, said, anonymous }) =>
  f.status === 401
    ? advised(f, 'credentials_rejected', {
        severity: 'fail',
        diagnosis: anonymous
          ? `${f.host} requires credentials to pull ${f.repository} and none are configured.${said}`
          : `${f.host} rejected the credentials when pulling ${f.repository} (${refused}).${said}`,
        evidence,
        likelyCauses: anonymous
          ? ['OCI:Username/OCI:Password or OCI:Token are not configured']
          : [
              'The credentials are wrong, expired or revoked',
              'Registries that hide existence (Docker Hub) answer 401 for repositories that do not exist',
            ],
        remediation: numbered(f.reproduce, credentialSteps(f.registryUrl, f.username)),
      })
    : undefined;

/** A 429, a 5xx or anything else: the answer says nothing about pull permission. */
function hostTrouble({ f, evidence }: PullCase): CheckOutcome {
  const trouble = hostTroubleWarning({
    host: f.host,
    status: f.status,
    request: 'the manifest request',
    unverified: 'pull permission',
    evidence,
    reproduce: f.reproduce,
  });
  if (f.status !== 429) return trouble;
  return {
    ...trouble,
    likelyCauses: [...productAdvice(f.product.product, 'rate_limited', f).causes, ...(trouble.likelyCauses ?? [])],
  };
}

/** The decision table, in order: the first row that applies gives the verdict. */
const ROWS: Row[] = [
  servesTheManifest,
  answersWithSomethingElse,
  testImageMissing,
  credentialsExpired,
  anonymousGrantRefused,
  missingOrHidden,
  pullDenied,
  credentialsRejected,
];

/** The verdict on the facts; pure. */
export function judgePull(f: PullFacts): CheckOutcome {
  const c: PullCase = {
    f,
    evidence: evidenceOf(f),
    refused: `${f.status}${f.refusal?.code ? ` ${f.refusal.code}` : ''}`,
    said: registrySays(f.refusal?.message),
    anonymous: f.authMethod === 'anonymous',
    isRefusal: f.status === 401 || f.status === 403,
  };
  for (const row of ROWS) {
    const outcome = row(c);
    if (outcome) return outcome;
  }
  return hostTrouble(c);
}

export const runPullCheck: CheckDefinition['run'] = (ctx, signal) =>
  probeTarget(ctx, signal, async (target) => judgePull(await gatherPull(target)));
