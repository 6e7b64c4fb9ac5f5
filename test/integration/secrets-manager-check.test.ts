// check.integration.secrets.manager end to end against named fakes: HashiCorp Vault 1.17
// (test/fakes/vault-api.ts), Azure Key Vault (test/fakes/azure-key-vault.ts) and a generic /health
// manager (test/fakes/generic-health.ts); every verdict row of SPEC 10.3, the connection verdicts,
// several managers in one result, the legacy and Vault CLI keys, and the real CLI with canary tokens.
import http from 'node:http';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/engine/types.js';
import { startAzureKeyVault, type KeyVaultOptions } from '../fakes/azure-key-vault.js';
import { startGenericHealth } from '../fakes/generic-health.js';
import { startHungRegistry } from '../fakes/hung-registry.js';
import { listenLocal, type Running } from '../fakes/listen.js';
import { startVault, type RunningVault, type VaultOptions, type VaultTokenEntry } from '../fakes/vault-api.js';
import { loadTestEnv } from '../harness/test-env.js';
import { stellaAsync } from './cli.js';
import { check } from './doctor.js';

const env = loadTestEnv();
const ID = 'check.integration.secrets.manager';
const DAY = 86_400;
const HEALTH_QUERY = '/v1/sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200';

// Canary tokens and accessors: none may appear in any result or output.
const VALID = 'hvs.canary-valid-CAJ1Lm9y';
const EXPIRING = 'hvs.canary-expiring-Qw7x';
const EXPIRED = 'hvs.canary-expired-Pz3k';
const ROOT = 'hvs.canary-root-Hh5t';
const REVOKED = 'hvs.canary-revoked-Ld9s';
const TOKENS: Record<string, VaultTokenEntry> = {
  [VALID]: {
    accessor: 'canary-accessor-valid-1f3e',
    policies: ['default', 'stellaops'],
    ttlSeconds: 30 * DAY,
    renewable: true,
  },
  [EXPIRING]: {
    accessor: 'canary-accessor-expiring-2a4c',
    policies: ['default', 'stellaops'],
    ttlSeconds: 2 * DAY,
    renewable: false,
  },
  [EXPIRED]: { accessor: 'canary-accessor-expired-3b5d', policies: ['default'], ttlSeconds: -30, renewable: true },
  [ROOT]: { accessor: 'canary-accessor-root-4c6e', policies: ['root'], ttlSeconds: null, renewable: false },
};
const CANARIES = [VALID, EXPIRING, EXPIRED, ROOT, REVOKED, ...Object.values(TOKENS).map((t) => t.accessor)];

function expectNoCanary(text: string): void {
  for (const canary of CANARIES) expect(text, `a canary leaked: ${canary.slice(0, 10)}…`).not.toContain(canary);
}

const servers: Running[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function vault(options: VaultOptions = {}): Promise<RunningVault> {
  const running = await startVault({ tokens: TOKENS, tls: env.certs.server, ...options });
  servers.push(running);
  return running;
}

/** One Vault as Secrets:Managers:0, trusted through its CA file. */
function vaultSettings(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'Secrets:Managers:0:Type': 'vault',
    'Secrets:Managers:0:Url': url,
    'Secrets:Managers:0:CaCertificatePath': env.caCertPath,
    ...extra,
  };
}

async function run(settings: Record<string, string>, extra: Parameters<typeof check>[2] = {}): Promise<CheckResult> {
  const result = await check(ID, settings, extra);
  expectNoCanary(JSON.stringify(result));
  return result;
}

const paths = (v: { requests: Array<{ url: string }> }): string[] => v.requests.map((r) => r.url);
const commands = (r: CheckResult): string => r.remediation.steps.map((s) => s.command ?? '').join('\n');

async function closedPort(): Promise<number> {
  const running = await listenLocal(net.createServer());
  await running.close();
  return running.port;
}

