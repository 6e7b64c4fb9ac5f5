// Configuration keys as they appear in remediation: env var, JSON path, Helm value; shell quoting.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../src/config/dotenv.js';
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
    expect(steps[0]!.command).toContain(`printf '%s\\n' "OCI__RegistryUrl='https://r.example'"`);
    expect(steps[1]!.command).toContain(`jq --arg v0 https://r.example '.OCI.RegistryUrl = $v0'`);
    expect(steps[2]!.command).toBe(
      'helm upgrade stellaops ./chart --reuse-values --set-string oci.registryUrl=https://r.example',
    );
  });

  // Each value is written the way its destination reads it: Compose's .env (single quotes keep `$`
  // literal), jq's --arg (any string), helm --set-string (backslash and comma escaped), all pasted
  // into a POSIX shell. Each command is run for real in sh and the result read back.
  describe.each([
    ['a Harbor robot account', 'robot$project+name'],
    ['a value with quotes', `it's "quoted"`],
    ['a value with # and spaces', 'pass #1 with  spaces'],
    ['a value with a backslash, a comma and a backquote', 'a\\b,c`d`$(x)'],
  ])('%s', (_name, value) => {
    const [compose, baremetal, kubernetes] = setConfigSteps('OCI:Username', value);

    it('is written to .env so that Compose and the platform read the value back unchanged', () => {
      const dir = mkdtempSync(join(tmpdir(), 'stella-env-'));
      writeFileSync(join(dir, '.env'), 'OCI__Username=old\nOTHER=kept\n');
      const write = compose!.command!.split('\n')[0]!;
      execFileSync('sh', ['-c', write], { cwd: dir });
      const entries = parseDotenv(readFileSync(join(dir, '.env'), 'utf8'), '.env');
      expect(entries.map((e) => [e.key, e.value])).toEqual([
        ['OTHER', 'kept'],
        ['OCI__Username', value],
      ]);
      expect(readFileSync(join(dir, '.env'), 'utf8')).toContain(`OCI__Username='`);
    });

    it('is handed to jq as a string argument, so appsettings holds the value unchanged', () => {
      const dir = mkdtempSync(join(tmpdir(), 'stella-json-'));
      const file = join(dir, 'appsettings.json');
      writeFileSync(file, '{"OCI":{"RegistryUrl":"https://r.example"}}');
      const jq = baremetal!
        .command!.split('\n')[0]!
        .replace(/^sudo /, '')
        .replace(/ > .*$/, '');
      const written = execFileSync('sh', ['-c', jq.replace('/etc/stellaops/appsettings.Production.json', file)]);
      expect(JSON.parse(written.toString())).toEqual({ OCI: { RegistryUrl: 'https://r.example', Username: value } });
    });

    it('is one --set-string word with helm escapes', () => {
      const word = /--set-string (.*)$/.exec(kubernetes!.command!)![1]!;
      const arg = execFileSync('sh', ['-c', `printf '%s' ${word}`]).toString();
      expect(arg).toBe(`oci.username=${value.replace(/[\\,]/g, (c) => `\\${c}`)}`);
    });
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
