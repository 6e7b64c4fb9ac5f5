// Every verdict row of the Git provider check (SPEC 10.1), judged from facts alone: no network.
// Also the pure parts of gathering: github.com → api.github.com, GitHub Enterprise's /api/v3 root,
// expiry parsing and the scope hierarchy.
import { describe, expect, it } from 'vitest';
import {
  githubRoot,
  judgeGit,
  missingScopes,
  parseExpiry,
  targetOf,
  type AuthFacts,
  type GitFacts,
} from '../../src/plugins/integration/systems/git-provider.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const BASE = 'https://git.example.com';

function facts(over: Partial<GitFacts> = {}): GitFacts {
  return {
    gitUrl: BASE,
    urlKey: 'Git:Url',
    provider: 'gitlab',
    providerSource: 'detected',
    providerVersion: '17.5.1',
    probes: [{ url: `${BASE}/api/v4/version`, status: 401, latencyMs: 4, isOwn: true }],
    requiredScopes: [],
    view: { url: new URL(BASE), caPath: undefined, skipTlsVerify: false },
    ...over,
  };
}

function auth(over: Partial<AuthFacts> = {}): AuthFacts {
  return {
    url: `${BASE}/api/v4/user`,
    status: 200,
    login: 'ci-bot',
    scopes: ['api'],
    expiresUtc: '2027-06-01T00:00:00.000Z',
    rateLimit: null,
    reason: null,
    ...over,
  };
}

const token = { tokenKey: 'Git:Token' };
const probe = (path: string, status: number, isOwn = false) => ({ url: `${BASE}${path}`, status, latencyMs: 2, isOwn });
const undetected = [
  probe('/api/v4/version', 404),
  probe('/api/v1/version', 404),
  probe('/rest/api/1.0/application-properties', 404),
  probe('/_apis/connectionData', 404),
  probe('/api/v3/meta', 404),
];

