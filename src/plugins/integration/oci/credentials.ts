// check.integration.oci.credentials — are the configured registry credentials accepted?
// SPEC 4.2 and the seed article: auth method from configuration, username without password (or
// the reverse) fails with no request, `GET /v2/` with the credentials, the Docker token exchange
// performed for Bearer registries, anonymous tokens, static JWT expiry, and credential safety.
//
// Two parts: gatherCredentials asks the registry (only as far as the credential is usable) and
// returns plain facts; judgeCredentials, pure and synchronous, turns them into the verdict, and the
// evidence is built from the facts.

import type { CheckDefinition, CheckOutcome, Evidence, Severity } from '../../../engine/types.js';
import { readAuthenticate, realmUrl } from '../../../registry/challenge.js';
import type { ResolvedCredential } from '../../../registry/credentials.js';
import { credentialExpiry, type CredentialExpiry } from '../../../registry/credential-expiry.js';
import { rateLimitEvidence } from '../../../registry/operations.js';
import { productOf, type ProductRecognition } from '../../../registry/products.js';
import { readRegistryMessage, registrySays, saysExpired } from '../../../registry/registry-message.js';
import type { SessionResponse } from '../../../registry/session.js';
import type { TokenOutcome } from '../../../registry/token.js';
import { shellQuote } from '../../../util/shell.js';
import { connectionFailure } from '../shared/connection-failure.js';
import { curlCommand } from '../shared/curl-command.js';
import { hostTroubleWarning } from '../shared/host-trouble.js';
import {
  credentialSteps,
  curlTlsOptions,
  numbered,
  probeStep,
  setConfigSteps,
  type Step,
} from '../shared/remediation.js';
import { curlReproduction } from './curl-reproduction.js';
import { probeTarget, type OciTarget } from './oci-context.js';
import { productAdvice, type Advice, type Situation } from './product-advice.js';

export const TOKEN_WARN_DAYS = 7;
const DAY_MS = 86_400_000;
/** Credentials that live less than a day are short-lived by design: they warn only with this share of life left. */
const SHORT_LIVED_WARN_SHARE = 0.2;

/** The answer of `GET /v2/` that decides, as the judge reads it. */
export interface V2Answer {
  status: number;
  latencyMs: number;
  /** The `WWW-Authenticate` header as sent, and its `error=` parameter. */
  challenge: string | null;
  challengeError: string | null;
  /** Retry-After and rate-limit headers. */
  rateLimit: Record<string, string>;
  /** The registry's own error message, one line. */
  message: string | null;
}

export interface CredentialsFacts {
  host: string;
  registryUrl: string;
  /** curl's TLS options for this registry, for the commands that replay `/v2/`. */
  curlTls: string;
  credential: Pick<ResolvedCredential, 'method' | 'username' | 'source' | 'problem' | 'dockerConfig'>;
  /** The expiry the configured credential carries in itself (a JWT bearer token, an ECR password). */
  expiry?: CredentialExpiry;
  /** The registry product that answers. */
  product: ProductRecognition;
  /** curl commands that replay the check: the token request on Bearer registries, then `/v2/`. */
  reproduce: Step[];
  /** The anonymous /v2/ probe got 200: the registry checks no credentials there. */
  isRegistryOpen: boolean;
  /** The registry's challenge to the anonymous probe, when it was asked. */
  challenge?: { raw: string | null; parseError?: string };
  /** The Docker token flow, when the registry delegates authentication to a token service. */
  tokenFlow?: { realm: string | null; service: string | null; realmHost: string | null; token: TokenOutcome };
  /** The answer that decides, when the check got that far. */
  answer?: V2Answer;
}

function v2Answer(res: Pick<SessionResponse, 'status' | 'latencyMs' | 'headers' | 'body'>): V2Answer {
  const challenge = readAuthenticate(res);
  return {
    status: res.status,
    latencyMs: res.latencyMs,
    challenge: challenge.raw,
    challengeError: challenge.error,
    rateLimit: rateLimitEvidence(res as SessionResponse),
    message: res.status >= 400 ? readRegistryMessage(res.body).message : null,
  };
}

function isUnusable(credential: CredentialsFacts['credential']): boolean {
  return credential.dockerConfig?.status === 'error' || credential.problem !== undefined;
}

/** A token flow whose outcome settles the verdict before `/v2/` is asked again. */
function isSettledByToken(token: TokenOutcome, anonymous: boolean): boolean {
  return (
    token.exchange === 'rejected' ||
    token.exchange === 'unreachable' ||
    (!anonymous && token.exchange === 'ok' && token.isAnonymous)
  );
}

