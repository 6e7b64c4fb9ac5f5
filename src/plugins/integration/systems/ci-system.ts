// check.integration.ci.system — can the platform reach its CI systems, and do they have anything to
// run jobs on? SPEC 10.2: each configured system (`CI:Systems:N`, or the legacy `CI` section) gets
// the health probe of its type and, where the type has one, a count of its executors or runners:
// Jenkins `GET /api/json` + `GET /computer/api/json`, GitLab `GET /api/v4/version` + the online and
// offline runners, GitHub `GET /rate_limit` (+ the repository's self-hosted runners with
// `:Repository`), Azure DevOps `GET /_apis/connectionData`, anything else `GET /health`.
// Unreachable, 401, 403 or 5xx → fail; nothing online out of a non-zero total → warn; GitHub rate
// limit under 10 % → warn; else pass. Several systems make one result (combineSystems).
//
// gatherCi asks one system (network only through the lazily loaded http-probe) and returns facts;
// judgeCiSystem, pure and synchronous, turns them into that system's verdict.

import type { CanRun, CheckContext, CheckOutcome, Evidence } from '../../../engine/types.js';
import { basicAuthorization } from '../../../net/basic-auth.js';
import { registerCredentialPair } from '../../../util/redact.js';
import { shellQuote } from '../../../util/shell.js';
import { curlCommand, type CurlOptions } from '../shared/curl-command.js';
import { ARTICLES, integrationCheck } from '../shared/define.js';
import type { Answer, SystemClient, SystemKind } from '../shared/http-probe.js';
import { pathBelow, readSystem, type HttpSystem } from '../shared/http-system.js';
import { curlTlsOptions, envVarName, numbered, probeStep, setConfigSteps, type Step } from '../shared/remediation.js';
import {
  combineSystems,
  readSections,
  runnableWhenConfigured,
  sectionWithoutUrl,
  type ConfiguredSection,
  type SystemVerdict,
} from '../shared/systems.js';

// Keys: CI:Systems:N:{Name,Type,Url,Token,Username,Repository,CaCertificatePath,SkipTlsVerify,
// AllowInsecureCredentials}; the legacy single system reads the same names under `CI`.
const LIST = 'CI:Systems';
const LEGACY = 'CI';
const TYPES = ['jenkins', 'gitlab', 'github', 'azuredevops', 'generic'] as const;
export type CiType = (typeof TYPES)[number];
const LOW_RATE_LIMIT = 0.1;

/** One request's answer, as facts. */
export interface Answered {
  path: string;
  status: number;
  latencyMs: number;
  /** The body was the product's JSON API (not an HTML page). */
  isApi: boolean;
  location: string | null;
  /** GitHub: the answer says the rate limit is used up (403/429 with x-ratelimit-remaining: 0). */
  isRateLimited: boolean;
}

/** What runs the jobs: Jenkins executors or runners, counted. */
export interface Pool {
  total: number;
  online: number;
  busy: number | null;
  /** Names of the offline nodes or runners. */
  offline: string[];
}

export interface CiFacts {
  name: string;
  section: string;
  type: CiType;
  /** No `:Type` was configured; the type was chosen from the host (or `generic`). */
  isTypeAssumed: boolean;
  /** The base URL requests went below. */
  url: string;
  urlKey: string;
  hasToken: boolean;
  username?: string;
  repository?: string;
  caPath?: string;
  skipTlsVerify: boolean;
  probe: Answered;
  version: string | null;
  /** The executor or runner listing, when the type has one and the probe passed. */
  poolAnswer?: Answered;
  pool?: Pool;
  /** Why the pool was not asked for (a `:Repository` that is not owner/repo). */
  poolSkipped?: string;
  rateLimit?: { limit: number; remaining: number; resetUtc: string | null };
}

