// check.integration.oci.credentials — are the configured registry credentials accepted?
// SPEC 4.2 and the seed article: auth method from configuration, username without password (or
// the reverse) fails with no request, `GET /v2/` with the credentials, the Docker token exchange
// performed for Bearer registries, anonymous tokens, static JWT expiry, and credential safety.

import { curlCommand } from '../shared/curl-command.js';
import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import { readAuthenticate, realmUrl, type Challenge } from '../../../registry/challenge.js';
import type { ResolvedCredential } from '../../../registry/credentials.js';
import { rateLimitEvidence } from '../../../registry/operations.js';
import { decodeJwt, jwtExpiry } from '../../../registry/jwt.js';
import type { SessionResponse } from '../../../registry/session.js';
import type { TokenOutcome } from '../../../registry/token.js';
import { connectionFailure } from '../shared/connection-failure.js';
import { curlReproduction } from './curl-reproduction.js';
import { hostTroubleWarning } from '../shared/host-trouble.js';
import { probeTarget, type OciTarget } from './oci-context.js';
import { shellQuote } from '../../../util/shell.js';
import {
  credentialSteps,
  curlTlsOptions,
  numbered,
  probeStep,
  setConfigSteps,
  type Step,
} from '../shared/remediation.js';

export const TOKEN_WARN_DAYS = 7;
const DAY_MS = 86_400_000;

interface Probe {
  target: OciTarget;
  credential: ResolvedCredential;
  evidence: Evidence;
  now: Date;
  /** The anonymous /v2/ probe got 200: the registry checks no credentials there. */
  isRegistryOpen: boolean;
  /** curl commands that replay the check: the token request on Bearer registries, then `/v2/`. */
  reproduce: Step[];
}

/** The request of the probe replayed with curl: `/v2/` on the registry, with the run's TLS options. */
function curlV2(p: Probe, headers: Record<string, string> = {}): string {
  const { settings, session } = p.target;
  const tls = curlTlsOptions(session.baseUrl, settings.caCertificatePath?.value, settings.skipTlsVerify);
  return curlCommand(`${session.baseUrl.origin}/v2/`, { show: 'response', tls, headers });
}

function tokenSteps(p: Probe): Step[] {
  return [
    ...setConfigSteps('OCI:Token', '<token>'),
    {
      environment: 'kubernetes',
      description: 'Keep the token in a secret rather than in the Helm values',
      command:
        `kubectl create secret generic stellaops-registry-token --from-literal=token='<token>' --dry-run=client ` +
        `-o yaml | kubectl apply -f -\nhelm upgrade stellaops ./chart --reuse-values --set ` +
        `oci.existingTokenSecret=stellaops-registry-token`,
      safe: false,
    },
    probeStep('Check the new token before rolling it out', curlV2(p, { Authorization: 'Bearer <token>' })),
  ];
}

function fixCredentialSteps(p: Probe): Step[] {
  if (p.credential.method === 'bearer') return [...p.reproduce, ...tokenSteps(p)];
  return [...p.reproduce, ...credentialSteps(p.target.session.baseUrl.origin, p.credential.username)];
}

function outcome(
  p: Probe,
  severity: CheckOutcome['severity'],
  diagnosis: string,
  likelyCauses: string[] = [],
  steps: Step[] = [],
): CheckOutcome {
  return {
    severity,
    diagnosis,
    evidence: p.evidence,
    likelyCauses,
    remediation: steps.length > 0 ? numbered(steps) : [],
  };
}

/** A static bearer token that is a JWT: expired → fail, expiring within 7 days → warn (applied after the probe). */
function staticTokenExpiry(p: Probe): { expired: boolean; daysLeft: number; at: string } | undefined {
  if (p.credential.method !== 'bearer' || !p.credential.token) return undefined;
  const jwt = decodeJwt(p.credential.token);
  const exp = jwt ? jwtExpiry(jwt.payload) : undefined;
  if (!exp) return undefined;
  p.evidence.token_expires_at_utc = exp.toISOString();
  const msLeft = exp.getTime() - p.now.getTime();
  p.evidence.token_expires_in_seconds = Math.floor(msLeft / 1000);
  return { expired: msLeft <= 0, daysLeft: Math.floor(msLeft / DAY_MS), at: exp.toISOString() };
}

