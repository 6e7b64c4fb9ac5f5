// check.integration.secrets.manager — are the platform's secrets managers up and serving it?
// SPEC 10.3. Each configured manager is asked its health and judged on its own; several make one
// result (combineSystems). Vault answers `sys/health` with 200 even when sealed or not initialised
// (the query asks it to), so the verdict comes from its JSON — read the same way when a proxy drops
// the query and Vault answers 503, 501, 429, 473 or 472. With a token, `auth/token/lookup-self`
// says whether it is valid and when it expires; the token, its id and its accessor never reach the
// facts. Azure Key Vault answers `/healthstatus` with its `x-ms-keyvault-*` headers; a generic
// manager answers `/health`.
//
// Keys: `Secrets:Managers:N:{Name,Type,Url,Token,Namespace,CaCertificatePath,SkipTlsVerify,
// AllowInsecureCredentials}`. Only when no numbered section exists: one Vault from the legacy keys
// (`Secrets:Vault:*`, then `Vault:*`), each falling back last to the Vault CLI's own VAULT_ADDR,
// VAULT_TOKEN, VAULT_NAMESPACE and VAULT_CACERT. A section without `:Type` is an Azure Key Vault
// when its host is one, else a Vault. A numbered section without `:Url` is not a manager.
//
// gatherManager asks and returns plain facts; judgeSecretsManager, pure and synchronous, turns one
// manager's facts into its verdict.

import type { Configuration } from '../../../config/configuration.js';
import type { CheckContext, CheckOutcome, Evidence, Severity } from '../../../engine/types.js';
import { shellQuote } from '../../../util/shell.js';
import { curlCommand } from '../shared/curl-command.js';
import { ARTICLES, integrationCheck } from '../shared/define.js';
import type { Answer, SystemClient, SystemKind } from '../shared/http-probe.js';
import { pathBelow, readSystem, type HttpSystem, type SectionKeys } from '../shared/http-system.js';
import { fromWherePlatformRuns, numbered, probeStep, setConfigSteps, type Step } from '../shared/remediation.js';
import {
  combineSystems,
  readSections,
  runnableWhenConfigured,
  sectionWithoutUrl,
  type ConfiguredSection,
  type SystemVerdict,
} from '../shared/systems.js';

export type ManagerType = 'vault' | 'azurekeyvault' | 'generic';

const DAY_SECONDS = 86_400;
/** A token that ends within this and cannot be renewed past it is a warning. */
const TOKEN_WARNING_SECONDS = 7 * DAY_SECONDS;
const AZURE_KEY_VAULT_HOST = /\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)$/i;

type Probe = SystemKind & { label: string; request: string };

function probe(label: string, request: string, isVault = false): Probe {
  const service = isVault ? 'vault' : 'secrets-manager';
  return {
    label,
    request,
    noun: isVault ? 'Vault server' : 'secrets manager',
    probePath: `/${request.split('?')[0]}`,
    urlEvidence: 'secrets_url',
    slug: isVault ? 'vault' : 'secrets',
    serviceNames: { systemd: service, compose: service },
  };
}

/** What each type is asked, and how it is named in diagnoses and fixes. */
const PROBES: Record<ManagerType, Probe> = {
  vault: probe('Vault', 'v1/sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200', true),
  azurekeyvault: probe('Azure Key Vault', 'healthstatus'),
  generic: probe('The secrets manager', 'health'),
};

// Configuration ---------------------------------------------------------------------------------

export interface Manager {
  name: string;
  type: ManagerType;
  system: HttpSystem;
  namespace: string | undefined;
}

const CA_FALLBACKS = ['NODE_EXTRA_CA_CERTS'];
const VAULT_CA_FALLBACKS = ['VAULT_CACERT', ...CA_FALLBACKS];

/** The legacy Vault, read only when no numbered manager is configured; the first with a URL wins. */
const LEGACY_VAULTS: SectionKeys[] = [
  {
    section: 'Secrets:Vault',
    tokenFallbacks: ['Vault:Token', 'VAULT_TOKEN'],
    caFallbacks: ['Vault:CaCertificatePath', ...VAULT_CA_FALLBACKS],
    more: { Namespace: ['Vault:Namespace', 'VAULT_NAMESPACE'] },
  },
  {
    section: 'Vault',
    urlFallbacks: ['VAULT_ADDR'],
    tokenFallbacks: ['VAULT_TOKEN'],
    caFallbacks: VAULT_CA_FALLBACKS,
    more: { Namespace: ['VAULT_NAMESPACE'] },
  },
];

