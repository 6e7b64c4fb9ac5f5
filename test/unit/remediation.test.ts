// Configuration keys as they appear in remediation: env var, JSON path, Helm value; shell quoting.
import { describe, expect, it } from 'vitest';
import {
  curlTlsOptions,
  envVarName,
  fromWherePlatformRuns,
  helmValue,
  jsonPath,
  setConfigSteps,
} from '../../src/plugins/integration/shared/remediation.js';
import { shellQuote } from '../../src/util/shell.js';

describe('key spellings', () => {
  it.each([
    ['OCI:RegistryUrl', 'OCI__RegistryUrl', '.OCI.RegistryUrl', 'oci.registryUrl'],
    ['OCI:CaCertificatePath', 'OCI__CaCertificatePath', '.OCI.CaCertificatePath', 'oci.caCertificatePath'],
    ['Registry:Url', 'Registry__Url', '.Registry.Url', 'registry.url'],
    ['VAULT_ADDR', 'VAULT_ADDR', '.VAULT_ADDR', 'VAULT_ADDR'],
    ['CI:Systems:1:Token', 'CI__Systems__1__Token', '.CI.Systems[1].Token', 'ci.systems[1].token'],
    [
      'Secrets:Managers:0:Token',
      'Secrets__Managers__0__Token',
      '.Secrets.Managers[0].Token',
      'secrets.managers[0].token',
    ],
  ])('%s', (key, env, json, helm) => {
    expect([envVarName(key), jsonPath(key), helmValue(key)]).toEqual([env, json, helm]);
  });
});

describe('shellQuote', () => {
  it.each([
    ['https://r.example:5000', 'https://r.example:5000'],
    ['<password>', "'<password>'"],
    ["it's", "'it'\\''s'"],
    ['a b', "'a b'"],
  ])('%s → %s', (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });
});

describe('setConfigSteps', () => {
  it('gives one step per environment with the real key and value', () => {
    const steps = setConfigSteps('OCI:RegistryUrl', 'https://r.example');

    expect(steps.map((s) => s.environment)).toEqual(['compose', 'baremetal', 'kubernetes']);
    expect(steps[0]!.command).toContain("echo 'OCI__RegistryUrl=https://r.example' >> .env");
    expect(steps[1]!.command).toContain(`jq '.OCI.RegistryUrl = "https://r.example"'`);
    expect(steps[2]!.command).toBe(
      'helm upgrade stellaops ./chart --reuse-values --set oci.registryUrl=https://r.example',
    );
  });
});

describe('curlTlsOptions', () => {
  it.each<[string, string, string | undefined, boolean, string]>([
    [
      'no CA option for plain http, even with a CA configured',
      'http://r.example:5000',
      '/etc/ssl/certs/ca-certificates.crt',
      false,
      '',
    ],
    ['no -k for plain http', 'http://r.example:5000', undefined, true, ''],
    ['the CA for https', 'https://r.example', '/etc/ca.pem', false, ' --cacert /etc/ca.pem'],
    ['-k for https with verification off', 'https://r.example', '/etc/ca.pem', true, ' -k'],
  ])('%s', (_name, url, ca, skip, expected) => {
    expect(curlTlsOptions(new URL(url), ca, skip)).toBe(expected);
  });
});

describe('fromWherePlatformRuns', () => {
  const probe = (origin: string, tls: string): string => `curl -sS -i${tls} ${origin}/v2/`;
  const byEnv = (url: string, caPath?: string) =>
    Object.fromEntries(
      fromWherePlatformRuns('Check', { url: new URL(url), caPath, skipTlsVerify: false }, probe).map((s) => [
        s.environment,
        s,
      ]),
    );

  it('sends a loopback registry to host.docker.internal from compose and names the mounted CA, not the host path', () => {
    const steps = byEnv('https://127.0.0.1:5000', '/home/me/ca.pem');

    expect(steps.compose!.command).toBe(
      `docker compose exec platform sh -c 'curl -sS -i --cacert '\\''<ca-path-inside-the-container>'\\'' https://host.docker.internal:5000/v2/'`,
    );
    expect(steps.compose!.description).toContain('host-gateway');
    expect(steps.compose!.description).toContain('/home/me/ca.pem is a path on this machine');
  });

  it('keeps the host view for the service user on bare metal', () => {
    expect(byEnv('https://127.0.0.1:5000', '/home/me/ca.pem').baremetal!.command).toBe(
      'sudo -u stellaops curl -sS -i --cacert /home/me/ca.pem https://127.0.0.1:5000/v2/',
    );
  });

  it("names the registry's Service from a pod instead of the pod's own loopback", () => {
    const steps = byEnv('https://localhost:5000', '/home/me/ca.pem');

    expect(steps.kubernetes!.command).toContain('https://<registry-service>:5000/v2/');
    expect(steps.kubernetes!.command).toContain('<ca-path-inside-the-pod>');
    expect(steps.kubernetes!.description).toContain("use the registry's Service name");
  });

  it('leaves a remote plain-http registry as it is, with no CA option and no notes', () => {
    const steps = byEnv('http://registry.internal:5000', '/etc/ssl/certs/ca-certificates.crt');

    expect(
      Object.values(steps)
        .map((s) => s.command)
        .join('\n'),
    ).not.toContain('--cacert');
    expect(steps.compose!.command).toContain('http://registry.internal:5000/v2/');
    expect(steps.compose!.description).toBe('Check, from the platform container');
  });
});
