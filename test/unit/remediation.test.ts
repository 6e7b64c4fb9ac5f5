// Configuration keys as they appear in remediation: env var, JSON path, Helm value; shell quoting.
import { describe, expect, it } from 'vitest';
import { envVarName, helmValue, jsonPath, setConfigSteps, shellQuote } from '../../src/plugins/integration/remediation.js';

describe('key spellings', () => {
  it.each([
    ['OCI:RegistryUrl', 'OCI__RegistryUrl', '.OCI.RegistryUrl', 'oci.registryUrl'],
    ['OCI:CaCertificatePath', 'OCI__CaCertificatePath', '.OCI.CaCertificatePath', 'oci.caCertificatePath'],
    ['Registry:Url', 'Registry__Url', '.Registry.Url', 'registry.url'],
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
    expect(steps[2]!.command).toBe('helm upgrade stellaops ./chart --reuse-values --set oci.registryUrl=https://r.example');
  });
});