describe('not configured', () => {
  it('skips, naming the keys to set', async () => {
    const result = await run({});

    expect(result.severity).toBe('skip');
    expect(result.diagnosis).toContain('Secrets:Managers:0:Url');
    expect(result.diagnosis).toContain('VAULT_ADDR');
  });

  it('warns about a numbered manager with settings but no URL, next to one that is checked', async () => {
    const result = await run({
      'Secrets:Managers:0:Url': `http://127.0.0.1:${await closedPort()}`,
      'Secrets:Managers:1:Type': 'vault',
      'Secrets:Managers:1:Token': VALID,
    });

    expect(result.severity).toBe('fail');
    expect(result.evidence.systems).toEqual([expect.stringMatching(/: fail$/), 'Secrets:Managers:1: warn']);
    expect(result.diagnosis).toContain(
      'Secrets:Managers:1 (warn): Secrets:Managers:1 has settings but no Secrets:Managers:1:Url, so it was not checked.',
    );
  });

  it('skips a manager section that has no URL, saying which key is missing', async () => {
    const result = await run({ 'Secrets:Managers:0:Type': 'vault' });

    expect(result.severity).toBe('skip');
    expect(result.diagnosis).toContain('Secrets:Managers:0:Url is not set.');
  });
});

describe('HashiCorp Vault', () => {
  it('passes on an active Vault with a valid token, asking sys/health and lookup-self with the token and namespace', async () => {
    const v = await vault();

    const result = await run(
      vaultSettings(v.url, { 'Secrets:Managers:0:Token': VALID, 'Secrets:Managers:0:Namespace': 'team-a' }),
    );

    expect(result.severity).toBe('pass');
    expect(result.diagnosis).toMatch(
      /^Vault 1\.17\.2 at https:\/\/127\.0\.0\.1:\d+ \(cluster vault-cluster-5c8e2a41\)/,
    );
    expect(result.evidence).toMatchObject({
      secrets_type: 'vault',
      secrets_url: v.url,
      status_code: 200,
      is_initialized: true,
      is_sealed: false,
      is_standby: false,
      vault_version: '1.17.2',
      cluster_name: 'vault-cluster-5c8e2a41',
      vault_namespace: 'team-a',
      token_valid: true,
      is_renewable: true,
      token_policies: ['default', 'stellaops'],
      systems: [`127.0.0.1:${v.port}: pass`],
    });
    expect(result.evidence.token_ttl_seconds).toBeGreaterThan(29 * DAY);
    expect(Date.parse(String(result.evidence.token_expires_utc)) - Date.now()).toBeGreaterThan(29 * DAY * 1000);
    expect(paths(v)).toEqual([HEALTH_QUERY, '/v1/auth/token/lookup-self']);
    expect(v.requests.map((r) => [r.headers['x-vault-token'], r.headers['x-vault-namespace']])).toEqual([
      [VALID, 'team-a'],
      [VALID, 'team-a'],
    ]);
  });

  it.each<[string, VaultOptions, string, RegExp]>([
    ['sealed', { state: 'sealed' }, 'fail', /is sealed: it cannot decrypt anything/],
    ['not initialised', { state: 'uninitialized' }, 'fail', /is not initialised/],
    ['a DR secondary', { state: 'drsecondary' }, 'fail', /is a disaster-recovery secondary/],
    ['a standby', { state: 'standby' }, 'pass', /answered as a standby/],
    ['a performance standby', { state: 'perfstandby' }, 'pass', /answered as a performance standby/],
  ])('judges a Vault that is %s from its health JSON', async (_name, options, severity, diagnosis) => {
    const v = await vault(options);

    const result = await run(vaultSettings(v.url, { 'Secrets:Managers:0:Token': VALID }));

    expect(result.severity).toBe(severity);
    expect(result.diagnosis).toMatch(diagnosis);
    // Only a node that serves requests is asked about the token.
    expect(paths(v)).toEqual(severity === 'pass' ? [HEALTH_QUERY, '/v1/auth/token/lookup-self'] : [HEALTH_QUERY]);
  });

  it.each<[string, VaultOptions['state'], number, string, RegExp]>([
    ['sealed', 'sealed', 503, 'fail', /is sealed/],
    ['not initialised', 'uninitialized', 501, 'fail', /is not initialised/],
    ['a standby', 'standby', 429, 'pass', /answered as a standby/],
    ['a performance standby', 'perfstandby', 473, 'pass', /answered as a performance standby/],
  ])(
    'reads the JSON the same way when a proxy drops the query: %s (state %s, status %i)',
    async (_name, state, status, severity, diagnosis) => {
      const v = await vault({ state, stripQuery: true });

      const result = await run(vaultSettings(v.url));

      expect(result.evidence.status_code).toBe(status);
      expect(result.severity).toBe(severity);
      expect(result.diagnosis).toMatch(diagnosis);
    },
  );

  it('a sealed Vault gets the status and unseal commands for every environment', async () => {
    const v = await vault({ state: 'sealed' });

    const result = await run(vaultSettings(v.url));

    expect(result.evidence).toMatchObject({ is_sealed: true, cluster_name: null });
    expect(commands(result)).toContain('kubectl exec -n vault vault-0 -- vault status');
    expect(commands(result)).toContain(`VAULT_ADDR=${v.url} VAULT_CACERT=${env.caCertPath} vault operator unseal`);
    expect(result.remediation.steps.filter((s) => s.command?.includes('unseal')).every((s) => !s.safe)).toBe(true);
  });

  it.each<[string, string, string, RegExp, Record<string, unknown>]>([
    [
      'expiring in 2 days, not renewable',
      EXPIRING,
      'warn',
      /expires in 1 day\(s\)|expires in 2 day\(s\)/,
      { is_renewable: false, token_valid: true },
    ],
    [
      'expired (Vault answers 403 for it)',
      EXPIRED,
      'fail',
      /rejected the token \(403 permission denied\): it is invalid, revoked or expired/,
      { token_valid: false },
    ],
    ['revoked or unknown', REVOKED, 'fail', /rejected the token \(403 permission denied\)/, { token_status_code: 403 }],
    [
      'a root token that never expires',
      ROOT,
      'pass',
      /The token never expires: a root token/,
      { token_ttl_seconds: 0, token_expires_utc: null, token_policies: ['root'] },
    ],
  ])('judges a token that is %s', async (_name, token, severity, diagnosis, evidence) => {
    const v = await vault();

    const result = await run(vaultSettings(v.url, { 'Secrets:Managers:0:Token': token }));

    expect(result.severity).toBe(severity);
    expect(result.diagnosis).toMatch(diagnosis);
    expect(result.evidence).toMatchObject(evidence);
    if (severity !== 'pass') expect(commands(result)).toContain('vault token lookup');
    if (severity === 'fail') expect(commands(result)).toContain("-H 'X-Vault-Token: <token>'");
  });

  it('does not follow a standby’s redirect to the active node: the token stays home and is reported unverified', async () => {
    const active = await vault({ host: '127.0.0.2' });
    const standby = await vault({ state: 'standby', activeNode: active.url });

    const result = await run(vaultSettings(standby.url, { 'Secrets:Managers:0:Token': VALID }));

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain('the token lookup answered 307');
    expect(active.requests).toEqual([]);
  });

  it('fails when something in front refuses the health request (403), sending it the token only at its own origin', async () => {
    const seen: Array<string | undefined> = [];
    const proxy = await listenLocal(
      http.createServer((req, res) => {
        seen.push(req.headers['x-vault-token'] as string | undefined);
        res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>403 Forbidden</h1>');
      }),
    );
    servers.push(proxy);

    const result = await run({ ...vaultSettings(proxy.url, { 'Secrets:Managers:0:Token': VALID }) });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('refused the health request (GET /v1/sys/health → 403)');
    expect(seen).toEqual([VALID]);
  });
});