/** Per type: the probe, what runs jobs, the server's unit/compose service, its agents, where tokens are made. */
interface Product {
  label: string;
  probe: string;
  pool?: 'executors' | 'runners';
  unit: string;
  /** The agents' compose service and systemd unit (a pattern), a self-test, and how to see their pods. */
  agents?: { compose: string; systemd: string; verify?: string; pods: string };
  /** Where a token is created (below the web URL), and what it needs. */
  token?: [at: string, needs: string];
}

const PRODUCTS: Record<CiType, Product> = {
  jenkins: {
    label: 'Jenkins',
    probe: 'api/json',
    pool: 'executors',
    unit: 'jenkins',
    agents: {
      compose: 'jenkins-agent',
      systemd: 'jenkins-agent',
      pods: 'kubectl get pods -A -l jenkins/label -o wide',
    },
    token: ['/me/configure', 'an API token of the user in :Username'],
  },
  gitlab: {
    label: 'GitLab',
    probe: 'api/v4/version',
    pool: 'runners',
    unit: 'gitlab-runsvdir',
    agents: {
      compose: 'gitlab-runner',
      systemd: 'gitlab-runner',
      verify: 'sudo gitlab-runner verify',
      pods: 'kubectl get pods -A -l app=gitlab-runner\nkubectl rollout restart deployment/gitlab-runner -n <namespace>',
    },
    token: ['/-/user_settings/personal_access_tokens', 'the read_api scope'],
  },
  github: {
    label: 'GitHub',
    probe: 'rate_limit',
    pool: 'runners',
    unit: 'github',
    agents: {
      compose: 'github-runner',
      systemd: "'actions.runner.*'",
      pods: 'kubectl get autoscalingrunnersets -A\nkubectl get pods -A -l actions.github.com/scale-set-name',
    },
    token: ['/settings/tokens', 'classic: repo scope; fine-grained: Administration read'],
  },
  azuredevops: {
    label: 'Azure DevOps',
    probe: '_apis/connectionData',
    unit: 'azure-devops',
    token: ['/_usersSettings/tokens', 'a personal access token'],
  },
  generic: { label: 'CI system', probe: 'health', unit: 'ci' },
};

// ---- configuration -------------------------------------------------------------------------

function configured(config: CheckContext['config']): ConfiguredSection[] {
  const keys = { more: { Repository: [] } };
  const legacy = readSystem(config, { section: LEGACY, ...keys });
  return [...readSections(config, LIST, () => keys), ...(legacy ? [{ system: legacy }] : [])];
}

function canRunCi(ctx: CheckContext): CanRun {
  return runnableWhenConfigured(
    configured(ctx.config),
    'No CI system configured: set CI:Systems:0:Url and :Type (or CI:Url).',
  );
}

/**
 * The configured type, or one chosen from the host (github.com and Azure DevOps are known, anything
 * else is probed as generic); an unnamed system is called by its section and type.
 */
function identify(config: CheckContext['config'], system: HttpSystem): Identity {
  const host = system.url.hostname;
  const configuredType = TYPES.find((t) => t === system.type);
  const type =
    configuredType ??
    (/^(api\.)?github\.com$/.test(host)
      ? 'github'
      : host === 'dev.azure.com' || host.endsWith('.visualstudio.com')
        ? 'azuredevops'
        : 'generic');
  const named = config.first(`${system.section}:Name`)?.value.trim();
  return { name: named || `${system.section} (${type})`, type, isTypeAssumed: !configuredType };
}

/** github.com's REST API lives on api.github.com. */
function apiSystem(system: HttpSystem, type: CiType): HttpSystem {
  return type === 'github' && system.url.hostname === 'github.com'
    ? { ...system, url: new URL('https://api.github.com') }
    : system;
}

// ---- gather --------------------------------------------------------------------------------

/** The request headers that carry the credential, by type; Jenkins needs a username with its API token. */
function credentialHeaders(type: CiType, system: HttpSystem): Record<string, string> | undefined {
  const token = system.token?.value;
  if (!token) return undefined;
  const basic = (user: string): Record<string, string> => {
    registerCredentialPair(user, token);
    return { authorization: basicAuthorization(user, token) };
  };
  if (type === 'jenkins') return system.username ? basic(system.username.value) : undefined;
  if (type === 'azuredevops') return basic(system.username?.value ?? '');
  if (type === 'gitlab') return { 'private-token': token };
  return { authorization: `Bearer ${token}` };
}