async function gatherCredentials(target: OciTarget, now: Date): Promise<CredentialsFacts | { failure: CheckOutcome }> {
  const { session, settings } = target;
  const credential = await session.credential();
  const expiry = credentialExpiry(credential);
  const facts: CredentialsFacts = {
    host: target.host,
    registryUrl: session.baseUrl.origin,
    curlTls: curlTlsOptions(session.baseUrl, settings.caCertificatePath?.value, settings.skipTlsVerify),
    credential,
    ...(expiry ? { expiry } : {}),
    product: await productOf(session),
    reproduce: [],
    isRegistryOpen: false,
  };
  // An ECR authorization token is itself a sign of ECR where nothing else was asked yet.
  if (expiry?.kind === 'ECR password' && facts.product.product === 'unknown')
    facts.product = { product: 'ecr', evidence: 'the password is an ECR authorization token' };
  if (isUnusable(credential)) return facts;
  facts.reproduce = await curlReproduction(target, {
    method: 'GET',
    path: '/v2/',
    scopes: [],
    description: 'Repeat the probe with the same credentials',
  });
  if (expiry && expiry.at.getTime() <= now.getTime()) return facts;

  const ping = await session.ping();
  if (ping.kind === 'error') return { failure: connectionFailure(target.connection, ping.error, ping.tls) };
  facts.product = await productOf(session);
  facts.isRegistryOpen = ping.response.status === 200;
  const challenges = await session.challenges();
  facts.challenge = { raw: challenges.raw, ...(challenges.ok ? {} : { parseError: challenges.reason }) };
  const bearer = await session.bearer();
  const anonymous = credential.method === 'anonymous';
  const send = async (): Promise<V2Answer> =>
    v2Answer(await session.send('GET', '/v2/', { auth: true, signal: target.signal }));

  if (ping.response.status === 200 && anonymous) {
    facts.answer = v2Answer(ping.response);
  } else if (bearer && credential.method !== 'bearer') {
    const realm = realmUrl(bearer);
    const token = (await session.token([]))!;
    facts.tokenFlow = {
      realm: bearer.params.realm ?? null,
      service: bearer.params.service ?? null,
      realmHost: realm?.host ?? null,
      token,
    };
    if (!isSettledByToken(token, anonymous)) facts.answer = await send();
  } else if (ping.response.status === 401 && anonymous) {
    facts.answer = v2Answer(ping.response);
  } else {
    facts.answer = await send();
  }
  return facts;
}

function tokenEvidence(flow: NonNullable<CredentialsFacts['tokenFlow']>, host: string): Evidence {
  const { token } = flow;
  return {
    token_realm: flow.realm,
    token_service: flow.service,
    token_realm_host: flow.realmHost,
    is_realm_cross_host: flow.realmHost !== null && flow.realmHost !== host,
    token_exchange: token.exchange,
    token_status_code: token.statusCode,
    ...(token.exchange === 'ok'
      ? {
          token_expires_in_seconds: token.expiresInSeconds,
          token_expires_at_utc: token.expiresAtUtc,
          granted_actions: token.grantedActions,
          is_token_anonymous: token.isAnonymous,
          credentials_withheld_from: token.credentialsWithheldFrom,
        }
      : { token_error: token.message }),
  };
}

function answerEvidence(answer: V2Answer): Evidence {
  return {
    status_code: answer.status,
    latency_ms: answer.latencyMs,
    ...(answer.status === 401 && answer.challenge ? { auth_challenge: answer.challenge } : {}),
    ...(answer.message !== null ? { registry_error_message: answer.message } : {}),
    ...([200, 401, 403].includes(answer.status) ? {} : answer.rateLimit),
  };
}

