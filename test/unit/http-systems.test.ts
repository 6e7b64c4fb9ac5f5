// The shared pieces of the checks that probe HTTP systems (Git providers, CI systems, secrets
// managers): reading a system's section, listing numbered sections, one result for several
// systems, and the one curl builder every remediation command goes through.
import { describe, expect, it } from 'vitest';
import { Configuration } from '../../src/config/configuration.js';
import { curlCommand } from '../../src/plugins/integration/shared/curl-command.js';
import { listSections, pathBelow, readSystem } from '../../src/plugins/integration/shared/http-system.js';
import { combineSystems } from '../../src/plugins/integration/shared/systems.js';
import type { CheckOutcome } from '../../src/engine/types.js';

const config = (pairs: Record<string, string>): Configuration =>
  new Configuration(Object.entries(pairs).map(([key, value]) => ({ key, value, source: '--set' })));

describe('readSystem', () => {
  it('reads a section with its switches, remembering which key supplied each value', () => {
    const system = readSystem(
      config({
        'CI:Systems:1:Url': 'https://ci.example/jenkins/',
        'CI:Systems:1:Type': 'Jenkins',
        'CI:Systems:1:Name': 'main',
        'CI:Systems:1:Token': 'secret-value',
        'CI:Systems:1:SkipTlsVerify': 'TRUE',
      }),
      { section: 'CI:Systems:1' },
    );
    expect(system).toMatchObject({
      section: 'CI:Systems:1',
      name: 'main',
      type: 'jenkins',
      urlKey: 'CI:Systems:1:Url',
      token: { value: 'secret-value', key: 'CI:Systems:1:Token' },
      caKey: 'CI:Systems:1:CaCertificatePath',
      skipTlsVerify: true,
      allowInsecureCredentials: false,
      allowInsecureKey: 'CI:Systems:1:AllowInsecureCredentials',
    });
    expect(system!.url.href).toBe('https://ci.example/jenkins');
  });

  it('falls back to older keys in order, and assumes https:// for a value without a scheme', () => {
    const system = readSystem(config({ 'GitLab:Url': 'gitlab.example:8443', 'GitHub:Token': 't0ken-value' }), {
      section: 'Git',
      urlFallbacks: ['Scm:Url', 'GitHub:Url', 'GitLab:Url'],
      tokenFallbacks: ['GitHub:Token'],
    });
    expect(system).toMatchObject({ urlKey: 'GitLab:Url', schemelessValue: 'gitlab.example:8443', name: 'Git' });
    expect(system!.url.origin).toBe('https://gitlab.example:8443');
    expect(system!.token?.key).toBe('GitHub:Token');
  });

  it('treats a section without a URL as not configured, and `auto` as no type', () => {
    expect(readSystem(config({ 'Git:Token': 'abcd' }), { section: 'Git' })).toBeUndefined();
    const auto = readSystem(config({ 'Git:Url': 'https://git.example', 'Git:Provider': 'auto' }), { section: 'Git' });
    expect(auto?.type).toBeUndefined();
  });

  it('reads the extra keys a check asks for, with their own fallbacks', () => {
    const system = readSystem(config({ 'Git:Url': 'https://g.example', 'Scm:RequiredScopes': 'repo' }), {
      section: 'Git',
      more: { RequiredScopes: ['Scm:RequiredScopes'], Repository: [] },
    });
    expect(system!.more).toEqual({ RequiredScopes: { value: 'repo', key: 'Scm:RequiredScopes' } });
  });
});

describe('listSections', () => {
  it('lists the numbered sections that hold a value, in numeric order', () => {
    const sections = listSections(
      config({
        'CI:Systems:10:Url': 'https://a',
        'CI:Systems:2:Url': 'https://b',
        'CI:Systems:3:Url': '',
        'CI:Url': 'https://legacy',
        'ci:systems:0:name': 'x',
      }),
      'CI:Systems',
    );
    expect(sections).toEqual(['CI:Systems:0', 'CI:Systems:2', 'CI:Systems:10']);
  });
});