/** Non-secret headers: GitHub's media type and API version; Azure DevOps answers 401, not a sign-in page. */
const HEADERS: Partial<Record<CiType, Record<string, string>>> = {
  github: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
  azuredevops: { 'x-tfs-fedauthredirect': 'Suppress' },
};

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** A generic system's /health may answer in any format; the products answer JSON. */
function answered(path: string, a: Answer, type: CiType): Answered {
  return {
    path: `/${path}`,
    status: a.status,
    latencyMs: a.latencyMs,
    isApi: type === 'generic' || a.document !== undefined,
    location: a.header('location'),
    isRateLimited: (a.status === 403 || a.status === 429) && a.header('x-ratelimit-remaining') === '0',
  };
}

const isOk = (a: Answered): boolean => a.status >= 200 && a.status < 300 && a.isApi;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const rows = (v: unknown): Array<Record<string, unknown>> =>
  Array.isArray(v) ? v.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null) : [];

/** Jenkins `computer[]`: executors of online computers count as online; offline computers by name. */
function jenkinsPool(json: Record<string, unknown>): Pool {
  const computers = rows(json.computer);
  const executors = (cs: typeof computers): number => cs.reduce((sum, c) => sum + num(c.numExecutors), 0);
  const offline = computers.filter((c) => c.offline === true);
  return {
    total: executors(computers),
    online: executors(computers.filter((c) => c.offline !== true)),
    busy: num(json.busyExecutors),
    offline: offline.map((c) => String(c.displayName ?? '?')),
  };
}

/** A GitLab or GitHub runner's name as people know it. */
const runnerName = (r: Record<string, unknown>): string => String(r.description || r.name || `#${String(r.id)}`);

async function gatherPool(client: SystemClient, f: CiFacts, auth: Record<string, string> | undefined): Promise<void> {
  const ask = async (path: string): Promise<Answer> => {
    const a = await client.get(path, { ...(auth ? { credentialHeaders: auth } : {}), headers: HEADERS[f.type] });
    f.poolAnswer = answered(path, a, f.type);
    return a;
  };
  if (f.type === 'jenkins') {
    const a = await ask('computer/api/json');
    if (a.json && isOk(f.poolAnswer!)) f.pool = jenkinsPool(a.json);
  } else if (f.type === 'gitlab') {
    const online = await ask('api/v4/runners?status=online&per_page=100');
    if (!isOk(f.poolAnswer!)) return;
    const onlineAnswer = f.poolAnswer!;
    const offline = await ask('api/v4/runners?status=offline&per_page=100');
    if (!isOk(f.poolAnswer!)) return;
    f.poolAnswer = onlineAnswer;
    const count = (a: Answer): number => Number(a.header('x-total')) || rows(a.document).length;
    const names = rows(offline.document).map(runnerName);
    f.pool = { total: count(online) + count(offline), online: count(online), busy: null, offline: names };
  } else if (f.type === 'github' && f.repository !== undefined) {
    if (!REPOSITORY.test(f.repository)) {
      f.poolSkipped = `'${f.repository}' is not owner/repo`;
      return;
    }
    const a = await ask(`repos/${f.repository}/actions/runners?per_page=100`);
    if (!a.json || !isOk(f.poolAnswer!)) return;
    const runners = rows(a.json.runners);
    f.pool = {
      total: num(a.json.total_count),
      online: runners.filter((r) => r.status === 'online').length,
      busy: runners.filter((r) => r.busy === true).length,
      offline: runners.filter((r) => r.status !== 'online').map(runnerName),
    };
  }
}

/** Who a system is in the report: its name, its type, and whether the type was assumed. */
export type Identity = Pick<CiFacts, 'name' | 'type' | 'isTypeAssumed'>;

