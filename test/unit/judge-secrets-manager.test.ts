// Every verdict row of the secrets manager check (SPEC 10.3), judged from facts alone: no network.
import { describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../src/engine/types.js';
import {
  judgeSecretsManager,
  type SecretsFacts,
  type VaultHealth,
  type VaultToken,
} from '../../src/plugins/integration/systems/secrets-manager.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const DAY = 86_400;
const at = (seconds: number): string => new Date(NOW.getTime() + seconds * 1000).toISOString();

function health(over: Partial<VaultHealth> = {}): VaultHealth {
  return {
    initialized: true,
    sealed: false,
    standby: false,
    performanceStandby: false,
    replicationPerformanceMode: 'disabled',
    replicationDrMode: 'disabled',
    serverTimeUtc: NOW.toISOString(),
    version: '1.17.2',
    clusterName: 'vault-cluster-5c8e2a41',
    clusterId: 'c0ffee00-1bad-4a55-9e1f-0123456789ab',
    ...over,
  };
}

function token(over: Partial<NonNullable<VaultToken['data']>> = {}): VaultToken {
  return {
    status: 200,
    error: null,
    data: {
      ttlSeconds: 30 * DAY,
      expireTime: at(30 * DAY),
      renewable: true,
      policies: ['default', 'stellaops'],
      type: 'service',
      maxExpireTime: null,
      ...over,
    },
  };
}

function vault(over: Partial<SecretsFacts> = {}): SecretsFacts {
  return {
    name: 'vault.example.com:8200',
    type: 'vault',
    section: 'Secrets:Managers:0',
    url: 'https://vault.example.com:8200',
    namespace: null,
    caPath: undefined,
    skipTlsVerify: false,
    hasToken: true,
    status: 200,
    latencyMs: 3,
    health: health(),
    token: token(),
    ...over,
  };
}

function keyVault(over: Partial<SecretsFacts> = {}): SecretsFacts {
  return {
    name: 'kv-prod.vault.azure.net',
    type: 'azurekeyvault',
    section: 'Secrets:Managers:1',
    url: 'https://kv-prod.vault.azure.net',
    namespace: null,
    caPath: undefined,
    skipTlsVerify: false,
    hasToken: false,
    status: 200,
    latencyMs: 20,
    keyVault: { serviceVersion: '1.9.1362.1', networkInfo: 'addr=10.4.5.6;act_addr_fam=InterNetwork;' },
    ...over,
  };
}

function generic(over: Partial<SecretsFacts> = {}): SecretsFacts {
  return {
    name: 'secrets.internal',
    type: 'generic',
    section: 'Secrets:Managers:2',
    url: 'http://secrets.internal:9000',
    namespace: null,
    caPath: undefined,
    skipTlsVerify: false,
    hasToken: true,
    status: 200,
    latencyMs: 1,
    ...over,
  };
}

const commands = (o: CheckOutcome): string => (o.remediation ?? []).map((s) => s.command ?? '').join('\n');

describe('judgeSecretsManager', () => {
  it.each<[string, SecretsFacts, string, RegExp, Record<string, unknown>]>([
    [
      'Vault active, token valid for 30 days and renewable',
      vault(),
      'pass',
      /^Vault 1\.17\.2 at https:\/\/vault\.example\.com:8200 \(cluster vault-cluster-5c8e2a41\) is initialised and unsealed\. The token is valid for 30 day\(s\) and renewable/,
      {
        status_code: 200,
        is_initialized: true,
        is_sealed: false,
        vault_version: '1.17.2',
        cluster_name: 'vault-cluster-5c8e2a41',
        token_valid: true,
        token_ttl_seconds: 30 * DAY,
        token_expires_utc: at(30 * DAY),
        is_renewable: true,
        token_policies: ['default', 'stellaops'],
      },
    ],
    [
      'Vault active without a token',
      vault({ hasToken: false, token: undefined }),
      'pass',
      /No token is configured, so none was checked\.$/,
      { has_token: false },
    ],
    [
      'standby node (standbyok made it 200, or a proxy passed Vault’s 429)',
      vault({ health: health({ standby: true }), status: 429 }),
      'pass',
      /answered as a standby: it forwards requests to the active node/,
      { is_standby: true, status_code: 429 },
    ],
    [
      'performance standby',
      vault({ health: health({ standby: true, performanceStandby: true, version: '1.17.2+ent' }), status: 473 }),
      'pass',
      /answered as a performance standby/,
      { is_performance_standby: true, vault_version: '1.17.2+ent' },
    ],
    [
      'sealed (200 by sealedcode=200, cluster name left out as Vault does)',
      vault({ health: health({ sealed: true, clusterName: null, clusterId: null }), token: undefined }),
      'fail',
      /is sealed: it cannot decrypt anything/,
      { is_sealed: true, cluster_name: null },
    ],
    [
      'sealed, as Vault answers when a proxy dropped the query (503)',
      vault({ status: 503, health: health({ sealed: true, clusterName: null }), token: undefined }),
      'fail',
      /is sealed/,
      { status_code: 503, is_sealed: true },
    ],
    [
      'not initialised',
      vault({ status: 501, health: health({ initialized: false, sealed: true, clusterName: null }), token: undefined }),
      'fail',
      /is not initialised: it holds no keys/,
      { is_initialized: false },
    ],
    [
      'DR secondary (472 whatever the query says)',
      vault({ status: 472, health: health({ replicationDrMode: 'secondary' }), token: undefined }),
      'fail',
      /is a disaster-recovery secondary/,
      { replication_dr_mode: 'secondary' },
    ],
    [
      'health request refused (401)',
      vault({ status: 401, health: undefined, token: undefined }),
      'fail',
      /refused the health request \(GET \/v1\/sys\/health → 401\)/,
      { status_code: 401, is_initialized: null },
    ],
    [
      'health request forbidden (403)',
      vault({ status: 403, health: undefined, token: undefined }),
      'fail',
      /refused the health request \(GET \/v1\/sys\/health → 403\)/,
      { status_code: 403 },
    ],
    [
      'not serving: 502 from a proxy, no health JSON',
      vault({ status: 502, health: undefined, token: undefined }),
      'fail',
      /is not serving: GET \/v1\/sys\/health answered 502/,
      { status_code: 502 },
    ],
    [
      'no health JSON and not a failure (404: the URL is not the API)',
      vault({ status: 404, health: undefined, token: undefined }),
      'warn',
      /answered GET \/v1\/sys\/health with 404 instead of a health answer: its health could not be verified/,
      { status_code: 404 },
    ],
    [
      'token rejected (403 permission denied: invalid, revoked or expired)',
      vault({ token: { status: 403, error: 'permission denied' } }),
      'fail',
      /rejected the token \(403 permission denied\): it is invalid, revoked or expired/,
      { token_status_code: 403, token_valid: false, token_ttl_seconds: null, token_policies: [] },
    ],
    [
      'token lookup answered something else (500): token unverified',
      vault({ token: { status: 500, error: 'internal error' } }),
      'warn',
      /the token lookup answered 500 internal error, so the token could not be verified/,
      { token_status_code: 500, token_valid: null },
    ],
    [
      'token past its expire_time by this machine’s clock',
      vault({ token: token({ ttlSeconds: 0, expireTime: at(-120), renewable: true }) }),
      'fail',
      /expired at 2025-06-01T11:58:00\.000Z by this machine's clock/,
      { token_expires_utc: at(-120) },
    ],
    [
      'token expires in 2 days and is not renewable',
      vault({ token: token({ ttlSeconds: 2 * DAY, expireTime: at(2 * DAY), renewable: false }) }),
      'warn',
      /expires in 2 day\(s\) \(2025-06-03T12:00:00\.000Z\) and is not renewable/,
      { is_renewable: false, token_ttl_seconds: 2 * DAY },
    ],
    [
      'token expires in 2 days but is renewable',
      vault({ token: token({ ttlSeconds: 2 * DAY, expireTime: at(2 * DAY), renewable: true }) }),
      'pass',
      /The token is valid for 2 day\(s\) and renewable \(vault token renew extends it\)/,
      { is_renewable: true },
    ],
    [
      'renewable, but its explicit max TTL ends within 7 days',
      vault({ token: token({ ttlSeconds: 2 * DAY, expireTime: at(2 * DAY), maxExpireTime: at(3 * DAY) }) }),
      'warn',
      /cannot be renewed past its explicit maximum TTL \(2025-06-04T12:00:00\.000Z\)/,
      { is_renewable: true },
    ],
    [
      'not renewable, 8 days left: no warning yet',
      vault({ token: token({ ttlSeconds: 8 * DAY, expireTime: at(8 * DAY), renewable: false }) }),
      'pass',
      /The token is valid for 8 day\(s\); policies: default, stellaops\.$/,
      {},
    ],
    [
      'root token: never expires, noted',
      vault({ token: token({ ttlSeconds: 0, expireTime: null, renewable: false, policies: ['root'] }) }),
      'pass',
      /The token never expires: a root token — give the platform one limited to its policy\.$/,
      { token_ttl_seconds: 0, token_expires_utc: null, token_policies: ['root'] },
    ],
    [
      'TLS verification switched off',
      vault({ skipTlsVerify: true }),
      'warn',
      /TLS verification is switched off \(Secrets:Managers:0:SkipTlsVerify=true\).*and receive the token/,
      { is_tls_verify_skipped: true },
    ],
    [
      'Azure Key Vault answers /healthstatus with its headers',
      keyVault(),
      'pass',
      /^Azure Key Vault at https:\/\/kv-prod\.vault\.azure\.net is healthy \(200\)\. Key Vault sees this client as addr=10\.4\.5\.6/,
      { keyvault_service_version: '1.9.1362.1', secrets_type: 'azurekeyvault' },
    ],
    [
      'Azure: a 200 without x-ms-keyvault-network-info is not Key Vault',
      keyVault({ keyVault: { serviceVersion: null, networkInfo: null } }),
      'warn',
      /without the x-ms-keyvault-network-info header that Key Vault sends: something else answered/,
      { keyvault_network_info: null },
    ],
    [
      'Azure: firewall refuses (403)',
      keyVault({ status: 403 }),
      'fail',
      /refused the health request \(GET \/healthstatus → 403\)/,
      { status_code: 403 },
    ],
    ['generic: 2xx', generic({ status: 204 }), 'pass', /is healthy \(204\)\.$/, { secrets_type: 'generic' }],
    [
      'generic: 401',
      generic({ status: 401 }),
      'fail',
      /refused the health request \(GET \/health → 401\)/,
      { status_code: 401 },
    ],
    ['generic: 503', generic({ status: 503 }), 'fail', /is not serving: GET \/health answered 503/, {}],
    ['generic: 404', generic({ status: 404 }), 'warn', /answered GET \/health with 404 instead of a health answer/, {}],
  ])('%s', (_name, facts, severity, diagnosis, evidence) => {
    const outcome = judgeSecretsManager(facts, NOW);

    expect(outcome.severity).toBe(severity);
    expect(outcome.diagnosis).toMatch(diagnosis);
    expect(outcome.evidence).toMatchObject({ secrets_url: facts.url, ...evidence });
    if (severity === 'warn' || severity === 'fail') {
      expect(outcome.likelyCauses?.length).toBeGreaterThan(0);
      expect(outcome.remediation?.map((s) => s.environment)).toEqual(
        expect.arrayContaining(['compose', 'baremetal', 'kubernetes']),
      );
    } else {
      expect(outcome.remediation).toBeUndefined();
    }
  });
});

describe('the commands of the remediation', () => {
  it('for a sealed Vault: status per environment and the unseal, which is never marked safe', () => {
    const outcome = judgeSecretsManager(vault({ health: health({ sealed: true }), token: undefined }), NOW);
    const steps = outcome.remediation!;

    expect(steps.map((s) => s.command)).toEqual(
      expect.arrayContaining([
        'docker compose exec vault vault status',
        'systemctl status vault --no-pager\nVAULT_ADDR=https://vault.example.com:8200 vault status',
        'kubectl exec -n vault vault-0 -- vault status',
        'kubectl exec -it -n vault vault-0 -- vault operator unseal',
      ]),
    );
    expect(steps.filter((s) => s.command?.includes('operator unseal')).every((s) => !s.safe)).toBe(true);
  });

  it('for a rejected token: the lookup with the token as a placeholder, a new token, and the key to set', () => {
    const outcome = judgeSecretsManager(
      vault({ namespace: 'team-a', caPath: '/etc/ca.pem', token: { status: 403, error: 'permission denied' } }),
      NOW,
    );
    const text = commands(outcome);

    expect(text).toContain(
      "curl -sS -i --cacert /etc/ca.pem -H 'X-Vault-Token: <token>' -H 'X-Vault-Namespace: team-a' https://vault.example.com:8200/v1/auth/token/lookup-self",
    );
    expect(text).toContain(
      'VAULT_ADDR=https://vault.example.com:8200 VAULT_CACERT=/etc/ca.pem VAULT_NAMESPACE=team-a vault token lookup',
    );
    expect(text).toContain("vault token create -policy='<policy>' -period=768h");
    expect(text).toContain("Secrets__Managers__0__Token='<token>'");
  });

  it('for an expiring token: a new token for the policies it has now', () => {
    const facts = vault({ token: token({ ttlSeconds: DAY, expireTime: at(DAY), renewable: false }) });

    expect(commands(judgeSecretsManager(facts, NOW))).toContain('vault token create -policy=stellaops -period=768h');
  });

  it('for Azure Key Vault: the name resolution and az keyvault show with the vault name', () => {
    const text = commands(judgeSecretsManager(keyVault({ status: 403 }), NOW));

    expect(text).toContain('nslookup kv-prod.vault.azure.net');
    expect(text).toContain('az keyvault show --name kv-prod');
  });
});