function managerOf(config: Configuration, system: HttpSystem): Manager {
  const detected = AZURE_KEY_VAULT_HOST.test(system.url.hostname) ? 'azurekeyvault' : 'vault';
  return {
    name: config.first(`${system.section}:Name`)?.value.trim() || system.url.host,
    type: (system.type ?? detected) as ManagerType,
    system,
    namespace: system.more.Namespace?.value.trim() || undefined,
  };
}

/** Every configured manager's section, in configuration order: the numbered ones, else the legacy Vault. */
function configuredSections(config: Configuration): ConfiguredSection[] {
  const sections = readSections(config, 'Secrets:Managers', (section) => {
    const type = config.get(`${section}:Type`)?.trim().toLowerCase();
    return { caFallbacks: !type || type === 'vault' ? VAULT_CA_FALLBACKS : CA_FALLBACKS, more: { Namespace: [] } };
  });
  const legacy = LEGACY_VAULTS.map((keys) => readSystem(config, keys)).find(Boolean);
  return sections.length > 0 ? sections : legacy ? [{ system: legacy }] : [];
}

// Facts -----------------------------------------------------------------------------------------

/** Vault's `sys/health` JSON, when the answer was one. */
export interface VaultHealth {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  performanceStandby: boolean;
  replicationPerformanceMode: string | null;
  replicationDrMode: string | null;
  serverTimeUtc: string | null;
  version: string | null;
  clusterName: string | null;
  clusterId: string | null;
}

/** What `auth/token/lookup-self` said about the token: never its id or accessor. */
export interface VaultToken {
  status: number;
  /** Vault's `errors`, joined. */
  error: string | null;
  /** On a 200 with `data`. */
  data?: {
    ttlSeconds: number;
    expireTime: string | null;
    renewable: boolean;
    policies: string[];
    type: string | null;
    /** `creation_time` + `explicit_max_ttl`: renewals cannot pass it. */
    maxExpireTime: string | null;
  };
}