function evidenceOf(f: CredentialsFacts, now: Date, credentialsValid: boolean | null): Evidence {
  const { credential } = f;
  const docker = credential.dockerConfig;
  const expiry = f.expiry;
  const expiryKey = expiry?.kind === 'ECR password' ? 'password' : 'token';
  return {
    registry_url: f.registryUrl,
    auth_method: credential.method,
    username: credential.username ?? null,
    credential_source: credential.source,
    credentials_valid: credentialsValid,
    auth_challenge: f.challenge?.raw ?? null,
    token_realm: null,
    token_service: null,
    token_exchange: 'not_attempted',
    token_expires_in_seconds: null,
    status_code: null,
    latency_ms: null,
    ...(docker
      ? {
          docker_config_status: docker.status,
          docker_config_detail: docker.detail,
          ...(docker.helper ? { credential_helper: docker.helper } : {}),
        }
      : {}),
    ...(credential.problem ? { missing_key: credential.problem.missingKey } : {}),
    registry_product: f.product.product,
    registry_product_evidence: f.product.evidence,
    ...(expiry && !isUnusable(credential)
      ? {
          [`${expiryKey}_expires_at_utc`]: expiry.at.toISOString(),
          [`${expiryKey}_expires_in_seconds`]: Math.floor((expiry.at.getTime() - now.getTime()) / 1000),
        }
      : {}),
    ...(f.challenge?.parseError ? { challenge_parse_error: f.challenge.parseError } : {}),
    ...(f.tokenFlow ? tokenEvidence(f.tokenFlow, f.host) : {}),
    ...(f.answer ? answerEvidence(f.answer) : {}),
  };
}

/** Everything a verdict says but its evidence: the judge's rows return this. */
interface Finding {
  severity: Severity;
  credentialsValid: boolean | null;
  diagnosis: string;
  likelyCauses?: string[];
  steps?: Step[];
}

function curlV2(f: CredentialsFacts, headers: Record<string, string> = {}): string {
  return curlCommand(`${f.registryUrl}/v2/`, { show: 'response', tls: f.curlTls, headers });
}

function tokenSteps(f: CredentialsFacts): Step[] {
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
    probeStep('Check the new token before rolling it out', curlV2(f, { Authorization: 'Bearer <token>' })),
  ];
}

function fixCredentialSteps(f: CredentialsFacts): Step[] {
  if (f.credential.method === 'bearer') return [...f.reproduce, ...tokenSteps(f)];
  return [...f.reproduce, ...credentialSteps(f.registryUrl, f.credential.username)];
}

/** The registry product's own causes and steps for a situation of this check. */
function adviceFor(f: CredentialsFacts, situation: Situation): Advice {
  return productAdvice(f.product.product, situation, {
    host: f.host,
    repository: '<repository>',
    username: f.credential.username,
  });
}

/** The finding with the registry product's own causes first and its own steps before the generic ones. */
function withAdvice(f: CredentialsFacts, situation: Situation, finding: Finding): Finding {
  const advice = adviceFor(f, situation);
  return {
    ...finding,
    likelyCauses: [...advice.causes, ...(finding.likelyCauses ?? [])],
    steps: [...advice.steps, ...(finding.steps ?? [])],
  };
}

/** Who was judged, for sentences: `bearer token` or `credentials of 'ci'`. */
function whose(f: CredentialsFacts): string {
  return f.credential.method === 'bearer' ? 'bearer token' : `credentials of '${f.credential.username}'`;
}

function dockerConfigFailure(f: CredentialsFacts): Finding {
  const docker = f.credential.dockerConfig!;
  const helper = docker.helper;
  return {
    severity: 'fail',
    credentialsValid: null,
    diagnosis: `The docker config credential source failed: ${docker.detail}`,
    likelyCauses: helper
      ? [
          `${helper} is not installed or not on PATH for this service`,
          "The helper's backing store (keychain, pass, secret service) is locked or unavailable",
        ]
      : ['The docker config file is malformed or unreadable'],
    steps: [
      probeStep(
        'Run the helper by hand the way docker does',
        helper
          ? `echo ${shellQuote(f.host)} | ${helper} get >/dev/null; echo "exit $?"`
          : `jq . "\${DOCKER_CONFIG:-$HOME/.docker}/config.json" >/dev/null`,
      ),
      {
        environment: 'any',
        description: `Log in again so docker stores a fresh credential`,
        command: `docker login ${f.host}`,
        safe: false,
      },
    ],
  };
}

function missingPartFailure(f: CredentialsFacts): Finding {
  const problem = f.credential.problem!;
  return {
    severity: 'fail',
    credentialsValid: false,
    diagnosis: problem.diagnosis,
    likelyCauses: [
      'A secret reference (vault, Kubernetes secret, .env entry) did not resolve',
      `${problem.missingKey} was removed or renamed`,
    ],
    steps: [
      ...setConfigSteps(problem.missingKey, problem.missingKey === 'OCI:Password' ? '<password>' : '<username>'),
      ...credentialSteps(f.registryUrl, f.credential.username).filter((s) => s.environment === 'kubernetes'),
    ],
  };
}