describe('connection verdicts', () => {
  it('fails with tls_untrusted without the CA, naming the section’s CA key, and passes once it is set', async () => {
    const v = await vault();
    const settings = { 'Secrets:Managers:0:Url': v.url, 'Secrets:Managers:0:Token': VALID };

    const untrusted = await run(settings);
    const trusted = await run({ ...settings, 'Secrets:Managers:0:CaCertificatePath': env.caCertPath });

    expect(untrusted.severity).toBe('fail');
    expect(untrusted.evidence.error_class).toBe('tls_untrusted');
    expect(untrusted.diagnosis).toContain('Secrets:Managers:0:CaCertificatePath');
    expect(trusted.severity).toBe('pass');
    // The token never went to a server that failed verification.
    expect(v.requests).toHaveLength(2);
  });

  it('fails with refused when nothing listens', async () => {
    const port = await closedPort();

    const result = await run(vaultSettings(`http://127.0.0.1:${port}`));

    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('refused');
    expect(result.diagnosis).toContain('Vault server');
  });

  it('fails with timeout within the check timeout when the server never answers', async () => {
    const hung = await startHungRegistry();
    servers.push(hung);
    const started = Date.now();

    const result = await run(vaultSettings(hung.url), { timeoutMs: 1000 });

    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('timeout');
  });
});

