// check.integration.oci.push — may the configured credential write to the push test repository?
// SPEC 4.4: open an upload session (`POST …/blobs/uploads/`, empty body) and cancel it at once
// with `DELETE <Location>`; nothing is ever committed. The token asks for `delete` too, because
// distribution refuses the cancel without it; a failed cancel is reported, the verdict stands.
// As with pull, distribution signals a missing push grant with 401 `insufficient_scope`.

import { readAuthenticate } from '../../../registry/challenge.js';
import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import { grantedActions, isSuccess, probeUpload, pushScope, rateLimitEvidence, registryError } from '../../../registry/operations.js';
import { headerValue } from '../../../net/http-client.js';
import { curlReproduction } from '../shared/curl.js';
import { probeTarget, type OciTarget } from './oci-context.js';
import { credentialSteps, numbered, setConfigSteps } from '../shared/remediation.js';

const PURGE_NOTE = 'the registry purges abandoned upload sessions on its own schedule (distribution: after 7 days by default)';

async function probePush(target: OciTarget): Promise<CheckOutcome> {
  const { session, settings } = target;
  const repo = settings.pushTestRepository.value;
  const credential = await session.credential();
  if (credential.method === 'anonymous') {
    return { severity: 'skip', diagnosis: `No credentials resolved (${credential.dockerConfig?.detail ?? 'none configured'}); push authorization is only checked with credentials.`, evidence: { repository: repo } };
  }
  const { post, cancel, cancelError } = await probeUpload(session, repo);
  const evidence: Evidence = {
    registry_url: session.baseUrl.origin,
    repository: repo,
    auth_method: credential.method,
    status_code: post.status,
    is_upload_cancelled: cancel !== null && isSuccess(cancel),
    cancel_status_code: cancel?.status ?? null,
    granted_actions: grantedActions(post),
    latency_ms: post.latencyMs,
    ...rateLimitEvidence(post),
  };
  const reproduce = await curlReproduction(target, {
    method: 'POST',
    path: `/v2/${repo}/blobs/uploads/`,
    scopes: [pushScope(repo)],
    headers: { 'Content-Length': '0' },
    description: 'Open an upload session the same way (then cancel it: curl -X DELETE on the Location it returns)',
  });

  if (post.status === 202 && headerValue(post, 'location') === null) {
    return {
      severity: 'warn',
      diagnosis: `${target.host} answered 202 to an upload on ${repo} but named no upload session (no Location header), which a registry always does: push permission could not be verified.`,
      evidence,
      likelyCauses: ['Something other than the registry answers at OCI:RegistryUrl (a catch-all proxy or a stub)', 'A proxy strips the Location header'],
      remediation: numbered(reproduce),
    };
  }
  if (post.status === 202) {
    const cancelled = evidence.is_upload_cancelled === true;
    const refusal = cancelError ?? `the cancel was refused (${cancel?.status}${cancel ? ` ${readAuthenticate(cancel).error ?? registryError(cancel.body).code ?? ''}` : ''})`;
    if (!cancelled) evidence.cancel_note = `${refusal}; ${PURGE_NOTE}`;
    return {
      severity: 'pass',
      diagnosis: `The credentials may push to ${repo} on ${target.host}: an upload session was opened${cancelled ? ' and cancelled at once' : `; it was not cancelled (${cancelError ?? 'no delete permission'}), ${PURGE_NOTE}`}. Nothing was written.`,
      evidence,
    };
  }
  const error = registryError(post.body);
  evidence.registry_error_code = error.code;
  evidence.challenge_error = readAuthenticate(post).error;
  const grants = Array.isArray(evidence.granted_actions) ? `; the token grants: ${evidence.granted_actions.join(' ') || 'nothing'}` : '';
  if (post.status === 403 || (post.status === 401 && evidence.challenge_error === 'insufficient_scope')) {
    return {
      severity: 'fail',
      diagnosis: `The credentials are valid but lack push permission on ${repo} (${post.status} ${error.code ?? evidence.challenge_error ?? ''}${grants}).`,
      evidence,
      likelyCauses: [`The account has read-only (pull) access to ${repo}`, 'The robot/service account was created without push rights', 'The repository is immutable or protected by a registry policy'],
      remediation: numbered(reproduce, [
        { environment: 'any', description: `Grant push (write) access on ${repo} to ${credential.username ?? 'the token\'s subject'} in the registry's access control, or point OCI:PushTestRepository at a repository the account may write`, safe: false },
      ], setConfigSteps('OCI:PushTestRepository', '<writable-repository>')),
    };
  }
  if (post.status === 401) {
    return {
      severity: 'fail',
      diagnosis: `${target.host} rejected the credentials when opening an upload on ${repo} (401${error.code ? ` ${error.code}` : ''}).`,
      evidence,
      likelyCauses: ['The credentials are wrong, expired or revoked'],
      remediation: numbered(reproduce, credentialSteps(session.baseUrl.origin, credential.username)),
    };
  }
  if (post.status === 404) {
    return {
      severity: 'warn',
      diagnosis: `${target.host} answered 404 to an upload on ${repo}: the repository does not exist and is not created on push.`,
      evidence,
      likelyCauses: ['The registry (Harbor, GitLab, ECR, Artifactory) needs the project/repository to exist before the first push', 'OCI:PushTestRepository is misspelled'],
      remediation: numbered(reproduce, setConfigSteps('OCI:PushTestRepository', '<existing-repository>')),
    };
  }
  return {
    severity: 'warn',
    diagnosis: `${target.host} answered ${post.status} to an upload on ${repo}; push permission could not be verified.`,
    evidence,
    likelyCauses: post.status === 429 ? ['Rate limit reached'] : ['The registry or its storage backend is unhealthy', 'The registry is in read-only mode'],
    remediation: numbered(reproduce),
  };
}

export const runPushCheck: CheckDefinition['run'] = (ctx, signal) => probeTarget(ctx, signal, probePush);