export interface SecretsFacts {
  name: string;
  type: ManagerType;
  section: string;
  url: string;
  namespace: string | null;
  caPath: string | undefined;
  skipTlsVerify: boolean;
  hasToken: boolean;
  status: number;
  latencyMs: number;
  health?: VaultHealth;
  /** Azure Key Vault's own headers. */
  keyVault?: { serviceVersion: string | null; networkInfo: string | null };
  /** Vault, when a token is configured and the node serves requests. */
  token?: VaultToken;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const isoOf = (ms: number): string | null => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

function readHealth(json: Record<string, unknown> | undefined): VaultHealth | undefined {
  if (typeof json?.initialized !== 'boolean' || typeof json.sealed !== 'boolean') return undefined;
  const serverTime = num(json.server_time_utc);
  return {
    initialized: json.initialized,
    sealed: json.sealed,
    standby: json.standby === true,
    performanceStandby: json.performance_standby === true,
    replicationPerformanceMode: str(json.replication_performance_mode),
    replicationDrMode: str(json.replication_dr_mode),
    serverTimeUtc: serverTime === null ? null : isoOf(serverTime * 1000),
    version: str(json.version),
    clusterName: str(json.cluster_name),
    clusterId: str(json.cluster_id),
  };
}

function readToken({ status, json }: Answer): VaultToken {
  const errors = Array.isArray(json?.errors) ? json.errors.filter((e) => typeof e === 'string') : [];
  const token: VaultToken = { status, error: errors.join('; ') || null };
  const d = json?.data;
  if (status !== 200 || typeof d !== 'object' || d === null) return token;
  const { ttl, expire_time, renewable, policies, type, creation_time, explicit_max_ttl } = d as Record<string, unknown>;
  const expires = str(expire_time);
  const created = num(creation_time);
  const maxTtl = num(explicit_max_ttl);
  token.data = {
    ttlSeconds: num(ttl) ?? 0,
    expireTime: expires === null ? null : isoOf(Date.parse(expires)),
    renewable: renewable === true,
    policies: Array.isArray(policies) ? policies.filter((p): p is string => typeof p === 'string') : [],
    type: str(type),
    maxExpireTime: created !== null && maxTtl ? isoOf((created + maxTtl) * 1000) : null,
  };
  return token;
}

/** A node that serves secrets: initialised, unsealed, not a DR secondary. */
const isServing = (h: VaultHealth): boolean => h.initialized && !h.sealed && h.replicationDrMode !== 'secondary';

function requestOf(m: Manager): { credentialHeaders?: Record<string, string>; headers?: Record<string, string> } {
  const token = m.system.token?.value;
  if (m.type !== 'vault')
    // Key Vault's health endpoint is anonymous; a generic one may want the token as a bearer.
    return m.type === 'generic' && token ? { credentialHeaders: { authorization: `Bearer ${token}` } } : {};
  return {
    ...(token ? { credentialHeaders: { 'X-Vault-Token': token } } : {}),
    ...(m.namespace ? { headers: { 'X-Vault-Namespace': m.namespace } } : {}),
  };
}

async function gatherManager(client: SystemClient, m: Manager): Promise<SecretsFacts> {
  const { system } = m;
  const answer = await client.get(PROBES[m.type].request, requestOf(m));
  const facts: SecretsFacts = {
    name: m.name,
    type: m.type,
    section: system.section,
    url: system.url.href.replace(/\/+$/, ''),
    namespace: m.namespace ?? null,
    caPath: system.caCertificatePath?.value,
    skipTlsVerify: system.skipTlsVerify,
    hasToken: system.token !== undefined,
    status: answer.status,
    latencyMs: answer.latencyMs,
  };
  if (m.type === 'azurekeyvault')
    facts.keyVault = {
      serviceVersion: answer.header('x-ms-keyvault-service-version'),
      networkInfo: answer.header('x-ms-keyvault-network-info'),
    };
  if (m.type !== 'vault') return facts;
  facts.health = readHealth(answer.json);
  if (system.token && facts.health && isServing(facts.health))
    facts.token = readToken(await client.get('v1/auth/token/lookup-self', requestOf(m)));
  return facts;
}

// Evidence and commands -------------------------------------------------------------------------

function evidenceOf(f: SecretsFacts): Evidence {
  const h = f.health;
  const t = f.token?.data;
  const vault: Evidence = {
    vault_namespace: f.namespace,
    is_initialized: h?.initialized ?? null,
    is_sealed: h?.sealed ?? null,
    is_standby: h?.standby ?? null,
    is_performance_standby: h?.performanceStandby ?? null,
    replication_performance_mode: h?.replicationPerformanceMode ?? null,
    replication_dr_mode: h?.replicationDrMode ?? null,
    vault_version: h?.version ?? null,
    cluster_name: h?.clusterName ?? null,
    cluster_id: h?.clusterId ?? null,
    server_time_utc: h?.serverTimeUtc ?? null,
    has_token: f.hasToken,
  };
  const token: Evidence = f.token
    ? {
        token_status_code: f.token.status,
        token_valid: t ? true : [401, 403].includes(f.token.status) ? false : null,
        token_ttl_seconds: t?.ttlSeconds ?? null,
        token_expires_utc: t?.expireTime ?? null,
        is_renewable: t?.renewable ?? null,
        token_policies: t?.policies ?? [],
        token_type: t?.type ?? null,
      }
    : {};
  const keyVault: Evidence = f.keyVault
    ? { keyvault_service_version: f.keyVault.serviceVersion, keyvault_network_info: f.keyVault.networkInfo }
    : {};
  return {
    secrets_name: f.name,
    secrets_type: f.type,
    secrets_url: f.url,
    status_code: f.status,
    latency_ms: f.latencyMs,
    ...(f.skipTlsVerify ? { is_tls_verify_skipped: true } : {}),
    ...keyVault,
    ...(f.type === 'vault' ? vault : {}),
    ...token,
  };
}

/** Seconds until the token expires; null when it never does (root and other tokens without a TTL). */
function secondsLeft(t: NonNullable<VaultToken['data']>, now: Date): number | null {
  if (t.expireTime) return Math.floor((Date.parse(t.expireTime) - now.getTime()) / 1000);
  return t.ttlSeconds > 0 ? t.ttlSeconds : null;
}

const inDays = (s: number): string =>
  s >= DAY_SECONDS ? `${Math.floor(s / DAY_SECONDS)} day(s)` : `${Math.max(0, Math.floor(s / 3600))} hour(s)`;

/** A `vault` CLI command against this manager: its address, CA or skip-verify, namespace. */
function vaultCli(f: SecretsFacts, command: string): string {
  const vars = [`VAULT_ADDR=${shellQuote(f.url)}`];
  if (f.skipTlsVerify) vars.push('VAULT_SKIP_VERIFY=true');
  else if (f.caPath) vars.push(`VAULT_CACERT=${shellQuote(f.caPath)}`);
  if (f.namespace) vars.push(`VAULT_NAMESPACE=${shellQuote(f.namespace)}`);
  return `${vars.join(' ')} vault ${command}`;
}

/** One request repeated with curl where the platform runs (its container, service user, pod). */
function fromPlatform(f: SecretsFacts, description: string, path: string, withToken: boolean): Step[] {
  const url = new URL(f.url);
  const headers: Record<string, string> = {};
  if (withToken)
    headers[f.type === 'vault' ? 'X-Vault-Token' : 'Authorization'] = f.type === 'vault' ? '<token>' : 'Bearer <token>';
  if (f.namespace) headers['X-Vault-Namespace'] = f.namespace;
  const view = { url, caPath: f.caPath, skipTlsVerify: f.skipTlsVerify, noun: PROBES[f.type].noun };
  return fromWherePlatformRuns(description, view, (origin, tls) =>
    curlCommand(`${origin}${pathBelow(url, path)}`, { show: 'response', tls, headers }),
  );
}

const reproduce = (f: SecretsFacts): Step[] =>
  fromPlatform(f, 'Repeat the health request', PROBES[f.type].request, f.type === 'generic' && f.hasToken);

type Place = 'compose' | 'baremetal' | 'kubernetes';

/** One action in each environment, with its command there. */
function inEach(description: string, safe: boolean, commands: Record<Place, string>): Step[] {
  return Object.entries(commands).map(([place, command]) => ({
    environment: place as Place,
    description,
    command,
    safe,
  }));
}

const anywhere = (description: string, command: string): Step => ({
  environment: 'any',
  description,
  command,
  safe: false,
});

const vaultStatusSteps = (f: SecretsFacts): Step[] =>
  inEach('Ask Vault for its status (compose service vault; pod vault-0 of the Vault Helm chart)', true, {
    compose: 'docker compose exec vault vault status',
    baremetal: `systemctl status vault --no-pager\n${vaultCli(f, 'status')}`,
    kubernetes: 'kubectl exec -n vault vault-0 -- vault status',
  });

const unsealSteps = (f: SecretsFacts): Step[] =>
  inEach(
    'Unseal: each key holder runs this and enters one unseal key share at the prompt until the threshold is reached, ' +
      'on every Vault node (with auto-unseal, restore its access to the KMS or HSM instead: the Vault log says why)',
    false,
    {
      compose: 'docker compose exec vault vault operator unseal',
      baremetal: vaultCli(f, 'operator unseal'),
      kubernetes: 'kubectl exec -it -n vault vault-0 -- vault operator unseal',
    },
  );

function newTokenSteps(f: SecretsFacts): Step[] {
  const own = f.token?.data?.policies.filter((p) => p !== 'default' && p !== 'root') ?? [];
  const policies = (own.length > 0 ? own : ['<policy>']).map((p) => `-policy=${shellQuote(p)}`).join(' ');
  return [
    anywhere(
      'Look the token up as Vault sees it (pasted at the prompt, it stays out of the shell history)',
      `read -rsp 'Vault token: ' VAULT_TOKEN && export VAULT_TOKEN\n${vaultCli(f, 'token lookup')}`,
    ),
    anywhere(
      'Issue a periodic token for the platform’s policy: it lives as long as the platform renews it within the period',
      vaultCli(f, `token create ${policies} -period=768h -display-name=stellaops-platform`),
    ),
    ...setConfigSteps(`${f.section}:Token`, '<token>'),
  ];
}

function azureSteps(f: SecretsFacts): Step[] {
  const host = new URL(f.url).hostname;
  const name = AZURE_KEY_VAULT_HOST.test(host) ? host.split('.')[0]! : '<vault-name>';
  const query =
    '{uri:properties.vaultUri,publicNetworkAccess:properties.publicNetworkAccess,acls:properties.networkAcls}';
  return [
    probeStep(
      'Resolve the vault name the way this machine does (a private endpoint resolves to 10.x)',
      `nslookup ${host}`,
    ),
    probeStep(
      'Show the key vault and its network rules',
      `az keyvault show --name ${shellQuote(name)} --query '${query}'`,
    ),
  ];
}

// Verdict ---------------------------------------------------------------------------------------

type Rule = (f: SecretsFacts, evidence: Evidence, now: Date) => CheckOutcome | undefined;

function verdict(
  severity: Severity,
  diagnosis: string,
  evidence: Evidence,
  causes: string[],
  ...steps: Step[][]
): CheckOutcome {
  return { severity, diagnosis, evidence, likelyCauses: causes, remediation: numbered(...steps) };
}

const where = (f: SecretsFacts): string => `${PROBES[f.type].label} at ${f.url}`;

/** No health answer: refused (401/403), failing (5xx), or not the API the type promises. */
const unanswered: Rule = (f, evidence) => {
  if (f.type === 'vault' ? f.health : f.status >= 200 && f.status < 300) return undefined;
  const asked = `GET ${PROBES[f.type].probePath}`;
  const typeSteps = f.type === 'vault' ? vaultStatusSteps(f) : f.type === 'azurekeyvault' ? azureSteps(f) : [];
  if (f.status === 401 || f.status === 403)
    return verdict(
      'fail',
      `${where(f)} refused the health request (${asked} → ${f.status}).`,
      evidence,
      [
        f.type === 'generic'
          ? `Its health endpoint requires a token and ${f.section}:Token is missing or not accepted`
          : 'A proxy, gateway or web application firewall in front of it demands authentication',
        'An IP allowlist or firewall rule does not admit this host',
      ],
      reproduce(f),
      typeSteps,
      f.type === 'generic' ? setConfigSteps(`${f.section}:Token`, '<token>') : [],
    );
  if (f.status >= 500)
    return verdict(
      'fail',
      `${where(f)} is not serving: ${asked} answered ${f.status}.`,
      evidence,
      [`The ${PROBES[f.type].noun} is starting, overloaded or failing`, 'A proxy in front of it cannot reach it'],
      reproduce(f),
      typeSteps,
    );
  return verdict(
    'warn',
    `${where(f)} answered ${asked} with ${f.status} instead of a health answer: its health could not be verified.`,
    evidence,
    [
      `${f.section}:Url does not point at the API (a UI page, a /v1 suffix, another service)`,
      'A proxy or login page answers in its place',
    ],
    reproduce(f),
    setConfigSteps(`${f.section}:Url`, f.type === 'vault' ? 'https://vault.example.com:8200' : '<api-base-url>'),
  );
};

const notInitialised: Rule = (f, evidence) =>
  f.health && !f.health.initialized
    ? verdict(
        'fail',
        `${where(f)} is not initialised: it holds no keys and serves no secrets.`,
        evidence,
        [
          'Vault started on new, empty storage (a new volume, a wrong storage path, a reset backend)',
          'This Vault is new and nobody has initialised it yet',
        ],
        vaultStatusSteps(f),
        [
          anywhere(
            'Only for a new Vault: initialise it once and keep the unseal keys and root token safe; ' +
              'a Vault that should hold data needs its storage configuration fixed instead',
            vaultCli(f, 'operator init'),
          ),
        ],
      )
    : undefined;

const sealed: Rule = (f, evidence) =>
  f.health?.sealed
    ? verdict(
        'fail',
        `${where(f)} is sealed: it cannot decrypt anything, so every secret read fails until it is unsealed.`,
        evidence,
        [
          'Vault restarted and nobody unsealed it (every restart seals it)',
          'Auto-unseal cannot reach its KMS or HSM, or lost permission to use the key',
          'An operator sealed it (vault operator seal)',
        ],
        vaultStatusSteps(f),
        unsealSteps(f),
      )
    : undefined;

const drSecondary: Rule = (f, evidence) =>
  f.health?.replicationDrMode === 'secondary'
    ? verdict(
        'fail',
        `${where(f)} is a disaster-recovery secondary: it serves no client requests until it is promoted.`,
        evidence,
        [`${f.section}:Url points at the DR cluster instead of the primary`],
        [probeStep('Show the replication status', vaultCli(f, 'read sys/replication/status'))],
        setConfigSteps(`${f.section}:Url`, '<url-of-the-primary-cluster>'),
      )
    : undefined;

const notKeyVault: Rule = (f, evidence) =>
  f.keyVault && !f.keyVault.networkInfo
    ? verdict(
        'warn',
        `${where(f)} answered ${f.status} without the x-ms-keyvault-network-info header that Key Vault ` +
          'sends: something else answered.',
        evidence,
        [
          'DNS resolves the vault name to a proxy or another service (private endpoint DNS zone missing or wrong)',
          'A TLS-inspecting proxy answers in the vault’s place',
        ],
        azureSteps(f),
        reproduce(f),
      )
    : undefined;

const tokenRefused: Rule = (f, evidence) => {
  const t = f.token;
  if (!t || t.data) return undefined;
  const answer = `${t.status}${t.error ? ` ${t.error}` : ''}`;
  const lookup = fromPlatform(f, 'Repeat the token lookup', 'v1/auth/token/lookup-self', true);
  if (t.status !== 401 && t.status !== 403)
    return verdict(
      'warn',
      `${where(f)} is serving, but the token lookup answered ${answer}, so the token could not be verified.`,
      evidence,
      ['A proxy in front of Vault blocks auth/token/lookup-self', 'This standby cannot reach the active node'],
      lookup,
      vaultStatusSteps(f),
    );
  return verdict(
    'fail',
    `${where(f)} rejected the token (${answer}): it is invalid, revoked or expired.`,
    evidence,
    [
      'The token expired and Vault revoked it (a token is revoked when its TTL runs out)',
      'The token was revoked, or its parent was (child tokens go with their parent)',
      `${f.section}:Token holds a wrong value, or a token of another Vault or namespace`,
    ],
    lookup,
    newTokenSteps(f),
  );
};

const tokenExpiring: Rule = (f, evidence, now) => {
  const t = f.token?.data;
  const left = t ? secondsLeft(t, now) : null;
  if (!t || left === null) return undefined;
  if (left <= 0)
    return verdict(
      'fail',
      `The token for ${where(f)} expired at ${t.expireTime} by this machine's clock: ` +
        "Vault is revoking it, or this machine's clock runs ahead of Vault's.",
      evidence,
      [
        'Nothing renewed the token before its TTL ran out',
        "This machine's clock is ahead of Vault's (compare server_time_utc with date -u)",
      ],
      newTokenSteps(f),
    );
  const capLeft = t.maxExpireTime ? (Date.parse(t.maxExpireTime) - now.getTime()) / 1000 : Infinity;
  if (left >= TOKEN_WARNING_SECONDS || (t.renewable && capLeft >= TOKEN_WARNING_SECONDS)) return undefined;
  return verdict(
    'warn',
    t.renewable
      ? `The token for ${where(f)} expires in ${inDays(left)} and cannot be renewed past its explicit ` +
          `maximum TTL (${t.maxExpireTime}).`
      : `The token for ${where(f)} expires in ${inDays(left)} (${t.expireTime}) and is not renewable.`,
    evidence,
    [
      t.renewable
        ? 'The token was created with an explicit maximum TTL'
        : 'The token was created non-renewable (a batch token, or -renewable=false)',
      'Nothing replaces the token before it expires',
    ],
    newTokenSteps(f),
  );
};

const tlsSkipped: Rule = (f, evidence) =>
  f.skipTlsVerify && f.url.startsWith('https:')
    ? verdict(
        'warn',
        `${where(f)} is serving, but TLS verification is switched off (${f.section}:SkipTlsVerify=true): ` +
          `anyone on the network path could impersonate it${f.hasToken ? ' and receive the token' : ''}.`,
        evidence,
        ['Skip-verify was set to work around a private CA'],
        setConfigSteps(`${f.section}:SkipTlsVerify`, 'false', [
          [`${f.section}:CaCertificatePath`, `/etc/stellaops/certs/${PROBES[f.type].slug}-ca.pem`],
        ]),
      )
    : undefined;

const RULES: Rule[] = [
  unanswered,
  notInitialised,
  sealed,
  drSecondary,
  notKeyVault,
  tokenRefused,
  tokenExpiring,
  tlsSkipped,
];

/** The sentences of a healthy manager: what answered, its role, its token. */
function healthy(f: SecretsFacts, now: Date): string {
  const h = f.health;
  const t = f.token?.data;
  const left = t ? secondsLeft(t, now) : null;
  const cluster = h?.clusterName ? ` (cluster ${h.clusterName})` : '';
  const role = h?.performanceStandby
    ? 'It answered as a performance standby: it serves reads and forwards writes to the active node.'
    : h?.standby
      ? 'It answered as a standby: it forwards requests to the active node.'
      : '';
  const root = t?.policies.includes('root') ? ': a root token — give the platform one limited to its policy' : '';
  const renew = t?.renewable ? ' and renewable (vault token renew extends it)' : '';
  const token = !t
    ? f.type === 'vault' && !f.hasToken
      ? 'No token is configured, so none was checked.'
      : ''
    : left === null
      ? `The token never expires${root}.`
      : `The token is valid for ${inDays(left)}${renew}; policies: ${t.policies.join(', ') || 'none'}.`;
  const what = h
    ? `Vault${h.version ? ` ${h.version}` : ''} at ${f.url}${cluster} is initialised and unsealed.`
    : `${where(f)} is healthy (${f.status}).`;
  const seenAs = f.keyVault?.networkInfo ? `Key Vault sees this client as ${f.keyVault.networkInfo}.` : '';
  return [what, role, seenAs, token].filter(Boolean).join(' ');
}

/** The verdict on one manager's facts; pure. */
export function judgeSecretsManager(f: SecretsFacts, now: Date = new Date()): CheckOutcome {
  const evidence = evidenceOf(f);
  for (const rule of RULES) {
    const outcome = rule(f, evidence, now);
    if (outcome) return outcome;
  }
  return { severity: 'pass', diagnosis: healthy(f, now), evidence };
}

async function verdictOf(ctx: CheckContext, m: Manager, signal: AbortSignal): Promise<SystemVerdict> {
  const { gatherFrom } = await import('../shared/http-probe.js');
  const kind = { ...PROBES[m.type], probePath: pathBelow(m.system.url, PROBES[m.type].probePath) };
  const facts = await gatherFrom(ctx, m.system, kind, signal, (client) => gatherManager(client, m));
  return { name: m.name, outcome: 'failure' in facts ? facts.failure : judgeSecretsManager(facts, ctx.now()) };
}

export const secretsManagerCheck = integrationCheck({
  id: 'check.integration.secrets.manager',
  name: 'Secrets Manager',
  description:
    'Checks that each configured secrets manager (HashiCorp Vault, Azure Key Vault or a generic one) is reachable ' +
    'and serving: Vault initialised, unsealed and not a DR secondary, and its token valid and not about to expire.',
  defaultSeverity: 'fail',
  tags: ['integration', 'secrets', 'vault'],
  estimatedDurationMs: 3000,
  article: `${ARTICLES}/secrets-manager.md`,
  needs: { target: 'Secrets' },
  canRun: (ctx) =>
    runnableWhenConfigured(
      configuredSections(ctx.config),
      'No secrets manager is configured: set Secrets:Managers:0:Url (and :Type), Vault:Url or VAULT_ADDR.',
    ),
  run: async (ctx, signal) => {
    const verdicts = await Promise.all(
      configuredSections(ctx.config).map((c) =>
        'system' in c
          ? verdictOf(ctx, managerOf(ctx.config, c.system), signal)
          : sectionWithoutUrl(c.section, { secrets_name: c.section, secrets_url: null }, 'https://<vault-host>:8200'),
      ),
    );
    return combineSystems('secrets managers', verdicts);
  },
});
