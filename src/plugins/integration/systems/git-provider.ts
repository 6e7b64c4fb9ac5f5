// check.integration.git — can the platform reach its Git provider, and does its token work?
// SPEC 10.1: the provider is configured (Git:Provider), known by its host (github.com → the API at
// api.github.com) or detected by asking each product's own version resource in turn, stopping at
// the first answer that is that product's. Reachable (2xx, 401, 403) and authenticated are
// separate findings: with a token the provider is asked who it belongs to, and its scopes, expiry
// and rate limit are read where the product tells them.
//
// Two parts: gatherGit asks the provider (through the lazily loaded http-probe) and returns plain
// facts; judgeGit, pure and synchronous, turns the facts into the verdict.

import type { CheckOutcome, Evidence, Severity } from '../../../engine/types.js';
import { worstSeverity } from '../../../engine/severity.js';
import { basicAuthorization } from '../../../net/basic-auth.js';
import { registerCredentialPair } from '../../../util/redact.js';
import { curlCommand, type CurlOptions } from '../shared/curl-command.js';
import { ARTICLES, integrationCheck } from '../shared/define.js';
import { hostTroubleWarning } from '../shared/host-trouble.js';
import type { Answer, SystemClient, SystemKind } from '../shared/http-probe.js';
import { pathBelow, readSystem, type HttpSystem, type SectionKeys } from '../shared/http-system.js';
import {
  fromWherePlatformRuns,
  numbered,
  probeStep,
  setConfigSteps,
  type PlatformView,
  type Step,
} from '../shared/remediation.js';

/** Git:Url, Git:Provider, Git:Token, Git:RequiredScopes and the TLS keys (CaCertificatePath, SkipTlsVerify, …). */
export const GIT_KEYS: SectionKeys = {
  section: 'Git',
  urlFallbacks: ['Scm:Url', 'GitHub:Url', 'GitLab:Url', 'Gitea:Url'],
  tokenFallbacks: ['GitHub:Token', 'GitLab:Token', 'Gitea:Token'],
  more: { RequiredScopes: [] },
};

const KIND: Omit<SystemKind, 'probePath'> = {
  noun: 'Git provider',
  slug: 'git',
  urlEvidence: 'git_url',
  serviceNames: { systemd: 'git-server', compose: 'git' },
};

const EXPIRY_WARNING_DAYS = 14;
const RATE_LIMIT_WARNING = 0.1;

export type Provider = 'github' | 'gitlab' | 'gitea' | 'bitbucket' | 'azuredevops';