/** What the token rows read: the facts and the token flow they are about. */
interface TokenCase {
  f: CredentialsFacts;
  token: TokenOutcome;
  realmHost: string | null;
  anonymous: boolean;
}

/** One row of the token flow's decision table: its finding when it applies, else undefined. */
type TokenRow = (c: TokenCase) => Finding | undefined;

const anonymousRefused: TokenRow = ({ f, token, anonymous }) =>
  token.exchange === 'rejected' && anonymous
    ? {
        severity: 'fail',
        credentialsValid: null,
        diagnosis:
          `${f.host} requires credentials (its token service refuses anonymous tokens) and none are ` + 'configured.',
        likelyCauses: ['OCI:Username/OCI:Password are not set in this environment'],
        steps: fixCredentialSteps(f),
      }
    : undefined;

/** Rejected outright, or (Harbor) answered with an anonymous token that /v2/ then refuses. */
const credentialsRejected: TokenRow = ({ f, token, realmHost, anonymous }) => {
  const isAnonymousAnswer = !anonymous && token.exchange === 'ok' && token.isAnonymousGrant && f.answer?.status === 401;
  if (token.exchange !== 'rejected' && !isAnonymousAnswer) return undefined;
  return withAdvice(f, 'credentials_rejected', {
    severity: 'fail',
    credentialsValid: false,
    diagnosis:
      token.exchange === 'rejected'
        ? `The token service at ${realmHost} rejected the ${whose(f)} (${token.statusCode}).`
        : `The token service at ${realmHost} answered the ${whose(f)} with an anonymous token (no subject, ` +
          `nothing of the requested access granted): it did not accept them.`,
    likelyCauses: [
      'The password is wrong or was rotated without updating the configuration',
      'The account is locked, expired or lacks registry access',
      'A robot/service account name was mangled (a `$` eaten by the shell or compose interpolation)',
    ],
    steps: fixCredentialSteps(f),
  });
};

const tokenServiceUnusable: TokenRow = ({ f, token, realmHost }) =>
  token.exchange === 'unreachable'
    ? {
        severity: 'warn',
        credentialsValid: null,
        diagnosis:
          `The registry delegates authentication to ${realmHost}, but the token service could not be used ` +
          `(${token.message}); the credentials cannot be verified.`,
        likelyCauses: [
          'The token service is down',
          `A firewall or proxy rule covers ${f.host} but not ${realmHost}`,
          'The token service answers with something that is not a Docker token response',
        ],
        steps: [...f.reproduce, probeStep('Check the proxy decision for the token host', 'env | grep -i _proxy')],
      }
    : undefined;

/** The credentials never reached a token service: whatever the registry accepts next proves nothing. */
const credentialsWithheld: TokenRow = ({ f, token, anonymous }) =>
  !anonymous && token.exchange === 'ok' && token.isAnonymous
    ? {
        severity: 'fail',
        credentialsValid: false,
        diagnosis:
          `The ${whose(f)} were not verified: the token service redirected the request to ` +
          `${token.credentialsWithheldFrom}, another origin, so they were withheld, and the token issued is ` +
          `anonymous.`,
        likelyCauses: [
          'The token realm sits behind a redirect to another host or scheme (a load balancer, an SSO front end, ' +
            'http→https)',
          "The registry's auth.token.realm names an outdated host",
        ],
        steps: [
          ...f.reproduce,
          {
            environment: 'any',
            description:
              `Point the registry's token realm (auth.token.realm) at the URL that issues tokens itself, not at ` +
              `one that redirects to ${token.credentialsWithheldFrom}`,
            safe: false,
          },
        ],
      }
    : undefined;

const anonymousTokensOnly: TokenRow = ({ f, anonymous }) =>
  f.answer?.status === 200 && anonymous
    ? {
        severity: 'info',
        credentialsValid: null,
        diagnosis:
          `${f.host} needs token auth; anonymous tokens are issued; no credentials are configured, so only ` +
          `public content is reachable.`,
      }
    : undefined;

const tokenNotAccepted: TokenRow = ({ f }) =>
  f.answer?.status === 401
    ? {
        severity: 'fail',
        credentialsValid: false,
        diagnosis:
          `The token service issued a token, but ${f.host} does not accept it (401): the registry and its ` +
          `token service disagree (issuer, audience/service, signing certificate or clock).`,
        likelyCauses: [
          'The registry trusts a different token-signing certificate (rootcertbundle)',
          "The token's audience or issuer does not match the registry's auth.token.service/issuer",
          'Clock skew between the token service and the registry',
        ],
        steps: fixCredentialSteps(f),
      }
    : undefined;