function recordToken(p: Probe, token: TokenOutcome): void {
  p.evidence.token_exchange = token.exchange;
  p.evidence.token_status_code = token.statusCode;
  if (token.exchange === 'ok') {
    p.evidence.token_expires_in_seconds = token.expiresInSeconds;
    p.evidence.token_expires_at_utc = token.expiresAtUtc;
    p.evidence.granted_actions = token.grantedActions;
    p.evidence.is_token_anonymous = token.isAnonymous;
    p.evidence.credentials_withheld_from = token.credentialsWithheldFrom;
  } else {
    p.evidence.token_error = token.message;
  }
}

function judgeStatus(p: Probe, res: SessionResponse): CheckOutcome {
  p.evidence.status_code = res.status;
  p.evidence.latency_ms = res.latencyMs;
  const method = p.credential.method;
  if (res.status === 200) {
    if (method === 'anonymous')
      return outcome(p, 'pass', 'The registry allows anonymous access; no credentials are configured.');
    if (p.isRegistryOpen) {
      // An open registry answers 200 to anyone: the credentials were not refused, but not checked either.
      return outcome(
        p,
        'pass',
        `${p.target.host} allows anonymous access, so it does not check credentials at /v2/; the configured ` +
          `ones were sent and not refused.`,
      );
    }
    p.evidence.credentials_valid = true;
    return outcome(
      p,
      'pass',
      `The ${method === 'bearer' ? 'bearer token' : `credentials of '${p.credential.username}'`} are accepted ` +
        `by ${p.target.host}.`,
    );
  }
  if (res.status === 401) {
    const challenge = readAuthenticate(res);
    p.evidence.credentials_valid = false;
    if (challenge.raw) p.evidence.auth_challenge = challenge.raw;
    const invalidToken = challenge.error === 'invalid_token';
    const expiry = staticTokenExpiry(p);
    if (method === 'anonymous') {
      return outcome(
        p,
        'fail',
        `${p.target.host} requires credentials and none are configured.`,
        [
          'OCI:Username/OCI:Password or OCI:Token are not set in this environment',
          'The secret that should provide them was not mounted',
        ],
        fixCredentialSteps(p),
      );
    }
    const when = invalidToken && expiry?.expired ? ` The token expired at ${expiry.at}.` : '';
    return outcome(
      p,
      'fail',
      `${p.target.host} rejected the ` +
        `${method === 'bearer' ? 'bearer token' : `credentials of '${p.credential.username}'`} ` +
        `(401${invalidToken ? ', invalid_token' : ''}).${when}`,
      [
        'The credentials are wrong or were rotated without updating the configuration',
        'The token was revoked or has expired',
        'The account was deleted or renamed',
      ],
      fixCredentialSteps(p),
    );
  }
  if (res.status === 403) {
    p.evidence.credentials_valid = false;
    return outcome(
      p,
      'fail',
      `${p.target.host} authenticated the request but refuses it (403 Forbidden): the account is not allowed ` +
        `to use the registry from here.`,
      [
        "This machine's IP address or network is not in the registry's allowlist",
        'The account is disabled or locked',
        'An organisation policy (SSO enforcement, MFA) blocks password logins',
      ],
      [
        ...p.reproduce,
        {
          environment: 'any',
          description:
            `Ask the administrators of ${p.target.host} to check the account status and the IP allowlist for ` +
            `this machine`,
          safe: true,
        },
      ],
    );
  }
  Object.assign(p.evidence, rateLimitEvidence(res));
  return hostTroubleWarning({
    host: p.target.host,
    status: res.status,
    request: 'an authenticated GET /v2/',
    unverified: 'the credentials',
    evidence: p.evidence,
    reproduce: p.reproduce,
  });
}