/** What a product answers and how it takes a token; `root` is GitHub Enterprise's `api/v3/`, else ''. */
interface ProviderApi {
  label: string;
  probe: (root: string) => string;
  /** Whether an answer to the probe is this product's own (its error bodies count). */
  isOwn: (a: Answer) => boolean;
  /** The version in the probe's answer; by default `version` of a 2xx JSON body. */
  version?: (a: Answer) => string | null;
  /** The request that says whom the token belongs to (the probe when absent), and where it says so. */
  whoami?: (root: string) => string;
  login: (a: Answer) => string | null;
  credential: (token: string) => Record<string, string>;
  /** Where a person makes a new token. */
  tokenPage: (origin: string) => string;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const ok = (a: { status: number }): boolean => a.status >= 200 && a.status < 300;

export const PROVIDERS: Record<Provider, ProviderApi> = {
  gitlab: {
    label: 'GitLab',
    probe: () => 'api/v4/version',
    // GitLab answers /version to authenticated users only: its 401 body still names it.
    isOwn: (a) => (ok(a) && !!str(a.json?.revision)) || a.json?.message === '401 Unauthorized',
    whoami: () => 'api/v4/user',
    login: (a) => str(a.json?.username),
    credential: (token) => ({ 'PRIVATE-TOKEN': token }),
    tokenPage: (origin) => `${origin}/-/user_settings/personal_access_tokens`,
  },
  gitea: {
    label: 'Gitea/Forgejo',
    probe: () => 'api/v1/version',
    isOwn: (a) => (ok(a) && !!str(a.json?.version)) || /\/api\/swagger$/.test(str(a.json?.url) ?? ''),
    whoami: () => 'api/v1/user',
    login: (a) => str(a.json?.login),
    credential: (token) => ({ Authorization: `token ${token}` }),
    tokenPage: (origin) => `${origin}/user/settings/applications`,
  },
  bitbucket: {
    label: 'Bitbucket Data Center',
    probe: () => 'rest/api/1.0/application-properties',
    isOwn: (a) => ok(a) && !!str(a.json?.displayName) && !!str(a.json?.buildNumber),
    // No "who am I" resource: Bitbucket names the authenticated user in X-AUSERNAME on every answer.
    login: (a) => a.header('x-ausername'),
    credential: (token) => ({ Authorization: `Bearer ${token}` }),
    tokenPage: () => 'Manage account → HTTP access tokens',
  },
  azuredevops: {
    label: 'Azure DevOps',
    probe: () => '_apis/connectionData',
    isOwn: (a) => (ok(a) && !!str(a.json?.instanceId)) || (a.status === 401 && a.header('x-tfs-processid') !== null),
    login: (a) => str((a.json?.authenticatedUser as Record<string, unknown> | undefined)?.providerDisplayName),
    credential: (token) => ({ Authorization: basicAuthorization('', token) }),
    tokenPage: (origin) => `${origin}/_usersSettings/tokens`,
  },
  github: {
    label: 'GitHub',
    probe: (root) => `${root}meta`,
    isOwn: (a) =>
      (ok(a) && a.json !== undefined && 'verifiable_password_authentication' in a.json) ||
      /docs\.github\.com/.test(str(a.json?.documentation_url) ?? ''),
    version: (a) => str(a.json?.installed_version) ?? a.header('x-github-enterprise-version'),
    whoami: (root) => `${root}user`,
    login: (a) => str(a.json?.login),
    credential: (token) => ({ Authorization: `Bearer ${token}` }),
    tokenPage: (origin) => `${origin.replace('//api.github.com', '//github.com')}/settings/tokens`,
  },
};

/** The credential of a curl command, the token as a placeholder (Azure DevOps: the password of Basic). */
function curlCredential(provider: Provider): Pick<CurlOptions, 'headers' | 'basicUser'> {
  return provider === 'azuredevops' ? { basicUser: '' } : { headers: PROVIDERS[provider].credential('<token>') };
}

/** The order in which an unknown provider is probed (SPEC 10.1). */
const DETECTION_ORDER: Provider[] = ['gitlab', 'gitea', 'bitbucket', 'azuredevops', 'github'];

export interface Target {
  /** The API base the requests go to: the configured URL, or https://api.github.com for github.com. */
  url: URL;
  provider: Provider | null;
  providerSource: 'configured' | 'host' | null;
}

/** Where the check asks, and which provider it already knows; github.com is known by its host. */
export function targetOf(system: Pick<HttpSystem, 'url' | 'type'>): Target {
  const configured = system.type as Provider | undefined;
  if (system.url.hostname === 'github.com' || system.url.hostname === 'api.github.com') {
    return {
      url: new URL('https://api.github.com'),
      provider: 'github',
      providerSource: configured ? 'configured' : 'host',
    };
  }
  return { url: system.url, provider: configured ?? null, providerSource: configured ? 'configured' : null };
}

/** GitHub Enterprise serves its REST API under /api/v3; api.github.com at its root. */
export function githubRoot(url: URL): string {
  return url.hostname === 'api.github.com' || /\/api\/v3\/?$/.test(url.pathname) ? '' : 'api/v3/';
}

export interface ProbeFact {
  url: string;
  status: number;
  latencyMs: number;
  isOwn: boolean;
}

export interface AuthFacts {
  url: string;
  status: number;
  login: string | null;
  /** The token's scopes where the product tells them (GitHub classic tokens, GitLab); null otherwise. */
  scopes: string[] | null;
  expiresUtc: string | null;
  rateLimit: { remaining: number; limit: number } | null;
  /** The provider's own words on a refusal (GitLab's error_description, GitHub's message). */
  reason: string | null;
}

export interface GitFacts {
  gitUrl: string;
  /** The key the URL came from (`Git:Url`, `GitLab:Url` …). */
  urlKey: string;
  provider: Provider | null;
  providerSource: Target['providerSource'] | 'detected';
  providerVersion: string | null;
  /** The unauthenticated probes in order; the last one is the answer judged for reachability. */
  probes: ProbeFact[];
  /** The key the token came from; undefined when none is configured. */
  tokenKey?: string;
  requiredScopes: string[];
  /** The authenticated request; absent without a token or when the provider was not reached. */
  auth?: AuthFacts;
  view: PlatformView;
}

/** `2026-12-10 12:00:00 UTC` (GitHub), `2026-12-10` (GitLab, midnight UTC) → ISO-8601; null when unreadable. */
export function parseExpiry(value: string | null): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}))?\s*(UTC|Z|[+-]\d{2}:?\d{2})?$/.exec(value?.trim() ?? '');
  if (!m) return null;
  const zone = !m[3] || m[3] === 'UTC' || m[3] === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const time = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function rateLimitOf(a: Answer): AuthFacts['rateLimit'] {
  const remaining = Number(a.header('x-ratelimit-remaining') ?? a.header('ratelimit-remaining') ?? NaN);
  const limit = Number(a.header('x-ratelimit-limit') ?? a.header('ratelimit-limit') ?? NaN);
  return Number.isFinite(remaining) && Number.isFinite(limit) && limit > 0 ? { remaining, limit } : null;
}