/** Asks one system; the caller runs it inside gatherFrom, which turns connection trouble into a verdict. */
async function gatherCi(client: SystemClient, id: Identity): Promise<CiFacts> {
  const { system } = client;
  const { type } = id;
  const product = PRODUCTS[type];
  const auth = credentialHeaders(type, system);
  const answer = await client.get(product.probe, {
    ...(auth ? { credentialHeaders: auth } : {}),
    headers: HEADERS[type],
  });
  const facts: CiFacts = {
    ...id,
    section: system.section,
    url: system.url.href.replace(/\/+$/, ''),
    urlKey: system.urlKey,
    hasToken: system.token !== undefined,
    ...(system.username ? { username: system.username.value } : {}),
    ...(system.more.Repository ? { repository: system.more.Repository.value.trim() } : {}),
    ...(system.caCertificatePath ? { caPath: system.caCertificatePath.value } : {}),
    skipTlsVerify: system.skipTlsVerify,
    probe: answered(product.probe, answer, type),
    version: versionOf(type, answer),
  };
  const core = (answer.json?.resources as Record<string, unknown> | undefined)?.core as Record<string, unknown>;
  if (type === 'github' && core && typeof core.limit === 'number') {
    const reset = num(core.reset);
    facts.rateLimit = {
      limit: core.limit,
      remaining: num(core.remaining),
      resetUtc: reset ? new Date(reset * 1000).toISOString() : null,
    };
  }
  if (isOk(facts.probe)) await gatherPool(client, facts, auth);
  return facts;
}

function versionOf(type: CiType, a: Answer): string | null {
  if (type === 'jenkins') return a.header('x-jenkins');
  if (type === 'github') return a.header('x-github-enterprise-version');
  const version = a.json?.version;
  return typeof version === 'string' ? version : null;
}

// ---- judge ---------------------------------------------------------------------------------

const keyOf = (f: CiFacts, name: string): string => `${f.section}:${name}`;
const labelOf = (f: CiFacts): string => PRODUCTS[f.type].label;
const poolNoun = (f: CiFacts): string => PRODUCTS[f.type].pool ?? 'runners';
const hostOf = (f: CiFacts): string => new URL(f.url).host;
/** The host the GitHub CLI knows (github.com for api.github.com). */
const ghHost = (f: CiFacts): string => hostOf(f).replace(/^api\.github\.com$/, 'github.com');
/** Whether the requests carried the credential (a Jenkins API token needs its username). */
const sentCredential = (f: CiFacts): boolean => f.hasToken && (f.type !== 'jenkins' || f.username !== undefined);

/** A step: read-only unless `changes` says it changes something. */
const step = (environment: Step['environment'], description: string, command?: string, changes = false): Step => ({
  environment,
  description,
  ...(command === undefined ? {} : { command }),
  safe: !changes,
});

const verdict = (
  severity: 'warn' | 'fail',
  diagnosis: string,
  evidence: Evidence,
  likelyCauses: string[],
  ...steps: Step[][]
): CheckOutcome => ({ severity, diagnosis, evidence, likelyCauses, remediation: numbered(...steps) });

function evidenceOf(f: CiFacts): Evidence {
  const { pool, rateLimit } = f;
  const prefix = f.type === 'jenkins' ? 'executors' : 'runners';
  return {
    ci_name: f.name,
    ci_type: f.type,
    is_type_assumed: f.isTypeAssumed,
    ci_url: f.url,
    ci_version: f.version,
    status_code: f.probe.status,
    auth_method: !sentCredential(f) ? 'none' : ['jenkins', 'azuredevops'].includes(f.type) ? 'basic' : 'token',
    latency_ms: f.probe.latencyMs,
    ...(f.probe.location ? { redirect_location: f.probe.location } : {}),
    ...(f.poolAnswer ? { [`${prefix}_status_code`]: f.poolAnswer.status } : {}),
    ...(pool && { [`${prefix}_total`]: pool.total, [`${prefix}_online`]: pool.online, [`${prefix}_busy`]: pool.busy }),
    ...(pool && { [f.type === 'jenkins' ? 'offline_nodes' : 'offline_runners']: pool.offline }),
    ...(rateLimit && { rate_limit_limit: rateLimit.limit, rate_limit_remaining: rateLimit.remaining }),
    ...(rateLimit && { rate_limit_reset_utc: rateLimit.resetUtc }),
  };
}