async function viaToken(p: Probe, bearer: Challenge): Promise<CheckOutcome> {
  const { session } = p.target;
  p.evidence.token_realm = bearer.params.realm ?? null;
  p.evidence.token_service = bearer.params.service ?? null;
  const realmHost = realmUrl(bearer)?.host ?? null;
  p.evidence.token_realm_host = realmHost;
  p.evidence.is_realm_cross_host = realmHost !== null && realmHost !== p.target.host;
  const token = (await session.token([]))!;
  recordToken(p, token);
  const anonymous = p.credential.method === 'anonymous';
  if (token.exchange === 'rejected') {
    p.evidence.credentials_valid = anonymous ? null : false;
    if (anonymous) {
      return outcome(
        p,
        'fail',
        `${p.target.host} requires credentials (its token service refuses anonymous tokens) and none are configured.`,
        ['OCI:Username/OCI:Password are not set in this environment'],
        fixCredentialSteps(p),
      );
    }
    return outcome(
      p,
      'fail',
      `The token service at ${realmHost} rejected the credentials of '${p.credential.username}' (${token.statusCode}).`,
      [
        'The password is wrong or was rotated without updating the configuration',
        'The account is locked, expired or lacks registry access',
        'A robot/service account name was mangled (a `$` eaten by the shell or compose interpolation)',
      ],
      fixCredentialSteps(p),
    );
  }
  if (token.exchange === 'unreachable') {
    return outcome(
      p,
      'warn',
      `The registry delegates authentication to ${realmHost}, but the token service could not be used ` +
        `(${token.message}); the credentials cannot be verified.`,
      [
        'The token service is down',
        `A firewall or proxy rule covers ${p.target.host} but not ${realmHost}`,
        'The token service answers with something that is not a Docker token response',
      ],
      [...p.reproduce, probeStep('Check the proxy decision for the token host', 'env | grep -i _proxy')],
    );
  }
  if (!anonymous && token.exchange === 'ok' && token.isAnonymous) {
    // The credentials never reached a token service: whatever the registry accepts next proves nothing about them.
    p.evidence.credentials_valid = false;
    return outcome(
      p,
      'fail',
      `The credentials of '${p.credential.username}' were not verified: the token service redirected the ` +
        `request to ${token.credentialsWithheldFrom}, another origin, so they were withheld, and the token ` +
        `issued is anonymous.`,
      [
        'The token realm sits behind a redirect to another host or scheme (a load balancer, an SSO front end, ' +
          'http→https)',
        "The registry's auth.token.realm names an outdated host",
      ],
      [
        ...p.reproduce,
        {
          environment: 'any',
          description:
            `Point the registry's token realm (auth.token.realm) at the URL that issues tokens itself, not at ` +
            `one that redirects to ${token.credentialsWithheldFrom}`,
          safe: false,
        },
      ],
    );
  }
  const res = await session.send('GET', '/v2/', { auth: true, signal: p.target.signal });
  if (res.status === 200 && anonymous) {
    p.evidence.status_code = res.status;
    p.evidence.latency_ms = res.latencyMs;
    return outcome(
      p,
      'info',
      `${p.target.host} needs token auth; anonymous tokens are issued; no credentials are configured, so only ` +
        `public content is reachable.`,
    );
  }
  if (res.status === 401) {
    const verdict = judgeStatus(p, res);
    verdict.diagnosis =
      `The token service issued a token, but ${p.target.host} does not accept it (401): the registry and its ` +
      `token service disagree (issuer, audience/service, signing certificate or clock).`;
    verdict.likelyCauses = [
      'The registry trusts a different token-signing certificate (rootcertbundle)',
      "The token's audience or issuer does not match the registry's auth.token.service/issuer",
      'Clock skew between the token service and the registry',
    ];
    return verdict;
  }
  return judgeStatus(p, res);
}

