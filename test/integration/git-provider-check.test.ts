// check.integration.git end to end against fakes of the five products it knows (no Git server
// runs here): detection in SPEC order, the token in each product's own header and nowhere else,
// every verdict row, TLS and connection failures with the Git keys in the fixes, and the real CLI
// with a canary token that must appear in no output.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { gitProviderCheck } from '../../src/plugins/integration/systems/git-provider.js';
import { startAzureDevOpsApi } from '../fakes/azure-devops-api.js';
import { startBitbucketServerApi } from '../fakes/bitbucket-server-api.js';
import { startGitHubApi } from '../fakes/github-api.js';
import { startGitLabApi } from '../fakes/gitlab-api.js';
import { startGiteaApi } from '../fakes/gitea-api.js';
import { startHungRegistry } from '../fakes/hung-registry.js';
import { listenLocal, type Running } from '../fakes/listen.js';
import type { RecordedRequest } from '../fakes/recording-server.js';
import { startStatusRegistry } from '../fakes/status-registry.js';
import { loadTestEnv } from '../harness/test-env.js';
import { stellaAsync } from './cli.js';
import { check } from './doctor.js';

const env = loadTestEnv();
const ID = gitProviderCheck.id;
const TOKEN = 'canary-git-token-8d41f07c';
const tls = { tls: env.certs.server };
const fakes: Running[] = [];
afterAll(() => Promise.all(fakes.map((f) => f.close())));

async function started<T extends Running>(fake: Promise<T>): Promise<T> {
  const running = await fake;
  fakes.push(running);
  return running;
}

/** Where the token went: the header names (and paths) of every request that carried it, in any form. */
function tokenCarriers(requests: RecordedRequest[]): string[] {
  const forms = [TOKEN, Buffer.from(`:${TOKEN}`).toString('base64')];
  return requests.flatMap((r) =>
    Object.entries(r.headers)
      .filter(([, value]) => forms.some((form) => String(value).includes(form)))
      .map(([name]) => `${r.path} ${name}`),
  );
}

const daysFromNow = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('GitLab 17', () => {
  const tokens = {
    [TOKEN]: { username: 'ci-bot', scopes: ['read_api', 'read_repository'], expiresAt: daysFromNow(200) },
    'expired-token-1': { username: 'ci-bot', scopes: ['api'], state: 'expired' as const },
    'soon-token-1': { username: 'ci-bot', scopes: ['api'], expiresAt: daysFromNow(5) },
    'narrow-token-1': { username: 'ci-bot', scopes: ['read_repository'] },
  };

  it('is detected by its 401 to the anonymous /version, over TLS with Git:CaCertificatePath, and accepts the token', async () => {
    const gitlab = await started(startGitLabApi({ tokens, ...tls }));

    const result = await check(ID, {
      'Git:Url': gitlab.url,
      'Git:Token': TOKEN,
      'Git:CaCertificatePath': env.caCertPath,
    });

    expect(result.severity).toBe('pass');
    expect(result.diagnosis).toBe(
      `GitLab 17.5.1 at ${new URL(gitlab.url).host} is reachable (401) and accepts the token of ci-bot.`,
    );
    expect(result.evidence).toMatchObject({
      provider: 'gitlab',
      provider_source: 'detected',
      provider_version: '17.5.1',
      status_code: 401,
      is_authenticated: true,
      login: 'ci-bot',
      token_scopes: ['read_api', 'read_repository'],
      token_expires_utc: `${daysFromNow(200)}T00:00:00.000Z`,
      error_class: null,
    });
    expect(gitlab.requests.map((r) => r.path)).toEqual([
      '/api/v4/version',
      '/api/v4/user',
      '/api/v4/personal_access_tokens/self',
      '/api/v4/version',
    ]);
    expect(tokenCarriers(gitlab.requests)).toEqual([
      '/api/v4/user private-token',
      '/api/v4/personal_access_tokens/self private-token',
      '/api/v4/version private-token',
    ]);
  });

  it("fails when the token has expired, in GitLab's own words", async () => {
    const gitlab = await started(startGitLabApi({ tokens }));

    const result = await check(ID, { 'GitLab:Url': gitlab.url, 'GitLab:Token': 'expired-token-1' });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('rejected the token from GitLab:Token (401: Token has expired.)');
    expect(result.remediation.steps.some((s) => s.command?.includes("GitLab__Token='<token>'"))).toBe(true);
  });

  it('warns when the token expires within 14 days', async () => {
    const gitlab = await started(startGitLabApi({ tokens }));

    const result = await check(ID, { 'Git:Url': gitlab.url, 'Git:Provider': 'gitlab', 'Git:Token': 'soon-token-1' });

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toMatch(new RegExp(`the token expires in [45] days, on ${daysFromNow(5)}`));
    expect(gitlab.requests).toHaveLength(4);
  });

  it('warns when the token lacks a scope of Git:RequiredScopes', async () => {
    const gitlab = await started(startGitLabApi({ tokens }));

    const result = await check(ID, {
      'Git:Url': gitlab.url,
      'Git:Token': TOKEN,
      'Git:RequiredScopes': 'read_repository, write_repository',
    });

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain('the token lacks write_repository of Git:RequiredScopes');
  });

  it('reports a token that may not read its user (403 insufficient_scope) as accepted, with a note', async () => {
    const gitlab = await started(startGitLabApi({ tokens }));

    const result = await check(ID, { 'Git:Url': gitlab.url, 'Git:Token': 'narrow-token-1' });

    expect(result.severity).toBe('info');
    expect(result.evidence).toMatchObject({
      is_authenticated: true,
      auth_status_code: 403,
      token_scopes: ['read_repository'],
    });
  });
});