/** How curl sends this type's credential, the secret as a placeholder. */
function curlAuth(f: CiFacts): Pick<CurlOptions, 'basicUser' | 'basicSecret' | 'headers'> {
  if (f.type === 'jenkins') return { basicUser: f.username ?? '<user>', basicSecret: '<api-token>' };
  if (f.type === 'azuredevops') return { basicUser: f.username ?? '', basicSecret: '<token>' };
  if (f.type === 'gitlab') return { headers: { 'PRIVATE-TOKEN': '<token>' } };
  return { headers: { Authorization: 'Bearer <token>' } };
}

function curlOf(f: CiFacts, path: string, withAuth = f.hasToken): string {
  const url = new URL(`${f.url}${path}`);
  const tls = curlTlsOptions(url, f.caPath, f.skipTlsVerify);
  return curlCommand(url, { show: 'response', tls, ...(withAuth ? curlAuth(f) : {}) });
}

const repeat = (f: CiFacts, a: Answered, withAuth?: boolean): Step[] => [
  probeStep(`Repeat GET ${a.path}`, curlOf(f, a.path, withAuth)),
];

/** Store the token (and Jenkins username): .env, appsettings, or a Secret the deployment reads. */
function credentialSteps(f: CiFacts): Step[] {
  const pairs: Array<[string, string]> = [[keyOf(f, 'Token'), '<token>']];
  if (f.type === 'jenkins') pairs.push([keyOf(f, 'Username'), f.username ?? '<user>']);
  const [compose, baremetal] = setConfigSteps(pairs[0]![0], '<token>', pairs.slice(1));
  const secret = `stellaops-${f.section.toLowerCase().replace(/:/g, '-')}-credentials`;
  const literals = pairs.map(([k, v]) => `--from-literal=${envVarName(k)}=${shellQuote(v)}`).join(' ');
  const kubernetes = [
    `kubectl create secret generic ${secret} ${literals} --dry-run=client -o yaml | kubectl apply -f -`,
    `kubectl set env deployment/stellaops-platform --from=secret/${secret}`,
  ].join('\n');
  const keys = pairs.map(([k]) => k).join(', ');
  return [compose!, baremetal!, step('kubernetes', `Keep ${keys} in a Secret the platform reads`, kubernetes, true)];
}

/** Whom the credentials authenticate as, and where a token is made, per type. */
function tokenSteps(f: CiFacts): Step[] {
  const token = PRODUCTS[f.type].token;
  const web = f.type === 'github' ? `https://${ghHost(f)}` : f.url;
  const whoAmI: Partial<Record<CiType, string>> = {
    jenkins: curlOf(f, '/whoAmI/api/json', true),
    gitlab: `glab auth status --hostname ${hostOf(f)}`,
    github: `gh auth status --hostname ${ghHost(f)}`,
  };
  return [
    ...(whoAmI[f.type] ? [step('any', 'See whom the credentials authenticate as', whoAmI[f.type])] : []),
    ...(token ? [step('any', `Create a token (${token[1]}) under ${web}${token[0]}`, undefined, true)] : []),
  ];
}

