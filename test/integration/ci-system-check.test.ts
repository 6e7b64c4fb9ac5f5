// check.integration.ci.system end to end against fakes of Jenkins, GitLab, GitHub, Azure DevOps and a
// generic /health endpoint: every verdict row, the connection verdicts (TLS, refused, hung), several
// systems in one result, and the real CLI with canary secrets that must appear nowhere but in the one
// header each belongs in.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { startAzureDevOps } from '../fakes/azure-devops-connection-api.js';
import { startHealthEndpoint } from '../fakes/ci-health-endpoint.js';
import { startGitHub } from '../fakes/github-actions-api.js';
import { startGitLab, GITLAB_VERSION } from '../fakes/gitlab-runners-api.js';
import { startHungRegistry } from '../fakes/hung-registry.js';
import { JENKINS_VERSION, startJenkins } from '../fakes/jenkins-api.js';
import { listenLocal } from '../fakes/listen.js';
import type { RecordedRequest, Recording } from '../fakes/recording-server.js';
import { stellaAsync } from './cli.js';
import { check } from './doctor.js';

const CI = 'check.integration.ci.system';
const env = loadTestEnv();
const JENKINS_TOKEN = 'canary-jenkins-11ab22cd33ef';
const GITLAB_TOKEN = 'glpat-canary-4455aa66bb77';
const GITHUB_TOKEN = 'ghp_canary8899cc00dd11ee22';
const AZURE_TOKEN = 'canary-ado-pat-33ff44aa55bb';

const servers: Recording[] = [];
async function started(server: Promise<Recording>): Promise<Recording> {
  servers.push(await server);
  return servers.at(-1)!;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** The settings of system N of CI:Systems. */
function system(n: number, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`CI:Systems:${n}:${k}`, v]));
}

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const paths = (requests: RecordedRequest[]): string[] => requests.map((r) => `${r.method} ${r.path}`);

async function closedPort(): Promise<number> {
  const running = await listenLocal(net.createServer());
  await running.close();
  return running.port;
}

