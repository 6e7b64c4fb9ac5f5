// check.integration.oci.push — may the configured credential write to the push test repository?
// SPEC 4.4: open an upload session (`POST …/blobs/uploads/`, empty body) and cancel it at once
// with `DELETE <Location>`; nothing is ever committed. The token asks for `delete` too, because
// distribution refuses the cancel without it; a failed cancel is reported, the verdict stands.
// As with pull, distribution signals a missing push grant with 401 `insufficient_scope`.
//
// Two parts: gatherPush asks the registry and returns plain facts; judgePush, pure and
// synchronous, turns the facts into the verdict, and the evidence is built from the facts.

import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import { headerValue } from '../../../net/http-client.js';
import { readAuthenticate } from '../../../registry/challenge.js';
import type { AuthMethod } from '../../../registry/credentials.js';
import { grantedActions, isSuccess, probeUpload, pushScope, rateLimitEvidence } from '../../../registry/operations.js';
import { productOf, type ProductRecognition } from '../../../registry/products.js';
import { readRegistryMessage, registrySays, saysExpired } from '../../../registry/registry-message.js';
import type { TokenOutcome } from '../../../registry/token.js';
import { curlReproduction } from './curl-reproduction.js';
import { advised } from './product-advice.js';
import { hostTroubleWarning } from '../shared/host-trouble.js';
import { credentialSteps, numbered, setConfigSteps, type Step } from '../shared/remediation.js';
import { probeTarget, type OciTarget } from './oci-context.js';

const PURGE_NOTE =
  'the registry purges abandoned upload sessions on its own schedule (distribution: after 7 days by default)';

export type CredentialProof = 'accepted' | 'rejected' | 'unproven';

/** What the token used for a request says about the credentials that asked for it. */
function proofOf(token: TokenOutcome | undefined): CredentialProof {
  if (token === undefined) return 'unproven';
  if (token.exchange === 'rejected') return 'rejected';
  if (token.exchange !== 'ok' || token.isAnonymous) return 'unproven';
  return token.isAnonymousGrant ? 'rejected' : 'accepted';
}

export interface PushFacts {
  host: string;
  registryUrl: string;
  repository: string;
  authMethod: AuthMethod;
  username: string | undefined;
  /** Why no credential could be used (docker config lookups), when the method is anonymous. */
  credentialNote: string | undefined;
  /** The registry product that answers. */
  product: ProductRecognition;
  /** The upload POST; absent when it was not sent (no credentials). */
  upload?: {
    status: number;
    latencyMs: number;
    hasLocation: boolean;
    grantedActions: string[] | null;
    rateLimit: Record<string, string>;
    errorCode: string | null;
    /** The registry's own message, one line. */
    message: string | null;
    challengeError: string | null;
    /**
     * What the token flow proved about the credentials: the token service accepted them (issued a
     * token with a subject), rejected them (refused, or an anonymous token), or nothing (no token flow).
     */
    credentialProof: CredentialProof;
  };
  /** The cancel of the session the POST opened: its status, or why it was not sent. */
  cancel?: { status: number | null; isCancelled: boolean; refusal: string | null; error: string | null };
  reproduce: Step[];
}