/** The token flow's decision table, in order: the first row that applies gives the finding. */
const TOKEN_ROWS: TokenRow[] = [
  anonymousRefused,
  credentialsRejected,
  tokenServiceUnusable,
  credentialsWithheld,
  anonymousTokensOnly,
  tokenNotAccepted,
];

/** A refusal by the token service, a token service that cannot be used, or an anonymous token issued instead. */
function tokenFinding(f: CredentialsFacts): Finding | undefined {
  const flow = f.tokenFlow;
  if (!flow) return undefined;
  const c: TokenCase = {
    f,
    token: flow.token,
    realmHost: flow.realmHost,
    anonymous: f.credential.method === 'anonymous',
  };
  for (const row of TOKEN_ROWS) {
    const finding = row(c);
    if (finding) return finding;
  }
  return undefined;
}

/** `/v2/` answered 200: accepted, or not checked at all on a registry open to anyone. */
function acceptedFinding(f: CredentialsFacts): Finding {
  if (f.credential.method === 'anonymous')
    return {
      severity: 'pass',
      credentialsValid: null,
      diagnosis: 'The registry allows anonymous access; no credentials are configured.',
    };
  if (f.isRegistryOpen) {
    // An open registry answers 200 to anyone: the credentials were not refused, but not checked either.
    return {
      severity: 'pass',
      credentialsValid: null,
      diagnosis:
        `${f.host} allows anonymous access, so it does not check credentials at /v2/; the configured ` +
        `ones were sent and not refused.`,
    };
  }
  return { severity: 'pass', credentialsValid: true, diagnosis: `The ${whose(f)} are accepted by ${f.host}.` };
}

/** `/v2/` answered 403: authenticated, but refused from here. */
function forbiddenFinding(f: CredentialsFacts, answer: V2Answer): Finding {
  return withAdvice(f, 'network_forbidden', {
    severity: 'fail',
    credentialsValid: false,
    diagnosis:
      `${f.host} authenticated the request but refuses it (403 Forbidden): the account is not allowed ` +
      `to use the registry from here.${registrySays(answer.message)}`,
    likelyCauses: [
      "This machine's IP address or network is not in the registry's allowlist",
      'The account is disabled or locked',
      'An organisation policy (SSO enforcement, MFA) blocks password logins',
    ],
    steps: [
      ...f.reproduce,
      {
        environment: 'any',
        description:
          `Ask the administrators of ${f.host} to check the account status and the IP allowlist for ` + 'this machine',
        safe: true,
      },
    ],
  });
}

/** The verdict on the answer of `/v2/` with the credentials. */
function answerFinding(f: CredentialsFacts, answer: V2Answer, now: Date): Finding | 'host-trouble' {
  if (answer.status === 200) return acceptedFinding(f);
  if (answer.status === 401 && f.credential.method === 'anonymous') {
    return {
      severity: 'fail',
      credentialsValid: false,
      diagnosis: `${f.host} requires credentials and none are configured.`,
      likelyCauses: [
        'OCI:Username/OCI:Password or OCI:Token are not set in this environment',
        'The secret that should provide them was not mounted',
      ],
      steps: fixCredentialSteps(f),
    };
  }
  if ((answer.status === 401 || answer.status === 403) && saysExpired(answer.message)) {
    return withAdvice(f, 'credentials_expired', {
      severity: 'fail',
      credentialsValid: false,
      diagnosis:
        `${f.host} refused the ${whose(f)} because they expired (${answer.status}).` + registrySays(answer.message),
      likelyCauses: ['The credential has a fixed lifetime and was not refreshed in time'],
      steps: fixCredentialSteps(f),
    });
  }
  if (answer.status === 401) {
    const invalidToken = answer.challengeError === 'invalid_token';
    const expiresAt = f.expiry?.at;
    const when =
      invalidToken && expiresAt && expiresAt.getTime() <= now.getTime()
        ? ` The token expired at ${expiresAt.toISOString()}.`
        : '';
    return withAdvice(f, 'credentials_rejected', {
      severity: 'fail',
      credentialsValid: false,
      diagnosis:
        `${f.host} rejected the ${whose(f)} (401${invalidToken ? ', invalid_token' : ''}).${when}` +
        registrySays(answer.message),
      likelyCauses: [
        'The credentials are wrong or were rotated without updating the configuration',
        'The token was revoked or has expired',
        'The account was deleted or renamed',
      ],
      steps: fixCredentialSteps(f),
    });
  }
  if (answer.status === 403) return forbiddenFinding(f, answer);
  return 'host-trouble';
}