describe('Jenkins 2.452 LTS', () => {
  let jenkins: Recording;
  let dark: Recording;
  let starting: Recording;
  beforeAll(async () => {
    jenkins = await started(
      startJenkins({
        users: { svc: JENKINS_TOKEN },
        nodes: [
          { displayName: 'agent-1', numExecutors: 2, busy: 1 },
          { displayName: 'agent-2', numExecutors: 2, offline: true },
        ],
      }),
    );
    dark = await started(
      startJenkins({
        users: { svc: JENKINS_TOKEN },
        nodes: [
          { displayName: 'agent-1', numExecutors: 2, offline: true },
          { displayName: 'agent-2', numExecutors: 1, offline: true },
        ],
      }),
    );
    starting = await started(startJenkins({ starting: true }));
  });
  const settings = (url: string, token = JENKINS_TOKEN): Record<string, string> =>
    system(0, { Name: 'build', Type: 'jenkins', Url: url, Username: 'svc', Token: token });

  it('passes with executors online, counting them, naming the offline node, sending the API token as Basic', async () => {
    jenkins.requests.length = 0;
    const result = await check(CI, settings(jenkins.url));

    expect(result.severity).toBe('pass');
    expect(result.diagnosis).toBe(
      `build (Jenkins ${JENKINS_VERSION}) is reachable: 2 of 4 executors online, 1 busy; offline: agent-2.`,
    );
    expect(result.evidence).toMatchObject({
      ci_name: 'build',
      ci_type: 'jenkins',
      ci_url: jenkins.url,
      ci_version: JENKINS_VERSION,
      status_code: 200,
      executors_total: 4,
      executors_online: 2,
      executors_busy: 1,
      offline_nodes: ['agent-2'],
      systems: ['build: pass'],
    });
    expect(paths(jenkins.requests)).toEqual(['GET /api/json', 'GET /computer/api/json']);
    for (const r of jenkins.requests) expect(r.headers.authorization).toBe(basic('svc', JENKINS_TOKEN));
  });

  it('warns when every executor is offline, naming the nodes and the Jenkins CLI command', async () => {
    const result = await check(CI, settings(dark.url));

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain('none of its 3 executors is online (offline: agent-1, agent-2)');
    expect(result.evidence).toMatchObject({ executors_total: 3, executors_online: 0 });
    expect(result.remediation.steps.map((s) => s.command).join('\n')).toContain(
      `java -jar jenkins-cli.jar -s ${dark.url}/ -auth svc:'<api-token>' connect-node agent-1`,
    );
  });

  it('fails on a rejected API token (401), asking for no more', async () => {
    jenkins.requests.length = 0;
    const result = await check(CI, settings(jenkins.url, 'canary-wrong-token-0099'));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toBe('build rejected the configured credentials (401 to GET /api/json).');
    expect(paths(jenkins.requests)).toEqual(['GET /api/json']);
  });

  it('fails on anonymous access refused with 403, and says a token without a username was not sent', async () => {
    jenkins.requests.length = 0;
    const result = await check(
      CI,
      system(0, { Name: 'build', Type: 'jenkins', Url: jenkins.url, Token: JENKINS_TOKEN }),
    );

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('refused anonymous access (403 to GET /api/json)');
    expect(result.diagnosis).toContain('CI:Systems:0:Token is set without CI:Systems:0:Username');
    expect(jenkins.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('fails while Jenkins is starting (503 to the health probe)', async () => {
    const result = await check(CI, settings(starting.url));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('answered 503 to GET /api/json: the Jenkins itself is unhealthy');
  });
});

describe('GitLab 17 over TLS', () => {
  let gitlab: Recording;
  let idle: Recording;
  beforeAll(async () => {
    const runners = [
      { id: 1, description: 'docker-1', status: 'online' as const },
      { id: 2, description: 'docker-2', status: 'online' as const },
      { id: 3, description: 'docker-3', status: 'offline' as const },
      { id: 4, description: 'old-shell', status: 'stale' as const },
    ];
    const tokens = { [GITLAB_TOKEN]: ['read_api'], 'glpat-readuser-only-0001': ['read_user'] };
    gitlab = await started(startGitLab({ tls: env.certs.server, tokens, runners }));
    idle = await started(
      startGitLab({ tls: env.certs.server, tokens, runners: [{ id: 9, description: 'k8s-1', status: 'offline' }] }),
    );
  });
  const settings = (url: string, more: Record<string, string> = {}): Record<string, string> =>
    system(0, {
      Name: 'gitlab',
      Type: 'gitlab',
      Url: url,
      Token: GITLAB_TOKEN,
      CaCertificatePath: env.caCertPath,
      ...more,
    });

  it('passes with runners online, counting online and offline ones, the token in PRIVATE-TOKEN only', async () => {
    gitlab.requests.length = 0;
    const result = await check(CI, settings(gitlab.url));

    expect(result.severity).toBe('pass');
    expect(result.diagnosis).toBe(
      `gitlab (GitLab ${GITLAB_VERSION}) is reachable: 2 of 3 runners online; offline: docker-3.`,
    );
    expect(result.evidence).toMatchObject({
      ci_version: GITLAB_VERSION,
      runners_total: 3,
      runners_online: 2,
      offline_runners: ['docker-3'],
    });
    expect(paths(gitlab.requests)).toEqual([
      'GET /api/v4/version',
      'GET /api/v4/runners?status=online&per_page=100',
      'GET /api/v4/runners?status=offline&per_page=100',
    ]);
    for (const r of gitlab.requests) {
      expect(r.headers['private-token']).toBe(GITLAB_TOKEN);
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it('fails with tls_untrusted without the CA, and the fix names the system’s own CA key', async () => {
    const result = await check(CI, system(0, { Name: 'gitlab', Type: 'gitlab', Url: gitlab.url, Token: GITLAB_TOKEN }));

    expect(result.severity).toBe('fail');
    expect(result.evidence).toMatchObject({ error_class: 'tls_untrusted', ci_name: 'gitlab', ci_type: 'gitlab' });
    expect(result.diagnosis).toContain('CI:Systems:0:CaCertificatePath');
    expect(result.remediation.steps.map((s) => s.command).join('\n')).toContain('CI__Systems__0__CaCertificatePath=');
  });

  it('warns when no runner is online', async () => {
    const result = await check(CI, settings(idle.url));

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain('none of its 1 runners is online (offline: k8s-1)');
    expect(result.remediation.steps.map((s) => s.command).join('\n')).toContain('sudo gitlab-runner verify');
  });

  it('fails without a token (401 to /version) and asks for nothing else', async () => {
    gitlab.requests.length = 0;
    const result = await check(CI, system(0, { Type: 'gitlab', Url: gitlab.url, CaCertificatePath: env.caCertPath }));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toBe(
      'CI:Systems:0 (gitlab) requires credentials (401 to GET /api/v4/version) and none were sent.',
    );
    expect(paths(gitlab.requests)).toEqual(['GET /api/v4/version']);
  });

  it('fails when the token may not list runners (403 insufficient_scope)', async () => {
    const result = await check(CI, settings(gitlab.url, { Token: 'glpat-readuser-only-0001' }));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain(
      'refused the runners listing (GET /api/v4/runners?status=online&per_page=100) (403)',
    );
    expect(result.evidence.runners_status_code).toBe(403);
  });
});

describe('GitHub Actions', () => {
  let github: Recording;
  let busy: Recording;
  beforeAll(async () => {
    const tokens = { [GITHUB_TOKEN]: { 'acme/platform': 'admin' as const, 'acme/docs': 'read' as const } };
    const runners = {
      'acme/platform': [
        { id: 1, name: 'linux-1', status: 'online' as const, busy: true },
        { id: 2, name: 'gpu-1', status: 'offline' as const, busy: false },
      ],
    };
    github = await started(startGitHub({ tokens, runners }));
    busy = await started(startGitHub({ tokens, runners, remaining: 120 }));
  });
  const settings = (url: string, repository = 'acme/platform'): Record<string, string> =>
    system(0, { Name: 'actions', Type: 'github', Url: url, Token: GITHUB_TOKEN, Repository: repository });

  it('passes with the rate limit and the repository’s runners, the token as Bearer', async () => {
    github.requests.length = 0;
    const result = await check(CI, settings(github.url));

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({
      runners_total: 2,
      runners_online: 1,
      runners_busy: 1,
      offline_runners: ['gpu-1'],
      rate_limit_limit: 5000,
      rate_limit_remaining: 4990,
      rate_limit_reset_utc: '2026-01-01T00:00:00.000Z',
    });
    expect(paths(github.requests)).toEqual([
      'GET /rate_limit',
      'GET /repos/acme/platform/actions/runners?per_page=100',
    ]);
    for (const r of github.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${GITHUB_TOKEN}`);
      expect(r.headers['x-github-api-version']).toBe('2022-11-28');
    }
  });

  it('warns when under 10 % of the rate limit is left', async () => {
    const result = await check(CI, settings(busy.url));

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain('only 120 of 5000 GitHub API requests are left until 2026-01-01T00:00:00.000Z');
  });

  it('fails when the token may see the repository but not its runners (403)', async () => {
    const result = await check(CI, settings(github.url, 'acme/docs'));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('refused the runners listing');
  });

  it('warns when the repository does not exist for this token (404)', async () => {
    const result = await check(CI, settings(github.url, 'acme/nothing'));

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain('The repository acme/nothing does not exist or the token may not see it.');
  });

  it('fails when the token is rejected (401 Bad credentials)', async () => {
    const result = await check(CI, { ...settings(github.url), 'CI:Systems:0:Token': 'ghp_canary_wrong_000000' });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toBe('actions rejected the configured credentials (401 to GET /rate_limit).');
  });
});

describe('Azure DevOps and generic systems', () => {
  let azure: Recording;
  let healthy: Recording;
  let down: Recording;
  beforeAll(async () => {
    azure = await started(startAzureDevOps({ tokens: [AZURE_TOKEN] }));
    healthy = await started(startHealthEndpoint({ plain: true }));
    down = await started(startHealthEndpoint({ status: 503 }));
  });

  it('passes on connectionData with a PAT as Basic, asking for 401 instead of a sign-in page', async () => {
    azure.requests.length = 0;
    const result = await check(CI, system(0, { Type: 'azuredevops', Url: `${azure.url}/contoso`, Token: AZURE_TOKEN }));

    expect(result.severity).toBe('pass');
    expect(paths(azure.requests)).toEqual(['GET /contoso/_apis/connectionData']);
    expect(azure.requests[0]!.headers.authorization).toBe(basic('', AZURE_TOKEN));
    expect(azure.requests[0]!.headers['x-tfs-fedauthredirect']).toBe('Suppress');
  });

  it('fails on a rejected PAT (401, not the 203 sign-in page)', async () => {
    const result = await check(
      CI,
      system(0, { Type: 'azuredevops', Url: `${azure.url}/contoso`, Token: 'canary-bad-pat-7' }),
    );

    expect(result.severity).toBe('fail');
    expect(result.evidence.status_code).toBe(401);
  });

  it('passes on a generic /health answering 200 in plain text', async () => {
    const result = await check(CI, system(0, { Name: 'drone', Type: 'generic', Url: healthy.url }));

    expect(result.severity).toBe('pass');
    expect(result.diagnosis).toBe('drone (CI system) is reachable.');
  });

  it('fails on a 5xx health answer', async () => {
    const result = await check(CI, system(0, { Name: 'drone', Type: 'generic', Url: down.url }));

    expect(result.severity).toBe('fail');
    expect(result.evidence.status_code).toBe(503);
  });

  it('probes a system without a Type as generic and says so', async () => {
    const result = await check(CI, system(0, { Name: 'drone', Url: healthy.url }));

    expect(result.severity).toBe('pass');
    expect(result.diagnosis).toContain('No CI:Systems:0:Type is set: probed as generic (GET /health).');
    expect(result.evidence.is_type_assumed).toBe(true);
  });

  it('reads the legacy single system (CI:Url, CI:Type)', async () => {
    const result = await check(CI, { 'CI:Url': healthy.url, 'CI:Type': 'generic' });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({ ci_url: healthy.url, systems: ['CI (generic): pass'] });
  });
});

describe('connection verdicts and configuration', () => {
  it('skips when no CI system is configured', async () => {
    const result = await check(CI, {});

    expect(result.severity).toBe('skip');
    expect(result.diagnosis).toContain('No CI system configured');
  });

  it('fails with refused when nothing listens', async () => {
    const port = await closedPort();
    const result = await check(CI, system(0, { Type: 'jenkins', Url: `http://127.0.0.1:${port}` }));

    expect(result.severity).toBe('fail');
    expect(result.evidence).toMatchObject({ error_class: 'refused', ci_type: 'jenkins' });
  });

  it('fails with timeout, within the check timeout, when the server never answers', async () => {
    const hung = await startHungRegistry();
    try {
      const begun = Date.now();
      const result = await check(CI, system(0, { Type: 'gitlab', Url: hung.url }), { timeoutMs: 1500 });

      expect(result.severity).toBe('fail');
      expect(result.evidence.error_class).toBe('timeout');
      expect(result.evidence.timed_out).toBeUndefined();
      expect(Date.now() - begun).toBeLessThan(1500);
    } finally {
      await hung.close();
    }
  });

  it('warns about a numbered system that has settings but no Url', async () => {
    const healthy = await started(startHealthEndpoint());
    const result = await check(CI, {
      ...system(0, { Type: 'generic', Url: healthy.url }),
      ...system(1, { Name: 'x' }),
    });

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain('CI:Systems:1 has settings but no CI:Systems:1:Url, so it was not checked.');
  });
});

describe('several systems make one result', () => {
  it('reports the worst verdict, names each unhealthy system and lists every verdict', async () => {
    const jenkins = await started(
      startJenkins({ users: { svc: JENKINS_TOKEN }, nodes: [{ displayName: 'agent-1', numExecutors: 2 }] }),
    );
    const gitlab = await started(
      startGitLab({
        tokens: { [GITLAB_TOKEN]: ['read_api'] },
        runners: [{ id: 1, description: 'r1', status: 'offline' }],
      }),
    );
    const port = await closedPort();
    const result = await check(CI, {
      ...system(0, { Name: 'jenkins-main', Type: 'jenkins', Url: jenkins.url, Username: 'svc', Token: JENKINS_TOKEN }),
      ...system(1, { Name: 'gitlab-main', Type: 'gitlab', Url: gitlab.url, Token: GITLAB_TOKEN }),
      ...system(2, { Name: 'drone', Type: 'generic', Url: `http://127.0.0.1:${port}` }),
    });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toMatch(/^2 of 3 CI systems are not healthy\. /);
    expect(result.diagnosis).toContain(
      'gitlab-main (warn): gitlab-main is reachable, but none of its 1 runners is online',
    );
    expect(result.diagnosis).toContain('drone (fail): The CI system cannot be reached (refused)');
    expect(result.diagnosis).not.toContain('jenkins-main (pass)');
    expect(result.evidence).toMatchObject({
      systems: ['jenkins-main: pass', 'gitlab-main: warn', 'drone: fail'],
      ci_name: 'drone',
      error_class: 'refused',
    });
    expect(result.remediation.steps.every((s) => /^(gitlab-main|drone): /.test(s.description))).toBe(true);
  });
});

describe('the real CLI with canary secrets', () => {
  it('keeps every token out of text and JSON output, and sends each only in its own header to its own origin', async () => {
    const jenkins = await started(startJenkins({ users: { svc: JENKINS_TOKEN }, nodes: [] }));
    const gitlab = await started(startGitLab({ tokens: {}, tls: env.certs.server }));
    const github = await started(startGitHub({ tokens: { [GITHUB_TOKEN]: {} }, remaining: 10 }));
    const azure = await started(startAzureDevOps({ tokens: [AZURE_TOKEN] }));
    const vars = {
      CI__Systems__0__Type: 'jenkins',
      CI__Systems__0__Url: jenkins.url,
      CI__Systems__0__Username: 'svc',
      CI__Systems__0__Token: JENKINS_TOKEN,
      CI__Systems__1__Type: 'gitlab',
      CI__Systems__1__Url: gitlab.url,
      CI__Systems__1__Token: GITLAB_TOKEN,
      CI__Systems__1__CaCertificatePath: env.caCertPath,
      CI__Systems__2__Type: 'github',
      CI__Systems__2__Url: github.url,
      CI__Systems__2__Token: GITHUB_TOKEN,
      CI__Systems__2__Repository: 'acme/secret-repo',
      CI__Systems__3__Type: 'azuredevops',
      CI__Systems__3__Url: `${azure.url}/contoso`,
      CI__Systems__3__Token: AZURE_TOKEN,
    };
    const canaries = [JENKINS_TOKEN, GITLAB_TOKEN, GITHUB_TOKEN, AZURE_TOKEN].flatMap((t) => [
      t,
      Buffer.from(t).toString('base64'),
      Buffer.from(`svc:${t}`).toString('base64'),
      Buffer.from(`:${t}`).toString('base64'),
    ]);

    for (const format of ['json', 'text']) {
      const run = await stellaAsync(['doctor', 'run', '--check', CI, '--format', format, '--verbose'], { env: vars });

      expect(run.status, run.stderr).toBe(1);
      for (const canary of canaries) expect(run.stdout + run.stderr).not.toContain(canary);
      if (format === 'json') {
        const result = JSON.parse(run.stdout).results[0];
        expect(result.evidence.systems).toEqual([
          'CI:Systems:0 (jenkins): pass',
          'CI:Systems:1 (gitlab): fail',
          'CI:Systems:2 (github): warn',
          'CI:Systems:3 (azuredevops): pass',
        ]);
        expect(JSON.stringify(result.remediation)).toContain("'PRIVATE-TOKEN: <token>'");
      }
    }

    const only = (server: Recording, header: string, value: string): void => {
      expect(server.requests.length).toBeGreaterThan(0);
      for (const r of server.requests) {
        const { [header]: carried, ...rest } = r.headers;
        expect(carried).toBe(value);
        expect(JSON.stringify(rest) + r.path).not.toMatch(/canary/);
      }
    };
    only(jenkins, 'authorization', basic('svc', JENKINS_TOKEN));
    only(gitlab, 'private-token', GITLAB_TOKEN);
    only(github, 'authorization', `Bearer ${GITHUB_TOKEN}`);
    only(azure, 'authorization', basic('', AZURE_TOKEN));
  });
});