/** 401 or 403, on the probe or the listing. */
function refused(f: CiFacts, a: Answered, evidence: Evidence): CheckOutcome {
  const what = a === f.probe ? `GET ${a.path}` : `the ${poolNoun(f)} listing (GET ${a.path})`;
  const anonymous = !sentCredential(f);
  const jenkins403 = f.type === 'jenkins' ? ': Jenkins answers 403, not 401, when no credentials are sent' : '';
  const diagnosis = anonymous
    ? a.status === 401
      ? `${f.name} requires credentials (401 to ${what}) and none were sent.`
      : `${f.name} refused anonymous access (403 to ${what})${jenkins403}.`
    : a.status === 401
      ? `${f.name} rejected the configured credentials (401 to ${what}).`
      : `${f.name} accepted the credentials but refused ${what} (403): the account lacks the permission.`;
  const username = f.type === 'jenkins' ? ` or ${keyOf(f, 'Username')}` : '';
  const causes = anonymous
    ? [`${keyOf(f, 'Token')}${username} is not set`]
    : a.status === 403
      ? [`The account or token may not read ${what} (a role or scope is missing)`]
      : ['The token is wrong, expired or revoked', ...(username ? ['The API token belongs to another user'] : [])];
  return verdict('fail', diagnosis, evidence, causes, repeat(f, a, true), tokenSteps(f), credentialSteps(f));
}

/** The product's own command for its nodes or runners, with the real names where they are known. */
function productStep(f: CiFacts): Step {
  const node = shellQuote(f.pool?.offline[0] ?? '<node>');
  const cli = `java -jar jenkins-cli.jar -s ${f.url}/ -auth ${f.username ?? '<user>'}:'<api-token>'`;
  const jenkins = [
    `curl -sSO ${f.url}/jnlpJars/jenkins-cli.jar`,
    `${cli} online-node ${node}`,
    `${cli} connect-node ${node}`,
  ];
  const jq = `--jq '.runners[] | [.name, .status, .busy] | @tsv'`;
  if (f.type === 'jenkins') return step('any', `Bring ${node} back with the Jenkins CLI`, jenkins.join('\n'), true);
  if (f.type === 'gitlab')
    return step('any', 'List the offline runners', `glab api --hostname ${hostOf(f)} 'runners?status=offline'`);
  return step('any', 'List the runners', `gh api --hostname ${ghHost(f)} /repos/${f.repository}/actions/runners ${jq}`);
}

function noneOnline(f: CiFacts, evidence: Evidence): CheckOutcome {
  const { total, offline } = f.pool!;
  const { compose, systemd, verify, pods } = PRODUCTS[f.type].agents!;
  const names = offline.length ? ` (offline: ${offline.join(', ')})` : '';
  const service = [`systemctl status ${systemd} --no-pager`, verify, `sudo systemctl restart ${systemd}`];
  return verdict(
    'warn',
    `${f.name} is reachable, but none of its ${total} ${poolNoun(f)} is online${names}: jobs will queue.`,
    evidence,
    [
      f.type === 'jenkins' ? 'The agents are stopped, disconnected or marked offline' : 'The runners are stopped',
      'The agents lost their network route or their credentials to the CI server',
      'The machines or pods that host them were scaled down',
    ],
    repeat(f, f.poolAnswer!),
    [productStep(f)],
    [
      step(
        'compose',
        'Read the agent logs and restart it',
        `docker compose logs --tail=50 ${compose}\ndocker compose restart ${compose}`,
        true,
      ),
      step('baremetal', 'Check and restart the agent service', service.filter(Boolean).join('\n'), true),
      step('kubernetes', 'Check the agent pods', pods, pods.includes('restart')),
    ],
  );
}

/** The service's own trouble (5xx to the health probe). */
function unhealthy(f: CiFacts, evidence: Evidence): CheckOutcome {
  const unit = PRODUCTS[f.type].unit;
  const saas = /(^|\.)(github\.com|dev\.azure\.com|visualstudio\.com)$/.test(new URL(f.url).hostname);
  return verdict(
    'fail',
    `${f.name} answered ${f.probe.status} to GET ${f.probe.path}: the ${labelOf(f)} itself is unhealthy.`,
    evidence,
    [`The ${labelOf(f)} is starting, overloaded or failing`, 'A proxy in front of it has no healthy backend'],
    repeat(f, f.probe),
    saas
      ? [step('any', "Check the provider's status page for an incident")]
      : [
          step('compose', 'Read its logs', `docker compose logs --tail=100 ${unit}`),
          step('baremetal', 'Read its journal', `journalctl -u ${unit} -n 100 --no-pager`),
          step('kubernetes', 'Read its logs', `kubectl logs -n <namespace> deploy/${unit} --tail=100`),
        ],
  );
}