/** The provider's own words on a refusal: GitLab's error_description, a `message`, Bitbucket's errors, TFS's header. */
function reasonOf(a: Answer): string | null {
  const first = Array.isArray(a.json?.errors) ? (a.json.errors[0] as Record<string, unknown> | undefined) : undefined;
  const tfs = a.header('x-tfs-serviceerror');
  const fromTfs = tfs ? decodeURIComponent(tfs.replace(/\+/g, ' ')) : null;
  return str(a.json?.error_description) ?? str(a.json?.message) ?? str(first?.message) ?? fromTfs;
}

const versionOf = (provider: Provider, a: Answer): string | null =>
  PROVIDERS[provider].version?.(a) ?? (ok(a) ? str(a.json?.version) : null);

/** Who the token belongs to, with its scopes, expiry and rate limit where the product says them. */
async function authenticate(client: SystemClient, provider: Provider, root: string, token: string, facts: GitFacts) {
  const api = PROVIDERS[provider];
  const credentialHeaders = api.credential(token);
  const ask = (path: string): Promise<Answer> => client.get(path, { credentialHeaders });
  const who = await ask((api.whoami ?? api.probe)(root));
  const auth: AuthFacts = {
    url: who.response.url.href,
    status: who.status,
    login: ok(who) ? api.login(who) : null,
    scopes: null,
    expiresUtc: null,
    rateLimit: rateLimitOf(who),
    reason: ok(who) ? null : reasonOf(who),
  };
  facts.auth = auth;
  if (provider === 'github') {
    const scopes = who.header('x-oauth-scopes');
    auth.scopes = scopes === null ? null : scopeList(scopes);
    auth.expiresUtc = parseExpiry(who.header('github-authentication-token-expiration'));
  }
  if (provider === 'gitlab' && (ok(who) || who.status === 403)) {
    const self = await ask('api/v4/personal_access_tokens/self');
    if (ok(self) && Array.isArray(self.json?.scopes)) auth.scopes = self.json.scopes.map(String);
    if (ok(self)) auth.expiresUtc = parseExpiry(str(self.json?.expires_at));
    facts.providerVersion ??= versionOf('gitlab', await ask('api/v4/version'));
  }
}