async function gatherPush(target: OciTarget): Promise<PushFacts> {
  const { session, settings } = target;
  const repository = settings.pushTestRepository.value;
  const credential = await session.credential();
  const base = {
    host: target.host,
    registryUrl: session.baseUrl.origin,
    repository,
    authMethod: credential.method,
    username: credential.username,
    credentialNote: credential.dockerConfig?.detail,
    product: await productOf(session),
    reproduce: [],
  };
  if (credential.method === 'anonymous') return base;
  const { post, cancel, cancelError } = await probeUpload(session, repository);
  const refusal = readRegistryMessage(post.body);
  return {
    ...base,
    upload: {
      status: post.status,
      latencyMs: post.latencyMs,
      hasLocation: headerValue(post, 'location') !== null,
      grantedActions: grantedActions(post),
      rateLimit: rateLimitEvidence(post),
      errorCode: refusal.code,
      message: post.status === 202 ? null : refusal.message,
      challengeError: readAuthenticate(post).error,
      credentialProof: proofOf(post.token),
    },
    cancel: {
      status: cancel?.status ?? null,
      isCancelled: cancel !== null && isSuccess(cancel),
      refusal: cancel ? (readAuthenticate(cancel).error ?? readRegistryMessage(cancel.body).code) : null,
      error: cancelError,
    },
    reproduce: await curlReproduction(target, {
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/`,
      scopes: [pushScope(repository)],
      headers: { 'Content-Length': '0' },
      description: 'Open an upload session the same way (then cancel it: curl -X DELETE on the Location it returns)',
    }),
  };
}

function evidenceOf(f: PushFacts): Evidence {
  if (!f.upload) return { repository: f.repository };
  const evidence: Evidence = {
    registry_url: f.registryUrl,
    repository: f.repository,
    auth_method: f.authMethod,
    status_code: f.upload.status,
    is_upload_cancelled: f.cancel?.isCancelled ?? false,
    cancel_status_code: f.cancel?.status ?? null,
    granted_actions: f.upload.grantedActions,
    latency_ms: f.upload.latencyMs,
    registry_product: f.product.product,
    ...f.upload.rateLimit,
  };
  if (f.upload.status !== 202)
    Object.assign(evidence, {
      registry_error_code: f.upload.errorCode,
      registry_error_message: f.upload.message,
      challenge_error: f.upload.challengeError,
      credential_proof: f.upload.credentialProof,
    });
  return evidence;
}

type Upload = NonNullable<PushFacts['upload']>;

/** What every row of the judge reads, worked out once from the facts (an upload was attempted). */
interface PushCase {
  f: PushFacts;
  upload: Upload;
  evidence: Evidence;
  /** `401 insufficient_scope`: the status and the registry's error code or the challenge's error. */
  refused: string;
  /** ` The registry says: "…".` when it said something, else ''. */
  said: string;
  isRefusal: boolean;
}

/** One row of the decision table: its verdict when it applies, else undefined. */
type Row = (c: PushCase) => CheckOutcome | undefined;

const noUploadSession: Row = ({ f, upload, evidence }) =>
  upload.status === 202 && !upload.hasLocation
    ? {
        severity: 'warn',
        diagnosis:
          `${f.host} answered 202 to an upload on ${f.repository} but named no upload session (no Location ` +
          `header), which a registry always does: push permission could not be verified.`,
        evidence,
        likelyCauses: [
          'Something other than the registry answers at OCI:RegistryUrl (a catch-all proxy or a stub)',
          'A proxy strips the Location header',
        ],
        remediation: numbered(f.reproduce),
      }
    : undefined;

const uploadOpened: Row = ({ f, upload, evidence }) => {
  if (upload.status !== 202) return undefined;
  const cancelled = f.cancel?.isCancelled === true;
  const refusedCancel = `the cancel was refused (${f.cancel?.status} ${f.cancel?.refusal ?? ''})`;
  return {
    severity: 'pass',
    diagnosis:
      `The credentials may push to ${f.repository} on ${f.host}: an upload session was opened` +
      (cancelled
        ? ' and cancelled at once'
        : `; it was not cancelled (${f.cancel?.error ?? 'no delete permission'}), ${PURGE_NOTE}`) +
      '. Nothing was written.',
    evidence: cancelled ? evidence : { ...evidence, cancel_note: `${f.cancel?.error ?? refusedCancel}; ${PURGE_NOTE}` },
  };
};

const credentialsExpired: Row = ({ f, upload, evidence, refused, said, isRefusal }) =>
  isRefusal && saysExpired(upload.message)
    ? advised(f, 'credentials_expired', {
        severity: 'fail',
        diagnosis:
          `${f.host} refused the upload on ${f.repository} because the credentials expired ` + `(${refused}).${said}`,
        evidence,
        likelyCauses: ['The credential has a fixed lifetime and was not refreshed in time'],
        remediation: numbered(f.reproduce, credentialSteps(f.registryUrl, f.username)),
      })
    : undefined;

/**
 * A 403, a 401 `insufficient_scope`, or a 401 after the token service accepted these very
 * credentials: Harbor and Quay answer a missing push grant so, without `insufficient_scope`.
 */
const pushDenied: Row = ({ f, upload, evidence, refused, said }) => {
  const isScopeRefusal =
    upload.status === 403 || (upload.status === 401 && upload.challengeError === 'insufficient_scope');
  const isRefusedAfterAcceptance =
    upload.status === 401 && upload.credentialProof === 'accepted' && upload.challengeError !== 'invalid_token';
  if (upload.credentialProof === 'rejected' || !(isScopeRefusal || isRefusedAfterAcceptance)) return undefined;
  const grants = upload.grantedActions ? `; the token grants: ${upload.grantedActions.join(' ') || 'nothing'}` : '';
  const proof = isScopeRefusal
    ? ''
    : '; the token service accepted the same credentials for this run, so the 401 refuses the push, not them';
  return advised(f, 'push_denied', {
    severity: 'fail',
    diagnosis:
      `The credentials are valid but lack push permission on ${f.repository} ` +
      `(${refused}${grants}${proof}).${said}`,
    evidence,
    likelyCauses: [
      `The account has read-only (pull) access to ${f.repository}`,
      'The robot/service account was created without push rights',
      'The repository is immutable or protected by a registry policy',
    ],
    remediation: numbered(
      f.reproduce,
      [
        {
          environment: 'any',
          description:
            `Grant push (write) access on ${f.repository} to ${f.username ?? "the token's subject"} in the ` +
            `registry's access control, or point OCI:PushTestRepository at a repository the account may write`,
          safe: false,
        },
      ],
      setConfigSteps('OCI:PushTestRepository', '<writable-repository>'),
    ),
  });
};