/** An answer that is not the product's API (404, 3xx, 429, an HTML page), or a listing that failed. */
function unexpected(f: CiFacts, a: Answered, evidence: Evidence): CheckOutcome {
  const probe = a === f.probe;
  const page = a.status >= 200 && a.status < 300 ? ' with a body that is not JSON' : '';
  const noRepo = !probe && f.type === 'github' && a.status === 404;
  const result = probe
    ? `that is not the ${labelOf(f)} API, so its health could not be verified.`
    : `its ${poolNoun(f)} could not be counted.`;
  const to = a.location ? ` (to ${a.location})` : '';
  const repo = noRepo ? ` The repository ${f.repository} does not exist or the token may not see it.` : '';
  const causes = [
    [noRepo, `${keyOf(f, 'Repository')} is misspelled, or the token has no access to it`],
    [probe, `${f.urlKey} points at a web page, a login page or a proxy, not the ${labelOf(f)} API`],
    [probe && f.type === 'github', 'GitHub Enterprise Server serves its API below /api/v3'],
    [f.isTypeAssumed, `${keyOf(f, 'Type')} is not set, so it was probed as ${f.type}`],
    [a.status === 429, 'The CI system is rate limiting this client'],
    [a.status >= 500, `The ${labelOf(f)} failed to answer`],
  ] as const;
  return verdict(
    'warn',
    `${f.name} answered ${a.status}${page} to GET ${a.path}${to}: ${result}${repo}`,
    evidence,
    causes.filter(([applies]) => applies).map(([, cause]) => cause),
    repeat(f, a),
    noRepo ? setConfigSteps(keyOf(f, 'Repository'), '<owner>/<repo>') : [],
    probe ? setConfigSteps(f.urlKey, f.type === 'github' ? 'https://<host>/api/v3' : '<url-of-the-ci-system>') : [],
    f.isTypeAssumed ? setConfigSteps(keyOf(f, 'Type'), TYPES.join('|')) : [],
  );
}

function lowRateLimit(f: CiFacts, evidence: Evidence): CheckOutcome {
  const r = f.rateLimit;
  const until = r?.resetUtc ? ` until ${r.resetUtc}` : '';
  const anonymous = f.hasToken ? '' : ' (anonymous clients get 60 an hour)';
  const left = r ? `${r.remaining} of ${r.limit}` : 'no';
  return verdict(
    'warn',
    `${f.name} is reachable, but only ${left} GitHub API requests are left${until}${anonymous}.`,
    evidence,
    [
      f.hasToken
        ? 'Other automation shares this token and uses up its hourly limit'
        : `${keyOf(f, 'Token')} is not set`,
      'A job or script polls the API in a loop',
    ],
    [
      step(
        'any',
        'See the limits and when they reset',
        `gh api --hostname ${ghHost(f)} /rate_limit --jq .resources.core`,
      ),
    ],
    f.hasToken ? [] : credentialSteps(f),
  );
}

function healthy(f: CiFacts): string {
  const { pool, rateLimit } = f;
  const product = `${labelOf(f)}${f.version ? ` ${f.version}` : ''}`;
  const busy = pool?.busy ? `, ${pool.busy} busy` : '';
  const offline = pool?.offline.length ? `; offline: ${pool.offline.join(', ')}` : '';
  const counts = !pool
    ? ''
    : pool.total === 0
      ? `, with no ${poolNoun(f)} ${f.type === 'jenkins' ? 'configured' : 'registered'}`
      : `: ${pool.online} of ${pool.total} ${poolNoun(f)} online${busy}${offline}`;
  const rate = rateLimit ? `; ${rateLimit.remaining} of ${rateLimit.limit} API requests left` : '';
  const repo = f.type === 'github' && !f.repository ? `; set ${keyOf(f, 'Repository')} to count its runners` : '';
  return `${f.name} (${product}) is reachable${counts}${rate}${repo}.`;
}

