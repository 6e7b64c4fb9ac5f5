// Every verdict row of the CI system check (SPEC 10.2), judged from facts alone: no network.
import { describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../src/engine/types.js';
import { judgeCiSystem, type Answered, type CiFacts } from '../../src/plugins/integration/systems/ci-system.js';

function answer(path: string, status = 200, over: Partial<Answered> = {}): Answered {
  return { path, status, latencyMs: 7, isApi: true, location: null, isRateLimited: false, ...over };
}

const jenkins: CiFacts = {
  name: 'build',
  section: 'CI:Systems:0',
  type: 'jenkins',
  isTypeAssumed: false,
  url: 'https://jenkins.example',
  urlKey: 'CI:Systems:0:Url',
  hasToken: true,
  username: 'svc',
  skipTlsVerify: false,
  probe: answer('/api/json'),
  version: '2.452.3',
  poolAnswer: answer('/computer/api/json'),
  pool: { total: 4, online: 2, busy: 1, offline: ['agent-2'] },
};

const gitlab: CiFacts = {
  ...jenkins,
  name: 'gitlab',
  section: 'CI:Systems:1',
  type: 'gitlab',
  url: 'https://gitlab.example',
  urlKey: 'CI:Systems:1:Url',
  username: undefined,
  probe: answer('/api/v4/version'),
  version: '17.5.2-ee',
  poolAnswer: answer('/api/v4/runners?status=online&per_page=100'),
  pool: { total: 3, online: 2, busy: null, offline: ['docker-3'] },
};

const github: CiFacts = {
  ...jenkins,
  name: 'actions',
  section: 'CI:Systems:2',
  type: 'github',
  url: 'https://api.github.com',
  urlKey: 'CI:Systems:2:Url',
  username: undefined,
  repository: 'acme/platform',
  probe: answer('/rate_limit'),
  version: null,
  poolAnswer: answer('/repos/acme/platform/actions/runners?per_page=100'),
  pool: { total: 2, online: 1, busy: 1, offline: ['gpu-1'] },
  rateLimit: { limit: 5000, remaining: 4990, resetUtc: '2026-01-01T00:00:00.000Z' },
};

const { poolAnswer: _p, pool: _q, ...noPool } = jenkins;
const azure: CiFacts = {
  ...noPool,
  name: 'ado',
  type: 'azuredevops',
  url: 'https://dev.azure.com/contoso',
  username: undefined,
  probe: answer('/_apis/connectionData'),
  version: null,
};
const generic: CiFacts = {
  ...noPool,
  name: 'drone',
  type: 'generic',
  hasToken: false,
  username: undefined,
  probe: answer('/health'),
  version: null,
};

type Row = [string, CiFacts, CheckOutcome['severity'], RegExp, Record<string, unknown>];

describe('judgeCiSystem', () => {
  it.each<Row>([
    [
      'Jenkins reachable with executors online',
      jenkins,
      'pass',
      /^build \(Jenkins 2\.452\.3\) is reachable: 2 of 4 executors online, 1 busy; offline: agent-2\.$/,
      { executors_total: 4, executors_online: 2, executors_busy: 1, offline_nodes: ['agent-2'], auth_method: 'basic' },
    ],
    [
      'Jenkins with no executors configured at all (zero total is not a warning)',
      { ...jenkins, pool: { total: 0, online: 0, busy: 0, offline: [] } },
      'pass',
      /is reachable, with no executors configured\.$/,
      { executors_total: 0 },
    ],
    [
      'Jenkins with every executor offline',
      { ...jenkins, pool: { total: 3, online: 0, busy: 0, offline: ['agent-1', 'agent-2'] } },
      'warn',
      /none of its 3 executors is online \(offline: agent-1, agent-2\): jobs will queue/,
      { executors_online: 0, offline_nodes: ['agent-1', 'agent-2'] },
    ],
    [
      'Jenkins rejects the API token (401)',
      { ...jenkins, probe: answer('/api/json', 401, { isApi: false }), poolAnswer: undefined, pool: undefined },
      'fail',
      /^build rejected the configured credentials \(401 to GET \/api\/json\)\.$/,
      { status_code: 401 },
    ],
    [
      'Jenkins refuses an anonymous client with 403',
      { ...jenkins, hasToken: false, username: undefined, probe: answer('/api/json', 403), pool: undefined },
      'fail',
      /refused anonymous access \(403 to GET \/api\/json\): Jenkins answers 403, not 401/,
      { auth_method: 'none' },
    ],
    [
      'Jenkins token without a username is not sent, and the diagnosis says so',
      { ...jenkins, username: undefined, probe: answer('/api/json', 403), pool: undefined },
      'fail',
      /refused anonymous access.*CI:Systems:0:Token is set without CI:Systems:0:Username/,
      { auth_method: 'none' },
    ],
    [
      'credentials accepted but the listing is forbidden (403)',
      { ...jenkins, poolAnswer: answer('/computer/api/json', 403), pool: undefined },
      'fail',
      /accepted the credentials but refused the executors listing \(GET \/computer\/api\/json\) \(403\)/,
      { executors_status_code: 403 },
    ],
    [
      'a 5xx health answer',
      { ...jenkins, probe: answer('/api/json', 503, { isApi: false }), poolAnswer: undefined, pool: undefined },
      'fail',
      /answered 503 to GET \/api\/json: the Jenkins itself is unhealthy/,
      { status_code: 503 },
    ],
    [
      'an HTML page where the API should answer',
      { ...jenkins, probe: answer('/api/json', 200, { isApi: false }), poolAnswer: undefined, pool: undefined },
      'warn',
      /answered 200 with a body that is not JSON to GET \/api\/json: that is not the Jenkins API/,
      {},
    ],
    [
      'a redirect (never followed)',
      {
        ...jenkins,
        probe: answer('/api/json', 302, { isApi: false, location: 'https://sso.example/login' }),
        poolAnswer: undefined,
        pool: undefined,
      },
      'warn',
      /answered 302 to GET \/api\/json \(to https:\/\/sso\.example\/login\)/,
      { redirect_location: 'https://sso.example/login' },
    ],
    [
      'a listing that fails with 500 (the health answer was good)',
      { ...jenkins, poolAnswer: answer('/computer/api/json', 500, { isApi: false }), pool: undefined },
      'warn',
      /answered 500 .* its executors could not be counted/,
      { status_code: 200, executors_status_code: 500 },
    ],
    [
      'GitLab with runners online',
      gitlab,
      'pass',
      /^gitlab \(GitLab 17\.5\.2-ee\) is reachable: 2 of 3 runners online; offline: docker-3\.$/,
      {
        runners_total: 3,
        runners_online: 2,
        offline_runners: ['docker-3'],
        ci_version: '17.5.2-ee',
        auth_method: 'token',
      },
    ],
    [
      'GitLab without a token (401 to /version)',
      { ...gitlab, hasToken: false, probe: answer('/api/v4/version', 401), poolAnswer: undefined, pool: undefined },
      'fail',
      /^gitlab requires credentials \(401 to GET \/api\/v4\/version\) and none were sent\.$/,
      { auth_method: 'none' },
    ],
    [
      'GitLab token without a scope that may list runners (403)',
      { ...gitlab, poolAnswer: answer('/api/v4/runners?status=online&per_page=100', 403), pool: undefined },
      'fail',
      /refused the runners listing/,
      { runners_status_code: 403 },
    ],
    [
      'GitLab with zero online runners out of two',
      { ...gitlab, pool: { total: 2, online: 0, busy: null, offline: ['docker-1', 'docker-2'] } },
      'warn',
      /none of its 2 runners is online \(offline: docker-1, docker-2\)/,
      { runners_online: 0 },
    ],
    [
      'GitHub with runners online and plenty of rate limit',
      github,
      'pass',
      /^actions \(GitHub\) is reachable: 1 of 2 runners online, 1 busy; offline: gpu-1; 4990 of 5000 API requests left\.$/,
      { runners_total: 2, rate_limit_remaining: 4990, rate_limit_reset_utc: '2026-01-01T00:00:00.000Z' },
    ],
    [
      'GitHub rate limit at exactly 10 % is still a pass',
      { ...github, rateLimit: { limit: 5000, remaining: 500, resetUtc: null } },
      'pass',
      /500 of 5000 API requests left/,
      {},
    ],
    [
      'GitHub rate limit under 10 %',
      { ...github, rateLimit: { limit: 5000, remaining: 499, resetUtc: '2026-01-01T00:00:00.000Z' } },
      'warn',
      /only 499 of 5000 GitHub API requests are left until 2026-01-01T00:00:00\.000Z/,
      { rate_limit_remaining: 499 },
    ],
    [
      'GitHub answers a used-up limit with 403: a rate-limit warning, not a permission failure',
      {
        ...github,
        rateLimit: { limit: 5000, remaining: 0, resetUtc: null },
        poolAnswer: answer('/repos/acme/platform/actions/runners?per_page=100', 403, { isRateLimited: true }),
        pool: undefined,
      },
      'warn',
      /only 0 of 5000 GitHub API requests are left/,
      {},
    ],
    [
      'GitHub repository that the token cannot see (404)',
      { ...github, poolAnswer: answer('/repos/acme/platform/actions/runners?per_page=100', 404), pool: undefined },
      'warn',
      /its runners could not be counted\. The repository acme\/platform does not exist or the token may not see it\./,
      { runners_status_code: 404 },
    ],
    [
      'GitHub without a repository: rate limit only, and a hint',
      { ...github, repository: undefined, poolAnswer: undefined, pool: undefined },
      'pass',
      /4990 of 5000 API requests left; set CI:Systems:2:Repository to count its runners\.$/,
      {},
    ],
    [
      'GitHub with a repository that is not owner/repo',
      {
        ...github,
        repository: '../x',
        poolAnswer: undefined,
        pool: undefined,
        poolSkipped: "'../x' is not owner/repo",
      },
      'pass',
      /CI:Systems:2:Repository '\.\.\/x' is not owner\/repo: runners were not counted\./,
      {},
    ],
    [
      'GitHub Enterprise URL without /api/v3 (404 to /rate_limit)',
      { ...github, probe: answer('/rate_limit', 404), poolAnswer: undefined, pool: undefined, rateLimit: undefined },
      'warn',
      /answered 404 to GET \/rate_limit: that is not the GitHub API/,
      {},
    ],
    [
      'Azure DevOps connectionData answered',
      azure,
      'pass',
      /^ado \(Azure DevOps\) is reachable\.$/,
      { ci_type: 'azuredevops' },
    ],
    [
      'Azure DevOps rejects the token (401)',
      { ...azure, probe: answer('/_apis/connectionData', 401, { isApi: false }) },
      'fail',
      /rejected the configured credentials/,
      { auth_method: 'basic' },
    ],
    [
      'a generic /health answering 200',
      generic,
      'pass',
      /^drone \(CI system\) is reachable\.$/,
      { auth_method: 'none' },
    ],
    [
      'a generic /health answering 503',
      { ...generic, probe: answer('/health', 503) },
      'fail',
      /answered 503 to GET \/health: the CI system itself is unhealthy/,
      {},
    ],
    [
      'a system without a Type, probed as generic, whose /health is 404',
      { ...generic, isTypeAssumed: true, probe: answer('/health', 404) },
      'warn',
      /answered 404 to GET \/health.* No CI:Systems:0:Type is set: probed as generic \(GET \/health\)\./,
      { is_type_assumed: true },
    ],
    [
      'a rate limiter in front of the system (429 without GitHub headers)',
      { ...generic, probe: answer('/health', 429) },
      'warn',
      /answered 429 to GET \/health/,
      {},
    ],
  ])('%s → %s', (_name, facts, severity, diagnosis, evidence) => {
    const outcome = judgeCiSystem(facts);

    expect(outcome.severity).toBe(severity);
    expect(outcome.diagnosis).toMatch(diagnosis);
    expect(outcome.evidence).toMatchObject({
      ci_name: facts.name,
      ci_type: facts.type,
      ci_url: facts.url,
      ...evidence,
    });
    if (severity !== 'pass') {
      expect(outcome.likelyCauses?.length).toBeGreaterThan(0);
      expect(outcome.remediation?.length).toBeGreaterThan(0);
    }
  });
});

describe('remediation', () => {
  const commands = (o: CheckOutcome): string => (o.remediation ?? []).map((s) => s.command ?? '').join('\n');

  it('repeats a rejected Jenkins request with the user and an API-token placeholder, and stores both keys', () => {
    const outcome = judgeCiSystem({ ...jenkins, probe: answer('/api/json', 401), pool: undefined });
    const text = commands(outcome);

    expect(text).toContain("curl -sS -i -u svc:'<api-token>' https://jenkins.example/api/json");
    expect(text).toContain("curl -sS -i -u svc:'<api-token>' https://jenkins.example/whoAmI/api/json");
    expect(text).toContain(`"CI__Systems__0__Token='<token>'"`);
    expect(text).toContain(
      "jq --arg v0 '<token>' --arg v1 svc '.CI.Systems[0].Token = $v0 | .CI.Systems[0].Username = $v1'",
    );
    expect(text).toContain(
      "kubectl create secret generic stellaops-ci-systems-0-credentials --from-literal=CI__Systems__0__Token='<token>' --from-literal=CI__Systems__0__Username=svc",
    );
    expect(new Set(outcome.remediation!.map((s) => s.environment))).toEqual(
      new Set(['any', 'compose', 'baremetal', 'kubernetes']),
    );
  });

  it('sends GitLab and GitHub tokens in their own headers, as placeholders', () => {
    const lab = commands(judgeCiSystem({ ...gitlab, probe: answer('/api/v4/version', 401), pool: undefined }));
    const hub = commands(
      judgeCiSystem({ ...github, poolAnswer: answer(github.poolAnswer!.path, 403), pool: undefined }),
    );

    expect(lab).toContain("curl -sS -i -H 'PRIVATE-TOKEN: <token>' https://gitlab.example/api/v4/version");
    expect(lab).toContain('glab auth status --hostname gitlab.example');
    expect(hub).toContain(
      "curl -sS -i -H 'Authorization: Bearer <token>' 'https://api.github.com/repos/acme/platform/actions/runners?per_page=100'",
    );
    expect(hub).toContain('gh auth status --hostname github.com');
  });

  it('brings runners back per environment when none is online', () => {
    const lab = commands(
      judgeCiSystem({ ...gitlab, pool: { total: 1, online: 0, busy: null, offline: ['docker-1'] } }),
    );
    const hub = commands(judgeCiSystem({ ...github, pool: { total: 1, online: 0, busy: 0, offline: ['gpu-1'] } }));
    const jen = commands(judgeCiSystem({ ...jenkins, pool: { total: 2, online: 0, busy: 0, offline: ['agent-1'] } }));

    expect(lab).toContain("glab api --hostname gitlab.example 'runners?status=offline'");
    expect(lab).toContain('sudo gitlab-runner verify');
    expect(lab).toContain('kubectl get pods -A -l app=gitlab-runner');
    expect(hub).toContain(
      "gh api --hostname github.com /repos/acme/platform/actions/runners --jq '.runners[] | [.name, .status, .busy] | @tsv'",
    );
    expect(hub).toContain("sudo systemctl restart 'actions.runner.*'");
    expect(jen).toContain(
      "java -jar jenkins-cli.jar -s https://jenkins.example/ -auth svc:'<api-token>' connect-node agent-1",
    );
  });

  it('offers the Type key when the type was assumed', () => {
    const text = commands(judgeCiSystem({ ...generic, isTypeAssumed: true, probe: answer('/health', 404) }));

    expect(text).toContain(`"CI__Systems__0__Type='jenkins|gitlab|github|azuredevops|generic'"`);
  });
});