describe('Azure Key Vault', () => {
  async function keyVault(options: Omit<KeyVaultOptions, 'tls'> = {}) {
    const kv = await startAzureKeyVault({ tls: env.certs.server, ...options });
    servers.push(kv);
    return kv;
  }
  const settings = (url: string): Record<string, string> => ({
    'Secrets:Managers:0:Type': 'azurekeyvault',
    'Secrets:Managers:0:Url': url,
    'Secrets:Managers:0:CaCertificatePath': env.caCertPath,
    'Secrets:Managers:0:Token': VALID,
  });

  it('passes on /healthstatus with the Key Vault headers, sending no token to the anonymous endpoint', async () => {
    const kv = await keyVault();

    const result = await run(settings(kv.url));

    expect(result.severity).toBe('pass');
    expect(result.diagnosis).toContain('Key Vault sees this client as addr=127.0.0.1');
    expect(result.evidence).toMatchObject({ secrets_type: 'azurekeyvault', keyvault_service_version: '1.9.1362.1' });
    expect(kv.requests.map((r) => [r.url, r.headers.authorization, r.headers['x-vault-token']])).toEqual([
      ['/healthstatus', undefined, undefined],
    ]);
  });

  it('warns when the answer lacks x-ms-keyvault-network-info: something else answered', async () => {
    const result = await run(settings((await keyVault({ impostor: true })).url));

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain('something else answered');
    expect(commands(result)).toContain('az keyvault show');
  });

  it('fails when the vault’s firewall refuses this client (403)', async () => {
    const result = await run(settings((await keyVault({ firewall: true })).url));

    expect(result.severity).toBe('fail');
    expect(result.evidence.status_code).toBe(403);
    expect(commands(result)).toContain("az keyvault show --name '<vault-name>'");
  });
});