const credentialsRejected: Row = ({ f, evidence, refused, said, isRefusal }) =>
  isRefusal
    ? advised(f, 'credentials_rejected', {
        severity: 'fail',
        diagnosis: `${f.host} rejected the credentials when opening an upload on ${f.repository} (${refused}).${said}`,
        evidence,
        likelyCauses: ['The credentials are wrong, expired or revoked'],
        remediation: numbered(f.reproduce, credentialSteps(f.registryUrl, f.username)),
      })
    : undefined;

const pushRepositoryMissing: Row = ({ f, upload, evidence, said }) =>
  upload.status === 404
    ? advised(f, 'push_repository_missing', {
        severity: 'warn',
        diagnosis:
          `${f.host} answered 404 to an upload on ${f.repository}: the repository does not exist and is not ` +
          `created on push.${said}`,
        evidence,
        likelyCauses: [
          'The registry (Harbor, GitLab, ECR, Artifactory) needs the project/repository to exist before the first ' +
            'push',
          'OCI:PushTestRepository is misspelled',
        ],
        remediation: numbered(f.reproduce, setConfigSteps('OCI:PushTestRepository', '<existing-repository>')),
      })
    : undefined;

/** The decision table, in order: the first row that applies gives the verdict. */
const ROWS: Row[] = [
  noUploadSession,
  uploadOpened,
  credentialsExpired,
  pushDenied,
  credentialsRejected,
  pushRepositoryMissing,
];

/** The verdict on the facts; pure. */
export function judgePush(f: PushFacts): CheckOutcome {
  const evidence = evidenceOf(f);
  const { upload } = f;
  if (!upload) {
    return {
      severity: 'skip',
      diagnosis:
        `No credentials resolved (${f.credentialNote ?? 'none configured'}); push authorization is only checked ` +
        `with credentials.`,
      evidence,
    };
  }
  const c: PushCase = {
    f,
    upload,
    evidence,
    refused: [upload.status, upload.errorCode ?? upload.challengeError].filter(Boolean).join(' '),
    said: registrySays(upload.message),
    isRefusal: upload.status === 401 || upload.status === 403,
  };
  for (const row of ROWS) {
    const outcome = row(c);
    if (outcome) return outcome;
  }
  return hostTroubleWarning({
    host: f.host,
    status: upload.status,
    request: `an upload on ${f.repository}`,
    unverified: 'push permission',
    evidence,
    reproduce: f.reproduce,
    causes: ['The registry is in read-only mode'],
  });
}

export const runPushCheck: CheckDefinition['run'] = (ctx, signal) =>
  probeTarget(ctx, signal, async (target) => judgePush(await gatherPush(target)));