describe('combineSystems', () => {
  const outcome = (severity: CheckOutcome['severity'], diagnosis: string, key: string): CheckOutcome => ({
    severity,
    diagnosis,
    evidence: { [key]: true },
    likelyCauses: [`cause of ${key}`],
    remediation: [{ order: 1, environment: 'any', description: `fix ${key}`, safe: true }],
  });

  it('gives one system its own verdict, with the systems evidence added', () => {
    const one = combineSystems('CI systems', [{ name: 'jenkins', outcome: outcome('warn', 'No executors.', 'a') }]);
    expect(one).toMatchObject({
      severity: 'warn',
      diagnosis: 'No executors.',
      evidence: { a: true, systems: ['jenkins: warn'] },
    });
  });

  it('reports the worst verdict, names each unhealthy system, and keeps the worst one evidence', () => {
    const combined = combineSystems('CI systems', [
      { name: 'jenkins', outcome: outcome('pass', 'Jenkins answers.', 'a') },
      { name: 'gitlab', outcome: outcome('warn', 'No runner online.', 'b') },
      { name: 'actions', outcome: outcome('fail', 'Unreachable.', 'c') },
    ]);
    expect(combined.severity).toBe('fail');
    expect(combined.diagnosis).toBe(
      '2 of 3 CI systems are not healthy. gitlab (warn): No runner online. actions (fail): Unreachable.',
    );
    expect(combined.evidence).toEqual({ c: true, systems: ['jenkins: pass', 'gitlab: warn', 'actions: fail'] });
    expect(combined.likelyCauses).toEqual(['gitlab: cause of b', 'actions: cause of c']);
    expect(combined.remediation).toEqual([
      { order: 1, environment: 'any', description: 'gitlab: fix b', safe: true },
      { order: 2, environment: 'any', description: 'actions: fix c', safe: true },
    ]);
  });

  it('says all are healthy when none is worse than info', () => {
    const combined = combineSystems('secrets managers', [
      { name: 'vault-a', outcome: outcome('pass', 'Unsealed.', 'a') },
      { name: 'vault-b', outcome: outcome('info', 'Standby.', 'b') },
    ]);
    expect(combined.severity).toBe('info');
    expect(combined.diagnosis).toBe(
      'All 2 secrets managers are healthy. vault-a (pass): Unsealed. vault-b (info): Standby.',
    );
    expect(combined.remediation).toBeUndefined();
  });
});

describe('curlCommand', () => {
  it.each<[string, Parameters<typeof curlCommand>, string]>([
    ['a response with headers', ['https://r.example/v2/', { show: 'response' }], 'curl -sS -i https://r.example/v2/'],
    ['headers only', ['https://r.example/v2/', { show: 'headers' }], 'curl -sS -I https://r.example/v2/'],
    [
      'the conversation, with a CA file',
      ['https://r.example/v2/', { show: 'verbose', tls: " --cacert '/etc/my ca.pem'" }],
      "curl -sv --cacert '/etc/my ca.pem' https://r.example/v2/ -o /dev/null",
    ],
    [
      'the status code alone, with Basic credentials as a placeholder',
      ['https://r.example/v2/', { show: 'status', basicUser: 'robot$ci' }],
      "curl -fsS -u 'robot$ci':'<password>' https://r.example/v2/ -o /dev/null -w '%{http_code}\\n'",
    ],
    [
      'another method and a header placeholder',
      [
        'https://v.example/v1/sys/health?standbyok=true',
        { show: 'response', method: 'POST', headers: { 'X-Vault-Token': '<token>' } },
      ],
      "curl -sS -i -X POST -H 'X-Vault-Token: <token>' 'https://v.example/v1/sys/health?standbyok=true'",
    ],
    [
      'a token fetched by an earlier step, left for the shell to expand',
      ['https://r.example/v2/', { show: 'response', headers: { Authorization: 'Bearer $TOKEN' } }],
      'curl -sS -i -H "Authorization: Bearer $TOKEN" https://r.example/v2/',
    ],
  ])('%s', (_name, args, expected) => {
    expect(curlCommand(...args)).toBe(expected);
  });
});

describe('combineSystems and expiries', () => {
  it('adds the earliest token and certificate expiry any system reported', () => {
    const system = (name: string, evidence: Record<string, string | null>) => ({
      name,
      outcome: { severity: 'pass' as const, diagnosis: `${name} ok.`, evidence },
    });
    const combined = combineSystems('secrets managers', [
      system('a', { token_expires_utc: '2027-02-01T00:00:00.000Z', tls_not_after_utc: '2027-05-01T00:00:00.000Z' }),
      system('b', { token_expires_utc: '2027-01-01T00:00:00.000Z', tls_not_after_utc: null }),
      system('c', { token_expires_utc: null }),
    ]);
    expect(combined.evidence).toMatchObject({
      earliest_token_expires_utc: '2027-01-01T00:00:00.000Z',
      earliest_tls_not_after_utc: '2027-05-01T00:00:00.000Z',
    });
  });
});

describe('pathBelow', () => {
  it.each([
    ['https://git.example', 'api/v4/version', '/api/v4/version'],
    ['https://example.com/gitlab/', '/api/v4/version', '/gitlab/api/v4/version'],
    ['https://vault.example/prefix//', 'v1/sys/health', '/prefix/v1/sys/health'],
    ['https://ci.example', '', '/'],
  ])('%s + %j → %s', (base, path, expected) => {
    expect(pathBelow(new URL(base), path)).toBe(expected);
  });
});