describe('Gitea 1.22 / Forgejo', () => {
  it("is detected second, after GitLab's /api/v4/version, and takes the token as `token <t>`", async () => {
    const gitea = await started(
      startGiteaApi({
        version: '9.0.3+gitea-1.22.0',
        tokens: { [TOKEN]: { login: 'forge-bot', scopes: ['read:user'] } },
      }),
    );

    const result = await check(ID, { 'Gitea:Url': gitea.url, 'Gitea:Token': TOKEN });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({
      provider: 'gitea',
      provider_version: '9.0.3+gitea-1.22.0',
      login: 'forge-bot',
    });
    expect(gitea.requests.map((r) => r.path)).toEqual(['/api/v4/version', '/api/v1/version', '/api/v1/user']);
    expect(gitea.requests[2]!.headers.authorization).toBe(`token ${TOKEN}`);
    expect(tokenCarriers(gitea.requests)).toEqual(['/api/v1/user authorization']);
  });

  it('fails on an unknown token', async () => {
    const gitea = await started(startGiteaApi());

    const result = await check(ID, { 'Git:Url': gitea.url, 'Git:Token': TOKEN });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('(401: invalid username, password or token)');
  });
});

describe('Bitbucket Data Center 8', () => {
  it("is detected third and names the token's user in X-AUSERNAME", async () => {
    const bitbucket = await started(startBitbucketServerApi({ tokens: { [TOKEN]: { user: 'svc-platform' } } }));

    const result = await check(ID, { 'Scm:Url': bitbucket.url, 'Git:Token': TOKEN });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({ provider: 'bitbucket', provider_version: '8.19.5', login: 'svc-platform' });
    expect(bitbucket.requests.map((r) => r.path)).toEqual([
      '/api/v4/version',
      '/api/v1/version',
      '/rest/api/1.0/application-properties',
      '/rest/api/1.0/application-properties',
    ]);
    expect(tokenCarriers(bitbucket.requests)).toEqual(['/rest/api/1.0/application-properties authorization']);
  });

  it('fails on a token Bitbucket does not know', async () => {
    const bitbucket = await started(startBitbucketServerApi());

    const result = await check(ID, { 'Git:Url': bitbucket.url, 'Git:Provider': 'bitbucket', 'Git:Token': TOKEN });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('(401: Authentication failed. Please check your credentials and try again.)');
  });
});

describe('Azure DevOps', () => {
  const tokens = { [TOKEN]: { displayName: 'Platform Service', account: 'svc@example.com' } };

  it('Server 2022 is detected fourth under its collection and takes the PAT as a Basic password', async () => {
    const ado = await started(startAzureDevOpsApi({ tokens }));

    const result = await check(ID, { 'Git:Url': `${ado.url}/DefaultCollection`, 'Git:Token': TOKEN });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({ provider: 'azuredevops', status_code: 401, login: 'Platform Service' });
    expect(ado.requests.map((r) => r.path).slice(3)).toEqual([
      '/DefaultCollection/_apis/connectionData',
      '/DefaultCollection/_apis/connectionData',
    ]);
    expect(ado.requests[4]!.headers.authorization).toBe(`Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}`);
    expect(tokenCarriers(ado.requests)).toEqual(['/DefaultCollection/_apis/connectionData authorization']);
  });

  it('Services: an unknown PAT gets 203 and the sign-in page, which is a rejection', async () => {
    const ado = await started(startAzureDevOpsApi({ edition: 'services', collection: '/acme' }));

    const result = await check(ID, { 'Git:Url': `${ado.url}/acme`, 'Git:Provider': 'azuredevops', 'Git:Token': TOKEN });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('rejected the token from Git:Token (203: a sign-in page)');
  });
});