describe('judgeGit', () => {
  it.each<[string, GitFacts, string, RegExp, Record<string, unknown>]>([
    [
      'reachable, no token (GitLab 401 to the anonymous /version)',
      facts(),
      'pass',
      /^GitLab 17\.5\.1 at git\.example\.com is reachable \(401\); no token is configured/,
      { status_code: 401, is_authenticated: false, provider: 'gitlab', login: null },
    ],
    [
      'reachable with 200 and 403 alike',
      facts({ provider: 'gitea', providerVersion: '1.22.3', probes: [probe('/api/v1/version', 403, true)] }),
      'pass',
      /^Gitea\/Forgejo 1\.22\.3 at git\.example\.com is reachable \(403\)/,
      { status_code: 403 },
    ],
    [
      'token accepted',
      facts({ ...token, auth: auth() }),
      'pass',
      /^GitLab 17\.5\.1 at git\.example\.com is reachable \(401\) and accepts the token of ci-bot\.$/,
      { is_authenticated: true, login: 'ci-bot', token_scopes: ['api'], token_days_remaining: 181 },
    ],
    [
      'token rejected (401, the provider says why)',
      facts({ ...token, auth: auth({ status: 401, login: null, scopes: null, reason: 'Token has expired.' }) }),
      'fail',
      /but it rejected the token from Git:Token \(401: Token has expired\.\)/,
      { is_authenticated: false, auth_status_code: 401 },
    ],
    [
      'token rejected (Azure DevOps Services: 203 and a sign-in page)',
      facts({
        ...token,
        provider: 'azuredevops',
        providerVersion: null,
        probes: [probe('/_apis/connectionData', 401, true)],
        auth: auth({ url: `${BASE}/_apis/connectionData`, status: 203, login: null, scopes: null }),
      }),
      'fail',
      /Azure DevOps at git\.example\.com is reachable \(401\), but it rejected the token from Git:Token \(203: a sign-in page\)/,
      { is_authenticated: false, auth_status_code: 203 },
    ],
    [
      'token expires within 14 days',
      facts({ ...token, auth: auth({ expiresUtc: '2026-12-10T12:00:00.000Z' }) }),
      'warn',
      /accepts the token of ci-bot, the token expires in 9 days, on 2026-12-10\.$/,
      { token_expires_utc: '2026-12-10T12:00:00.000Z', token_days_remaining: 9 },
    ],
    [
      'required scopes missing',
      facts({ ...token, requiredScopes: ['read_api', 'write_repository'], auth: auth({ scopes: ['read_api'] }) }),
      'warn',
      /the token lacks write_repository of Git:RequiredScopes \(it has: read_api\)/,
      { required_scopes: ['read_api', 'write_repository'] },
    ],
    [
      'required scopes present through an including scope',
      facts({
        ...token,
        requiredScopes: ['read_api', 'read_repository'],
        auth: auth({ scopes: ['api', 'write_repository'] }),
      }),
      'pass',
      /accepts the token of ci-bot\.$/,
      {},
    ],
    [
      'required scopes not readable (fine-grained GitHub token)',
      facts({
        ...token,
        provider: 'github',
        providerVersion: '3.13.2',
        probes: [probe('/api/v3/meta', 200, true)],
        requiredScopes: ['repo'],
        auth: auth({ url: `${BASE}/api/v3/user`, scopes: null }),
      }),
      'info',
      /GitHub does not tell this token's scopes, so Git:RequiredScopes \(repo\) is unverified/,
      { token_scopes: null },
    ],
    [
      'rate limit under 10 % left',
      facts({ ...token, auth: auth({ rateLimit: { remaining: 49, limit: 5000 } }) }),
      'warn',
      /only 49 of its 5000 API requests per window are left/,
      { rate_limit_remaining: 49, rate_limit_limit: 5000 },
    ],
    [
      'rate limit at 10 % left is fine',
      facts({ ...token, auth: auth({ rateLimit: { remaining: 500, limit: 5000 } }) }),
      'pass',
      /accepts the token of ci-bot\.$/,
      { rate_limit_remaining: 500 },
    ],
    [
      'token accepted but may not read its user (403)',
      facts({ ...token, auth: auth({ status: 403, login: null, reason: 'insufficient scope' }) }),
      'info',
      /accepts the token, but the token may not read its own user \(403: insufficient scope\)/,
      { is_authenticated: true, auth_status_code: 403 },
    ],
    [
      'an authenticated answer that names no user (Bitbucket without X-AUSERNAME)',
      facts({
        ...token,
        provider: 'bitbucket',
        providerVersion: '8.19.5',
        probes: [probe('/rest/api/1.0/application-properties', 200, true)],
        auth: auth({ url: `${BASE}/rest/api/1.0/application-properties`, login: null, scopes: null, expiresUtc: null }),
      }),
      'warn',
      /but its answer names no user: the token was not applied/,
      { login: null },
    ],
    [
      'several findings: the worst wins and each is said',
      facts({
        ...token,
        requiredScopes: ['write_repository'],
        auth: auth({ scopes: ['read_api'], expiresUtc: '2026-12-05T00:00:00.000Z' }),
      }),
      'warn',
      /expires in 3 days, on 2026-12-05; the token lacks write_repository/,
      {},
    ],
    [
      'the provider in trouble on the probe (5xx)',
      facts({ provider: null, providerSource: null, providerVersion: null, probes: [probe('/api/v4/version', 503)] }),
      'warn',
      /git\.example\.com answered 503 to GET \/api\/v4\/version; which Git provider it is could not be verified/,
      { status_code: 503, provider: null },
    ],
    [
      'rate limited on the authenticated request (429)',
      facts({ ...token, auth: auth({ status: 429, login: null }) }),
      'warn',
      /rate limiting this client \(429 to the authenticated request GET \/api\/v4\/user\); the token could not be verified/,
      { auth_status_code: 429 },
    ],
    [
      'another status to the authenticated request',
      facts({ ...token, auth: auth({ status: 404, login: null }) }),
      'warn',
      /but it answered 404 to the authenticated request GET \/api\/v4\/user, so the token could not be verified/,
      {},
    ],
    [
      'configured provider, another status (Stella: warn)',
      facts({ providerSource: 'configured', providerVersion: null, probes: [probe('/api/v4/version', 404)] }),
      'warn',
      /answered 404 to GET \/api\/v4\/version: that is not the GitLab API/,
      { status_code: 404, provider_source: 'configured' },
    ],
    [
      'no Git provider detected',
      facts({ provider: null, providerSource: null, providerVersion: null, probes: undetected }),
      'warn',
      /answers, but not as any Git provider the check knows \(\/api\/v4\/version 404, .*\/api\/v3\/meta 404\)/,
      { provider: null, probes: undetected.map((p) => `GET ${new URL(p.url).pathname}: 404`) },
    ],
  ])('%s', (_name, input, severity, diagnosis, evidence) => {
    const outcome = judgeGit(input, NOW);

    expect(outcome.severity).toBe(severity);
    expect(outcome.diagnosis).toMatch(diagnosis);
    expect(outcome.evidence).toMatchObject({ git_url: BASE, error_class: null, ...evidence });
  });

  it('says how to check the rejected token with the provider CLI, curl and a new token in every environment', () => {
    const outcome = judgeGit(facts({ ...token, auth: auth({ status: 401, login: null }) }), NOW);
    const steps = outcome.remediation!;

    expect(steps[0]).toMatchObject({
      environment: 'any',
      command: "GITLAB_TOKEN='<token>' glab auth status --hostname git.example.com",
    });
    expect(steps.find((s) => s.environment === 'baremetal')!.command).toBe(
      "sudo -u stellaops curl -sS -i -H 'PRIVATE-TOKEN: <token>' https://git.example.com/api/v4/user",
    );
    expect(steps.map((s) => s.environment)).toEqual(expect.arrayContaining(['compose', 'baremetal', 'kubernetes']));
    expect(steps.some((s) => s.command?.includes("Git__Token='<token>'"))).toBe(true);
  });

  it('names gh with the token for github.com and the Enterprise variable for a GHES host', () => {
    const github = (url: string) =>
      judgeGit(
        facts({
          ...token,
          provider: 'github',
          view: { url: new URL(url), caPath: undefined, skipTlsVerify: false },
          probes: [probe('/meta', 200, true)],
          auth: auth({ url: `${url}/user`, status: 401 }),
        }),
        NOW,
      ).remediation![0]!.command;

    expect(github('https://api.github.com')).toBe("GH_TOKEN='<token>' gh auth status --hostname github.com");
    expect(github('https://ghe.example.com')).toBe(
      "GH_ENTERPRISE_TOKEN='<token>' gh auth status --hostname ghe.example.com",
    );
  });

  it('writes the Azure DevOps curl with the token as the Basic password and an empty user', () => {
    const outcome = judgeGit(
      facts({
        ...token,
        provider: 'azuredevops',
        probes: [probe('/_apis/connectionData', 401, true)],
        auth: auth({ url: `${BASE}/_apis/connectionData`, status: 401 }),
      }),
      NOW,
    );

    expect(outcome.remediation!.find((s) => s.environment === 'baremetal')!.command).toBe(
      "sudo -u stellaops curl -sS -i -u '':'<password>' https://git.example.com/_apis/connectionData",
    );
  });
});