async function probeCredentials(target: OciTarget, now: Date): Promise<CheckOutcome> {
  const { session } = target;
  const credential = await session.credential();
  const p: Probe = {
    target,
    credential,
    now,
    isRegistryOpen: false,
    reproduce: [],
    evidence: {
      registry_url: session.baseUrl.origin,
      auth_method: credential.method,
      username: credential.username ?? null,
      credential_source: credential.source,
      credentials_valid: null,
      auth_challenge: null,
      token_realm: null,
      token_service: null,
      token_exchange: 'not_attempted',
      token_expires_in_seconds: null,
      status_code: null,
      latency_ms: null,
    },
  };
  if (credential.dockerConfig) {
    p.evidence.docker_config_status = credential.dockerConfig.status;
    p.evidence.docker_config_detail = credential.dockerConfig.detail;
    if (credential.dockerConfig.helper) p.evidence.credential_helper = credential.dockerConfig.helper;
    if (credential.dockerConfig.status === 'error') {
      const helper = credential.dockerConfig.helper;
      return outcome(
        p,
        'fail',
        `The docker config credential source failed: ${credential.dockerConfig.detail}`,
        helper
          ? [
              `${helper} is not installed or not on PATH for this service`,
              "The helper's backing store (keychain, pass, secret service) is locked or unavailable",
            ]
          : ['The docker config file is malformed or unreadable'],
        [
          probeStep(
            'Run the helper by hand the way docker does',
            helper
              ? `echo ${shellQuote(target.host)} | ${helper} get >/dev/null; echo "exit $?"`
              : `jq . "\${DOCKER_CONFIG:-$HOME/.docker}/config.json" >/dev/null`,
          ),
          {
            environment: 'any',
            description: `Log in again so docker stores a fresh credential`,
            command: `docker login ${target.host}`,
            safe: false,
          },
        ],
      );
    }
  }
  if (credential.problem) {
    p.evidence.credentials_valid = false;
    p.evidence.missing_key = credential.problem.missingKey;
    return outcome(
      p,
      'fail',
      credential.problem.diagnosis,
      [
        'A secret reference (vault, Kubernetes secret, .env entry) did not resolve',
        `${credential.problem.missingKey} was removed or renamed`,
      ],
      [
        ...setConfigSteps(
          credential.problem.missingKey,
          credential.problem.missingKey === 'OCI:Password' ? '<password>' : '<username>',
        ),
        ...credentialSteps(session.baseUrl.origin, credential.username).filter((s) => s.environment === 'kubernetes'),
      ],
    );
  }
  p.reproduce = await curlReproduction(target, {
    method: 'GET',
    path: '/v2/',
    scopes: [],
    description: 'Repeat the probe with the same credentials',
  });
  const expiry = staticTokenExpiry(p);
  if (expiry?.expired) {
    p.evidence.credentials_valid = false;
    return outcome(
      p,
      'fail',
      `The configured bearer token (${credential.source}) expired at ${expiry.at}.`,
      ['The token was issued with a short lifetime and never rotated', 'A token rotation job stopped running'],
      [...p.reproduce, ...tokenSteps(p)],
    );
  }

  const ping = await session.ping();
  if (ping.kind === 'error') return connectionFailure(target.connection, ping.error, ping.tls);
  p.isRegistryOpen = ping.response.status === 200;
  const challenges = await session.challenges();
  p.evidence.auth_challenge = challenges.raw;
  if (!challenges.ok) p.evidence.challenge_parse_error = challenges.reason;
  const bearer = await session.bearer();

  let verdict: CheckOutcome;
  if (ping.response.status === 200 && credential.method === 'anonymous') {
    verdict = judgeStatus(p, { ...ping.response, redirects: [], credentialsWithheldFrom: null });
  } else if (bearer && credential.method !== 'bearer') {
    verdict = await viaToken(p, bearer);
  } else if (ping.response.status === 401 && credential.method === 'anonymous') {
    verdict = judgeStatus(p, { ...ping.response, redirects: [], credentialsWithheldFrom: null });
  } else {
    verdict = judgeStatus(p, await session.send('GET', '/v2/', { auth: true, signal: target.signal }));
  }
  if (expiry && verdict.severity === 'pass' && expiry.daysLeft < TOKEN_WARN_DAYS) {
    return outcome(
      p,
      'warn',
      `The bearer token is accepted but expires in ${expiry.daysLeft} day(s), at ${expiry.at}.`,
      ['The token has a fixed lifetime and no rotation is scheduled'],
      tokenSteps(p),
    );
  }
  return verdict;
}

export const runCredentialsCheck: CheckDefinition['run'] = (ctx, signal) =>
  probeTarget(ctx, signal, (target) => probeCredentials(target, ctx.now()), { usesCredential: false });