describe('GitHub Enterprise Server 3 (github.com is never contacted: its host mapping is a unit test)', () => {
  const tokens = {
    [TOKEN]: { login: 'octo-bot', scopes: ['repo', 'read:org'], expiration: '2099-12-10 12:00:00 UTC' },
    'fine-grained-1': { login: 'octo-bot' },
    'app-token-1': { login: 'app', isAppToken: true },
  };

  it('with Git:Provider=github: /api/v3/meta, then /api/v3/user with Bearer, scopes and expiry from the headers', async () => {
    const github = await started(startGitHubApi({ tokens, ...tls }));

    const result = await check(ID, {
      'GitHub:Url': github.url,
      'Git:Provider': 'github',
      'GitHub:Token': TOKEN,
      'Git:CaCertificatePath': env.caCertPath,
      'Git:RequiredScopes': 'repo:status,read:org',
    });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({
      provider: 'github',
      provider_source: 'configured',
      provider_version: '3.13.2',
      login: 'octo-bot',
      token_scopes: ['repo', 'read:org'],
      token_expires_utc: '2099-12-10T12:00:00.000Z',
      rate_limit_remaining: null,
    });
    expect(github.requests.map((r) => r.path)).toEqual(['/api/v3/meta', '/api/v3/user']);
    expect(tokenCarriers(github.requests)).toEqual(['/api/v3/user authorization']);
    expect(github.requests[1]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('is detected last, after the four other probes', async () => {
    const github = await started(startGitHubApi({ tokens }));

    const result = await check(ID, { 'Git:Url': github.url });

    expect(result.severity).toBe('pass');
    expect(result.evidence.provider).toBe('github');
    expect(github.requests.map((r) => r.path)).toEqual([
      '/api/v4/version',
      '/api/v1/version',
      '/rest/api/1.0/application-properties',
      '/_apis/connectionData',
      '/api/v3/meta',
    ]);
  });

  it('cannot verify Git:RequiredScopes for a fine-grained token (no X-OAuth-Scopes): info', async () => {
    const github = await started(startGitHubApi({ tokens }));

    const result = await check(ID, {
      'Git:Url': github.url,
      'Git:Provider': 'github',
      'Git:Token': 'fine-grained-1',
      'Git:RequiredScopes': 'repo',
    });

    expect(result.severity).toBe('info');
    expect(result.evidence.token_scopes).toBeNull();
  });

  it('warns when under 10 % of the rate limit is left (rate limiting on)', async () => {
    const github = await started(startGitHubApi({ tokens, rateLimit: { limit: 5000, remaining: 120 } }));

    const result = await check(ID, { 'Git:Url': github.url, 'Git:Provider': 'github', 'Git:Token': TOKEN });

    expect(result.severity).toBe('warn');
    expect(result.evidence).toMatchObject({ rate_limit_remaining: 120, rate_limit_limit: 5000 });
  });

  it('fails on bad credentials', async () => {
    const github = await started(startGitHubApi({ tokens }));

    const result = await check(ID, { 'Git:Url': github.url, 'Git:Provider': 'github', 'Git:Token': 'not-a-token-1' });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('(401: Bad credentials)');
    expect(result.remediation.steps[0]!.command).toBe(
      "GH_ENTERPRISE_TOKEN='<token>' gh auth status --hostname 127.0.0.1:" + new URL(github.url).port,
    );
  });

  it('notes a GitHub App token that may not read /user (403)', async () => {
    const github = await started(startGitHubApi({ tokens }));

    const result = await check(ID, { 'Git:Url': github.url, 'Git:Provider': 'github', 'Git:Token': 'app-token-1' });

    expect(result.severity).toBe('info');
    expect(result.diagnosis).toContain('(403: Resource not accessible by integration)');
  });
});

describe('reachability and connection failures', () => {
  it('skips when no Git provider is configured', async () => {
    const result = await check(ID, {});

    expect(result.severity).toBe('skip');
    expect(result.diagnosis).toContain('set Git:Url');
  });

  it.each([401, 403])('passes a configured provider that answers %d (reachable)', async (status) => {
    const fake = await started(startStatusRegistry(status));

    const result = await check(ID, { 'Git:Url': fake.url, 'Git:Provider': 'gitea' });

    expect(result.severity).toBe('pass');
    expect(result.evidence.status_code).toBe(status);
  });

  it.each([
    [500, /answered 500 to GET \/api\/v1\/version; Gitea\/Forgejo's reachability could not be verified/],
    [404, /answered 404 to GET \/api\/v1\/version: that is not the Gitea\/Forgejo API/],
  ])('warns on any other status (%d)', async (status, diagnosis) => {
    const fake = await started(startStatusRegistry(status));

    const result = await check(ID, { 'Git:Url': fake.url, 'Git:Provider': 'gitea', 'Git:Token': TOKEN });

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toMatch(diagnosis);
    expect(fake.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('warns when nothing answers as a Git provider, after all five probes', async () => {
    const fake = await started(startStatusRegistry(404));

    const result = await check(ID, { 'Git:Url': fake.url });

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain('not as any Git provider the check knows');
    expect(fake.requests).toHaveLength(5);
  });

  it('fails with tls_untrusted without the CA, naming Git:CaCertificatePath, and sends nothing', async () => {
    const gitlab = await started(startGitLabApi({ ...tls }));

    const result = await check(ID, { 'Git:Url': gitlab.url, 'Git:Token': TOKEN });

    expect(result.severity).toBe('fail');
    expect(result.evidence).toMatchObject({
      git_url: gitlab.url,
      error_class: 'tls_untrusted',
      is_authenticated: false,
    });
    expect(result.diagnosis).toContain('set Git:CaCertificatePath');
    expect(result.remediation.steps.some((s) => s.command?.includes('Git__CaCertificatePath='))).toBe(true);
    expect(gitlab.requests).toHaveLength(0);
  });

  it('fails with tls_expired for an expired certificate', async () => {
    const gitlab = await started(startGitLabApi({ tls: env.certs.expired }));

    const result = await check(ID, { 'Git:Url': gitlab.url, 'Git:CaCertificatePath': env.caCertPath });

    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('tls_expired');
  });

  it('fails with refused when nothing listens', async () => {
    const closed = await listenLocal(net.createServer());
    await closed.close();

    const result = await check(ID, { 'Git:Url': closed.url });

    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('refused');
    expect(result.diagnosis).toContain('check the port in Git:Url');
  });

  it('fails with timeout within the check timeout when the server never answers', async () => {
    const hung = await started(startHungRegistry());
    const begun = Date.now();

    const result = await check(ID, { 'Git:Url': hung.url }, { timeoutMs: 1000 });

    expect(Date.now() - begun).toBeLessThan(2000);
    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('timeout');
    expect(hung.connections()).toBe(1);
  });
});

describe('the real CLI with a canary token', () => {
  it.each(['json', 'text'])(
    "--format %s: the token appears in no output and only in GitLab's PRIVATE-TOKEN header",
    async (format) => {
      const gitlab = await started(
        startGitLabApi({
          tokens: { [TOKEN]: { username: 'ci-bot', scopes: ['api'], expiresAt: daysFromNow(3) } },
          ...tls,
        }),
      );
      const vars = { Git__Url: gitlab.url, Git__Token: TOKEN, Git__CaCertificatePath: env.caCertPath };

      const run = await stellaAsync(['doctor', 'run', '--check', ID, '--format', format, '--verbose'], { env: vars });
      const out = run.stdout + run.stderr;

      expect(run.status).toBe(0); // a warning does not fail the run without --fail-on warn
      for (const form of [TOKEN, Buffer.from(TOKEN).toString('base64'), Buffer.from(`:${TOKEN}`).toString('base64')])
        expect(out).not.toContain(form);
      if (format === 'json') expect(JSON.parse(run.stdout).results[0]).toMatchObject({ checkId: ID, severity: 'warn' });
      expect(tokenCarriers(gitlab.requests).every((c) => c.endsWith(' private-token'))).toBe(true);
      expect(tokenCarriers(gitlab.requests)).toHaveLength(3);
    },
  );
});