interface ExpiryState {
  expired: boolean;
  /** Soon enough to warn: within TOKEN_WARN_DAYS, or for a credential short-lived by design, its last 20 %. */
  isDue: boolean;
  left: string;
  at: string;
}

/** `3 day(s)`, or hours and minutes under a day. */
function duration(ms: number): string {
  if (ms >= DAY_MS) return `${Math.floor(ms / DAY_MS)} day(s)`;
  const minutes = Math.floor(ms / 60_000);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The configured credential's own expiry: expired, or whether it is due to warn. */
function expiryState(f: CredentialsFacts, now: Date): ExpiryState | undefined {
  const expiry = f.expiry;
  if (!expiry) return undefined;
  const msLeft = expiry.at.getTime() - now.getTime();
  const isShortLived = expiry.lifetimeMs !== null && expiry.lifetimeMs < DAY_MS;
  const isDue = isShortLived
    ? msLeft < expiry.lifetimeMs! * SHORT_LIVED_WARN_SHARE
    : Math.floor(msLeft / DAY_MS) < TOKEN_WARN_DAYS;
  return { expired: msLeft <= 0, isDue, left: duration(Math.max(0, msLeft)), at: expiry.at.toISOString() };
}

/** The steps that replace an expiring credential: a new token, or the product's own refresh. */
function renewSteps(f: CredentialsFacts): Step[] {
  return f.expiry?.kind === 'bearer token' ? tokenSteps(f) : adviceFor(f, 'credentials_expired').steps;
}

function decide(f: CredentialsFacts, now: Date): Finding | 'host-trouble' {
  if (f.credential.dockerConfig?.status === 'error') return dockerConfigFailure(f);
  if (f.credential.problem) return missingPartFailure(f);
  const expiry = expiryState(f, now);
  const kind = f.expiry?.kind;
  if (expiry?.expired) {
    return withAdvice(f, 'credentials_expired', {
      severity: 'fail',
      credentialsValid: false,
      diagnosis: `The configured ${kind} (${f.credential.source}) expired at ${expiry.at}.`,
      likelyCauses: [
        `The ${kind} was issued with a short lifetime and never rotated`,
        'A rotation job stopped running',
      ],
      steps: [...f.reproduce, ...(kind === 'bearer token' ? tokenSteps(f) : [])],
    });
  }
  const finding = tokenFinding(f) ?? answerFinding(f, f.answer!, now);
  if (finding !== 'host-trouble' && finding.severity === 'pass' && expiry?.isDue) {
    return {
      severity: 'warn',
      credentialsValid: finding.credentialsValid,
      diagnosis: `The ${kind} is accepted but expires in ${expiry.left}, at ${expiry.at}.`,
      likelyCauses: [
        f.expiry!.lifetimeMs !== null && f.expiry!.lifetimeMs < DAY_MS
          ? `Less than 20 % of the ${kind}'s life is left: the job that refreshes it is not keeping up`
          : `The ${kind} has a fixed lifetime and no rotation is scheduled`,
      ],
      steps: renewSteps(f),
    };
  }
  return finding;
}

/** The verdict on the facts; pure. */
export function judgeCredentials(f: CredentialsFacts, now: Date): CheckOutcome {
  const finding = decide(f, now);
  if (finding === 'host-trouble') {
    const answer = f.answer!;
    return hostTroubleWarning({
      host: f.host,
      status: answer.status,
      request: 'an authenticated GET /v2/',
      unverified: 'the credentials',
      evidence: evidenceOf(f, now, null),
      reproduce: f.reproduce,
    });
  }
  return {
    severity: finding.severity,
    diagnosis: finding.diagnosis,
    evidence: evidenceOf(f, now, finding.credentialsValid),
    likelyCauses: finding.likelyCauses ?? [],
    remediation: numbered(finding.steps ?? []),
  };
}

export const runCredentialsCheck: CheckDefinition['run'] = (ctx, signal) =>
  probeTarget(
    ctx,
    signal,
    async (target) => {
      const now = ctx.now();
      const gathered = await gatherCredentials(target, now);
      return 'failure' in gathered ? gathered.failure : judgeCredentials(gathered, now);
    },
    { usesCredential: false },
  );