describe('where the check asks', () => {
  it.each([
    ['https://github.com', 'https://api.github.com/', 'host'],
    ['https://github.com/acme/platform', 'https://api.github.com/', 'host'],
    ['https://api.github.com', 'https://api.github.com/', 'host'],
  ])('%s → the GitHub API at %s, known by its host', (url, api, source) => {
    expect(targetOf({ url: new URL(url) })).toEqual({ url: new URL(api), provider: 'github', providerSource: source });
  });

  it('keeps a configured provider and any other URL as they are', () => {
    const url = new URL('https://code.example.com/gitlab');
    expect(targetOf({ url, type: 'gitlab' })).toEqual({ url, provider: 'gitlab', providerSource: 'configured' });
    expect(targetOf({ url })).toEqual({ url, provider: null, providerSource: null });
  });

  it('asks GitHub Enterprise under /api/v3 unless the URL already names it, api.github.com at its root', () => {
    expect(githubRoot(new URL('https://ghe.example.com'))).toBe('api/v3/');
    expect(githubRoot(new URL('https://ghe.example.com/api/v3'))).toBe('');
    expect(githubRoot(new URL('https://api.github.com'))).toBe('');
  });
});

describe('token facts', () => {
  it.each([
    ['2026-12-10 12:00:00 UTC', '2026-12-10T12:00:00.000Z'],
    ['2026-12-10 12:00:00 +0200', '2026-12-10T10:00:00.000Z'],
    ['2026-12-10', '2026-12-10T00:00:00.000Z'],
    ['next tuesday', null],
    [null, null],
  ])('reads the expiry %s as %s', (value, expected) => {
    expect(parseExpiry(value)).toBe(expected);
  });

  it('counts a scope as granted when a scope that includes it is', () => {
    expect(missingScopes(['read:org', 'repo:status', 'read_repository', 'admin:org'], ['admin:org', 'repo'])).toEqual([
      'read_repository',
    ]);
  });
});

describe('remediation of several findings', () => {
  it('gives each command once when two findings both ask for a new token', () => {
    const outcome = judgeGit(
      facts({
        ...token,
        requiredScopes: ['write_repository'],
        auth: auth({ scopes: ['read_api'], expiresUtc: '2026-12-05T00:00:00.000Z' }),
      }),
      NOW,
    );
    const commands = outcome.remediation!.flatMap((s) => (s.command ? [`${s.environment} ${s.command}`] : []));

    expect(new Set(commands).size).toBe(commands.length);
    expect(outcome.remediation!.filter((s) => s.environment === 'any').map((s) => s.description)).toEqual([
      'Create a token to replace it at https://git.example.com/-/user_settings/personal_access_tokens',
      'Create a token with the scopes write_repository at https://git.example.com/-/user_settings/personal_access_tokens',
    ]);
  });
});