describe('generic secrets manager', () => {
  const settings = (url: string, token?: string): Record<string, string> => ({
    'Secrets:Managers:0:Type': 'generic',
    'Secrets:Managers:0:Name': 'internal-secrets',
    'Secrets:Managers:0:Url': url,
    ...(token ? { 'Secrets:Managers:0:Token': token } : {}),
  });

  it('passes on a 2xx /health, sending the token as a bearer', async () => {
    const g = await startGenericHealth({ token: VALID });
    servers.push(g);

    const result = await run(settings(g.url, VALID));

    expect(result.severity).toBe('pass');
    expect(result.evidence.systems).toEqual(['internal-secrets: pass']);
    expect(g.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${VALID}`]);
  });

  it('fails on 401, with the token key to set', async () => {
    const g = await startGenericHealth({ token: VALID });
    servers.push(g);

    const result = await run(settings(g.url, REVOKED));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('GET /health → 401');
    expect(commands(result)).toContain("Secrets__Managers__0__Token='<token>'");
    // Seen from the platform's pod, a loopback URL is the manager's own Service, never a registry's.
    expect(commands(result)).toContain('http://<secrets-manager-service>:');
    expect(commands(result)).not.toMatch(/registry/i);
  });

  it('fails on 503', async () => {
    const g = await startGenericHealth({ healthy: false });
    servers.push(g);

    const result = await run(settings(g.url));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('is not serving: GET /health answered 503');
  });
});

describe('several managers, one result', () => {
  it('a healthy Vault and a sealed one fail, naming the sealed one, with every system in the evidence', async () => {
    const healthy = await vault();
    const sealedVault = await vault({ state: 'sealed' });

    const result = await run({
      ...vaultSettings(healthy.url, { 'Secrets:Managers:0:Name': 'primary', 'Secrets:Managers:0:Token': VALID }),
      'Secrets:Managers:1:Name': 'backup',
      'Secrets:Managers:1:Url': sealedVault.url,
      'Secrets:Managers:1:CaCertificatePath': env.caCertPath,
    });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toMatch(
      /^1 of 2 secrets managers is not healthy\. backup \(fail\): Vault at .* is sealed/,
    );
    expect(result.diagnosis).not.toContain('primary (');
    expect(result.evidence).toMatchObject({ systems: ['primary: pass', 'backup: fail'], is_sealed: true });
    expect(result.remediation.steps.every((s) => s.description.startsWith('backup: '))).toBe(true);
  });
});

describe('legacy keys and the Vault CLI’s variables', () => {
  it('reads VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE and VAULT_CACERT when nothing else is configured', async () => {
    const v = await vault();

    const result = await run(
      {},
      { env: { VAULT_ADDR: v.url, VAULT_TOKEN: VALID, VAULT_NAMESPACE: 'ops', VAULT_CACERT: env.caCertPath } },
    );

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({ vault_namespace: 'ops', token_valid: true });
    expect(v.requests.map((r) => r.headers['x-vault-namespace'])).toEqual(['ops', 'ops']);
  });

  it('prefers Vault:Url and Vault:Token to the CLI’s variables', async () => {
    const v = await vault();

    const result = await run(
      { 'Vault:Url': v.url, 'Vault:Token': VALID, 'Vault:CaCertificatePath': env.caCertPath },
      { env: { VAULT_ADDR: `http://127.0.0.1:${await closedPort()}`, VAULT_TOKEN: REVOKED } },
    );

    expect(result.severity).toBe('pass');
    expect(v.requests.every((r) => r.headers['x-vault-token'] === VALID)).toBe(true);
  });

  it('ignores the legacy keys once a numbered manager is configured', async () => {
    const v = await vault();
    const legacy = await vault();

    await run(vaultSettings(v.url), { env: { VAULT_ADDR: legacy.url } });

    expect(v.requests).toHaveLength(1);
    expect(legacy.requests).toEqual([]);
  });
});

describe('the real CLI with canary tokens', () => {
  it('prints no token or accessor in JSON or text, and the token reaches only its Vault, in X-Vault-Token', async () => {
    const good = await vault();
    const sealedVault = await vault({ state: 'sealed' });
    const vars = {
      Secrets__Managers__0__Name: 'good',
      Secrets__Managers__0__Url: good.url,
      Secrets__Managers__0__Token: EXPIRING,
      Secrets__Managers__0__CaCertificatePath: env.caCertPath,
      Secrets__Managers__1__Name: 'sealed',
      Secrets__Managers__1__Url: sealedVault.url,
      Secrets__Managers__1__Token: REVOKED,
      Secrets__Managers__1__CaCertificatePath: env.caCertPath,
    };

    const good0 = Object.fromEntries(Object.entries(vars).filter(([key]) => key.includes('__0__')));

    const json = await stellaAsync(['doctor', 'run', '--check', ID, '--format', 'json'], { env: vars });
    const text = await stellaAsync(['doctor', 'run', '--check', ID, '--verbose'], { env: vars });
    // One manager alone: its verbose evidence is the token lookup's.
    const alone = await stellaAsync(['doctor', 'run', '--check', ID, '--verbose'], { env: good0 });

    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as { results: CheckResult[] };
    expect(report.results[0]!.evidence.systems).toEqual(['good: warn', 'sealed: fail']);
    expect(text.stdout).toContain('vault operator unseal');
    expect(alone.stdout).toMatch(/token_policies: +default, stellaops/);
    expectNoCanary(alone.stdout + alone.stderr);
    expectNoCanary(json.stdout + json.stderr + text.stdout + text.stderr);
    for (const [fake, token] of [
      [good, EXPIRING],
      [sealedVault, REVOKED],
    ] as const) {
      expect(fake.requests.length).toBeGreaterThan(0);
      for (const request of fake.requests) {
        const { 'x-vault-token': sent, ...others } = request.headers;
        expect(sent).toBe(token);
        expect(JSON.stringify(others) + request.url).not.toContain(token);
      }
    }
  });
});