async function gatherGit(client: SystemClient, target: Target, token: HttpSystem['token']): Promise<GitFacts> {
  const { system } = client;
  const root = (p: Provider): string => (p === 'github' ? githubRoot(target.url) : '');
  const facts: GitFacts = {
    gitUrl: target.url.href.replace(/\/+$/, ''),
    urlKey: system.urlKey,
    provider: target.provider,
    providerSource: target.providerSource,
    providerVersion: null,
    probes: [],
    ...(token ? { tokenKey: token.key } : {}),
    requiredScopes: scopeList(system.more.RequiredScopes?.value),
    view: {
      url: target.url,
      caPath: system.caCertificatePath?.value,
      skipTlsVerify: system.skipTlsVerify,
      noun: KIND.noun,
    },
  };
  // A configured provider is asked once; otherwise each in turn until one answers as itself.
  for (const candidate of target.provider ? [target.provider] : DETECTION_ORDER) {
    const a = await client.get(PROVIDERS[candidate].probe(root(candidate)));
    const isOwn = PROVIDERS[candidate].isOwn(a);
    facts.probes.push({ url: a.response.url.href, status: a.status, latencyMs: a.latencyMs, isOwn });
    if (isOwn || target.provider) facts.providerVersion = versionOf(candidate, a);
    if (isOwn && !facts.provider) Object.assign(facts, { provider: candidate, providerSource: 'detected' });
    if (isOwn || isHostTrouble(a.status)) break;
  }
  if (token && facts.provider && isReachable(facts.probes.at(-1)!.status)) {
    await authenticate(client, facts.provider, root(facts.provider), token.value, facts);
  }
  return facts;
}