/** What the reader should know whatever the verdict: an assumed type, a token that was not sent. */
function notesOf(f: CiFacts): string[] {
  return [
    f.isTypeAssumed ? `No ${keyOf(f, 'Type')} is set: probed as ${f.type} (GET ${f.probe.path}).` : '',
    f.hasToken && !sentCredential(f)
      ? `${keyOf(f, 'Token')} is set without ${keyOf(f, 'Username')}, which a Jenkins API token needs: it was not sent.`
      : '',
    f.poolSkipped ? `${keyOf(f, 'Repository')} ${f.poolSkipped}: runners were not counted.` : '',
  ].filter(Boolean);
}

/** One system's verdict from its facts; pure. */
export function judgeCiSystem(f: CiFacts): CheckOutcome {
  const evidence = evidenceOf(f);
  const { probe, poolAnswer: listing, pool, rateLimit } = f;
  const refusedAt = [probe, listing].find((a) => a && !a.isRateLimited && (a.status === 401 || a.status === 403));
  const outcome =
    probe.isRateLimited || listing?.isRateLimited
      ? lowRateLimit(f, evidence)
      : refusedAt
        ? refused(f, refusedAt, evidence)
        : probe.status >= 500
          ? unhealthy(f, evidence)
          : !isOk(probe) || (listing && !isOk(listing))
            ? unexpected(f, isOk(probe) ? listing! : probe, evidence)
            : pool && pool.total > 0 && pool.online === 0
              ? noneOnline(f, evidence)
              : rateLimit && rateLimit.remaining < LOW_RATE_LIMIT * rateLimit.limit
                ? lowRateLimit(f, evidence)
                : { severity: 'pass' as const, diagnosis: healthy(f), evidence };
  return { ...outcome, diagnosis: [outcome.diagnosis, ...notesOf(f)].join(' ') };
}

// ---- run -----------------------------------------------------------------------------------

async function runCi(ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome> {
  const { gatherFrom } = await import('../shared/http-probe.js');
  const verdicts = await Promise.all(
    configured(ctx.config).map(async (c): Promise<SystemVerdict> => {
      if ('section' in c)
        return sectionWithoutUrl(c.section, { ci_name: c.section, ci_url: null }, 'https://<ci-host>');
      const id = identify(ctx.config, c.system);
      const system = apiSystem(c.system, id.type);
      const product = PRODUCTS[id.type];
      const kind: SystemKind = {
        noun: 'CI system',
        slug: 'ci',
        urlEvidence: 'ci_url',
        probePath: pathBelow(system.url, product.probe),
        serviceNames: { systemd: product.unit, compose: product.unit },
      };
      const got = await gatherFrom(ctx, system, kind, signal, (client) => gatherCi(client, id));
      if (!('failure' in got)) return { name: id.name, outcome: judgeCiSystem(got) };
      const evidence = { ci_name: id.name, ci_type: id.type, ...got.failure.evidence };
      return { name: id.name, outcome: { ...got.failure, evidence } };
    }),
  );
  return combineSystems('CI systems', verdicts);
}

export const ciSystemCheck = integrationCheck({
  id: 'check.integration.ci.system',
  name: 'CI System Connectivity',
  description:
    'Checks that each configured CI system (Jenkins, GitLab, GitHub Actions, Azure DevOps or a generic /health) ' +
    'is reachable, accepts its credentials and has executors or runners online.',
  defaultSeverity: 'warn',
  tags: ['integration', 'ci', 'connectivity'],
  estimatedDurationMs: 3000,
  article: `${ARTICLES}/ci-system.md`,
  needs: { target: LEGACY },
  canRun: canRunCi,
  run: runCi,
});