function scopeList(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

/** Stella's rule: 2xx, 401 and 403 all prove the provider is there. */
const isReachable = (status: number): boolean => ok({ status }) || status === 401 || status === 403;
/** Azure DevOps Services answers an unknown token with 203 and its sign-in page. */
const isRejected = (status: number): boolean => status === 401 || status === 203;
/** A token the provider knows: it answered, or refused only the resource (403). */
const isAccepted = (status: number): boolean => (ok({ status }) && !isRejected(status)) || status === 403;
const isHostTrouble = (status: number): boolean => status === 429 || status >= 500;

/** Scopes that include others: GitHub's documented hierarchy, GitLab's api and write_* scopes. */
const INCLUDES: Record<string, string> = {
  repo: 'repo:status repo_deployment public_repo repo:invite security_events',
  'admin:org': 'write:org read:org',
  'write:org': 'read:org',
  'admin:repo_hook': 'write:repo_hook read:repo_hook',
  'write:repo_hook': 'read:repo_hook',
  user: 'read:user user:email user:follow',
  'write:packages': 'read:packages',
  api: 'read_api',
  write_repository: 'read_repository',
  write_registry: 'read_registry',
};

export function missingScopes(required: string[], granted: string[]): string[] {
  return required.filter((s) => !granted.some((g) => g === s || (INCLUDES[g] ?? '').split(' ').includes(s)));
}

const pathOf = (url: string): string => new URL(url).pathname;

function daysLeft(expiresUtc: string | null | undefined, now: Date): number | null {
  return expiresUtc ? Math.floor((Date.parse(expiresUtc) - now.getTime()) / 86_400_000) : null;
}

function evidenceOf(f: GitFacts, now: Date): Evidence {
  const reach = f.probes.at(-1);
  return {
    git_url: f.gitUrl,
    provider: f.provider,
    provider_source: f.providerSource,
    provider_version: f.providerVersion,
    status_code: reach?.status ?? null,
    probes: f.probes.map((p) => `GET ${pathOf(p.url)}: ${p.status}`),
    is_authenticated: f.auth ? isAccepted(f.auth.status) : false,
    auth_status_code: f.auth?.status ?? null,
    login: f.auth?.login ?? null,
    token_scopes: f.auth?.scopes ?? null,
    required_scopes: f.requiredScopes,
    token_expires_utc: f.auth?.expiresUtc ?? null,
    token_days_remaining: daysLeft(f.auth?.expiresUtc, now),
    rate_limit_remaining: f.auth?.rateLimit?.remaining ?? null,
    rate_limit_limit: f.auth?.rateLimit?.limit ?? null,
    latency_ms: reach?.latencyMs ?? null,
    error_class: null,
  };
}

/** The verdict on the facts; pure. */
export function judgeGit(f: GitFacts, now: Date = new Date()): CheckOutcome {
  const evidence = evidenceOf(f, now);
  const reach = f.probes.at(-1)!;
  const host = f.view.url.host;
  const label = f.provider && PROVIDERS[f.provider].label;
  if (isHostTrouble(reach.status)) {
    const unverified = label ? `${label}'s reachability` : 'which Git provider it is';
    return trouble(f, evidence, reach, `GET ${pathOf(reach.url)}`, unverified);
  }
  if (!label) {
    const tried = f.probes.map((p) => `${pathOf(p.url)} ${p.status}`).join(', ');
    return notTheApi(f, evidence, `${host} answers, but not as any Git provider the check knows (${tried}).`);
  }
  if (!isReachable(reach.status)) {
    const answered = `${host} answered ${reach.status} to GET ${pathOf(reach.url)}`;
    return notTheApi(f, evidence, `${answered}: that is not the ${label} API.`);
  }
  const version = f.providerVersion ? ` ${f.providerVersion}` : '';
  const reached = `${label}${version} at ${host} is reachable (${reach.status})`;
  const auth = f.auth;
  if (!auth) {
    const diagnosis = `${reached}; no token is configured (Git:Token), so authentication was not checked.`;
    return { severity: 'pass', diagnosis, evidence };
  }
  if (isRejected(auth.status)) return tokenRejected(f, auth, reached, evidence);
  const request = `the authenticated request GET ${pathOf(auth.url)}`;
  if (isHostTrouble(auth.status)) return trouble(f, evidence, auth, request, 'the token', true);
  if (!isAccepted(auth.status)) {
    return {
      severity: 'warn',
      diagnosis: `${reached}, but it answered ${auth.status} to ${request}, so the token could not be verified.`,
      evidence,
      likelyCauses: [`${f.urlKey} is not ${label}'s base URL`, `A proxy answers instead of ${label}`],
      remediation: numbered(reproduce(f, auth.url, true)),
    };
  }
  const accepted = `${reached} and accepts the token${auth.login ? ` of ${auth.login}` : ''}`;
  return withFindings(evidence, accepted, findingsOn(f, auth, now));
}

function trouble(
  f: GitFacts,
  evidence: Evidence,
  answer: { url: string; status: number },
  request: string,
  unverified: string,
  withToken = false,
): CheckOutcome {
  const reproduceIt = reproduce(f, answer.url, withToken);
  const host = f.view.url.host;
  return hostTroubleWarning({
    host,
    noun: KIND.noun,
    status: answer.status,
    request,
    unverified,
    evidence,
    reproduce: reproduceIt,
  });
}

/** One thing found about an accepted token. */
interface Finding {
  severity: Severity;
  sentence: string;
  causes: string[];
  steps: Step[];
}

function findingsOn(f: GitFacts, auth: AuthFacts, now: Date): Finding[] {
  const { label, tokenPage } = PROVIDERS[f.provider!];
  const finding = (severity: Severity, sentence: string, causes: string[] = [], steps: Step[] = []): Finding => ({
    severity,
    sentence,
    causes,
    steps,
  });
  const newToken = (what: string): Step[] => [
    { environment: 'any', description: `${what} at ${tokenPage(f.view.url.origin)}`, safe: false },
    ...setConfigSteps(f.tokenKey!, '<new-token>'),
  ];
  const days = daysLeft(auth.expiresUtc, now);
  const missing = auth.scopes ? missingScopes(f.requiredScopes, auth.scopes) : [];
  const limit = auth.rateLimit;
  const required = f.requiredScopes.join(', ');
  const notRequired = (s: Step): Step => ({ ...s, description: `${s.description} (only if ${missing} is not needed)` });
  const candidates: Array<Finding | false> = [
    auth.status === 403 &&
      finding('info', `but the token may not read its own user (403${auth.reason ? `: ${auth.reason}` : ''})`, [
        'The token lacks the scope to read the user (GitLab read_user, Gitea read:user), or is a GitHub App token',
      ]),
    ok(auth) &&
      !auth.login &&
      finding(
        'warn',
        'but its answer names no user: the token was not applied',
        [`A proxy in front of ${label} removes the credential header`, `${label} ignores this kind of token`],
        reproduce(f, auth.url, true),
      ),
    days !== null &&
      days < EXPIRY_WARNING_DAYS &&
      finding(
        'warn',
        `the token ${days < 0 ? 'expired' : `expires in ${days} days,`} on ${auth.expiresUtc!.slice(0, 10)}`,
        ['The token was created with an expiry date and has not been rotated'],
        newToken('Create a token to replace it'),
      ),
    f.requiredScopes.length > 0 &&
      auth.scopes === null &&
      finding('info', `${label} does not tell this token's scopes, so Git:RequiredScopes (${required}) is unverified`, [
        'A fine-grained or non-personal token: its permissions are set per resource, not as scopes',
      ]),
    missing.length > 0 &&
      finding(
        'warn',
        `the token lacks ${missing.join(', ')} of Git:RequiredScopes (it has: ${auth.scopes!.join(', ') || 'none'})`,
        ['The token was created with fewer scopes than the platform needs', 'Git:RequiredScopes asks for too much'],
        [
          ...newToken(`Create a token with the scopes ${required}`),
          ...setConfigSteps('Git:RequiredScopes', auth.scopes!.join(',')).map(notRequired),
        ],
      ),
    limit !== null &&
      limit.remaining < limit.limit * RATE_LIMIT_WARNING &&
      finding(
        'warn',
        `only ${limit.remaining} of its ${limit.limit} API requests per window are left`,
        [
          'Other jobs or integrations share this token and use up its rate limit',
          'An integration calls the API in a loop',
        ],
        reproduce(f, auth.url, true, 'headers'),
      ),
  ];
  return candidates.filter((c): c is Finding => c !== false);
}

const key = (s: Step): string => `${s.environment} ${s.command ?? s.description}`;

function withFindings(evidence: Evidence, accepted: string, findings: Finding[]): CheckOutcome {
  const causes = findings.flatMap((x) => x.causes);
  // Two findings may both ask for a new token: each command once.
  const steps = findings.flatMap((x) => x.steps).filter((s, i, all) => all.findIndex((t) => key(t) === key(s)) === i);
  const sentences = findings.map((x) => x.sentence).join('; ');
  return {
    severity: worstSeverity(['pass', ...findings.map((x) => x.severity)]),
    diagnosis: `${accepted}${sentences ? `, ${sentences}` : ''}.`,
    evidence,
    ...(causes.length > 0 ? { likelyCauses: causes } : {}),
    ...(steps.length > 0 ? { remediation: numbered(steps) } : {}),
  };
}

function tokenRejected(f: GitFacts, auth: AuthFacts, reached: string, evidence: Evidence): CheckOutcome {
  const { label, tokenPage } = PROVIDERS[f.provider!];
  const said = auth.reason ?? (auth.status === 203 ? 'a sign-in page' : null);
  return {
    severity: 'fail',
    diagnosis: `${reached}, but it rejected the token from ${f.tokenKey} (${auth.status}${said ? `: ${said}` : ''}).`,
    evidence,
    likelyCauses: [
      'The token is wrong, expired or revoked',
      `${f.tokenKey} holds a token of another ${label} instance or account`,
      'The account the token belongs to was blocked or removed',
    ],
    remediation: numbered(cliStatus(f), reproduce(f, auth.url, true), [
      { environment: 'any', description: `Create a token at ${tokenPage(f.view.url.origin)}`, safe: false },
      ...setConfigSteps(f.tokenKey!, '<token>'),
    ]),
  };
}

function notTheApi(f: GitFacts, evidence: Evidence, diagnosis: string): CheckOutcome {
  return {
    severity: 'warn',
    diagnosis,
    evidence,
    likelyCauses: [
      `${f.urlKey} is not the provider's base URL (a repository or web page, or a path below the API)`,
      'Git:Provider names another product',
      'A reverse proxy or sign-in portal answers instead of the provider',
    ],
    remediation: numbered(
      reproduce(f, f.probes[0]!.url),
      setConfigSteps(f.urlKey, '<base-url-of-the-git-provider>'),
      setConfigSteps('Git:Provider', '<github|gitlab|gitea|bitbucket|azuredevops>'),
    ),
  };
}

/** The request again as curl, from where the platform runs; the token as a placeholder when it carried one. */
function reproduce(f: GitFacts, url: string, withToken = false, show: CurlOptions['show'] = 'response'): Step[] {
  const credential = f.provider && withToken ? curlCredential(f.provider) : {};
  const { pathname, search } = new URL(url);
  const as = credential.basicUser === '' ? ' with the token as <password>' : withToken ? ' with the token' : '';
  return fromWherePlatformRuns(`Repeat GET ${pathname}${as}`, f.view, (origin, tls) =>
    curlCommand(`${origin}${pathname}${search}`, { show, tls, ...credential }),
  );
}

/** The provider's own CLI, asked about the same token (gh reads GH_TOKEN / GH_ENTERPRISE_TOKEN, glab GITLAB_TOKEN). */
function cliStatus(f: GitFacts): Step[] {
  const host = f.view.url.hostname === 'api.github.com' ? 'github.com' : f.view.url.host;
  const variable = host === 'github.com' ? 'GH_TOKEN' : 'GH_ENTERPRISE_TOKEN';
  const commands: Partial<Record<Provider, string>> = {
    github: `${variable}='<token>' gh auth status --hostname ${host}`,
    gitlab: `GITLAB_TOKEN='<token>' glab auth status --hostname ${host}`,
  };
  const command = commands[f.provider!];
  return command ? [probeStep(`Ask the ${PROVIDERS[f.provider!].label} CLI about the same token`, command)] : [];
}

const NOT_CONFIGURED = 'No Git provider configured: set Git:Url (or Scm:Url, GitHub:Url, GitLab:Url, Gitea:Url).';

export const gitProviderCheck = integrationCheck({
  id: 'check.integration.git',
  name: 'Git Provider Connectivity',
  description:
    'Checks that the configured Git provider (GitHub, GitLab, Gitea/Forgejo, Bitbucket Data Center, Azure DevOps) ' +
    'is reachable, and with a token that the token is accepted, not about to expire, has the required scopes and ' +
    'rate limit left.',
  defaultSeverity: 'warn',
  tags: ['integration', 'git', 'scm', 'connectivity'],
  estimatedDurationMs: 3000,
  article: `${ARTICLES}/git-provider.md`,
  needs: { target: 'Git' },
  canRun: (ctx) =>
    readSystem(ctx.config, GIT_KEYS) ? { runnable: true } : { runnable: false, reason: NOT_CONFIGURED },
  run: async (ctx, signal) => {
    const system = readSystem(ctx.config, GIT_KEYS);
    if (!system) return { severity: 'skip', diagnosis: NOT_CONFIGURED, evidence: {} };
    const target = targetOf(system);
    // Azure DevOps takes the token as the password of Basic credentials: that encoding is a secret too.
    if (system.token) registerCredentialPair('', system.token.value);
    const first = target.provider ?? DETECTION_ORDER[0]!;
    const root = first === 'github' ? githubRoot(target.url) : '';
    const kind = { ...KIND, probePath: pathBelow(target.url, PROVIDERS[first].probe(root)) };
    const { gatherFrom } = await import('../shared/http-probe.js');
    const facts = await gatherFrom(ctx, { ...system, url: target.url }, kind, signal, (client) =>
      gatherGit(client, target, system.token),
    );
    if (!('failure' in facts)) return judgeGit(facts, ctx.now());
    const { failure } = facts;
    return { ...failure, evidence: { ...failure.evidence, provider: target.provider, is_authenticated: false } };
  },
});
