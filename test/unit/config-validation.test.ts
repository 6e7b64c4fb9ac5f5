// Configuration that cannot be valid is refused when it is loaded, in one line naming the key and
// its source and never the value: URLs, ports, userinfo (whose secrets are registered for
// redaction first), booleans, repository names, tags, digests, credentials with line breaks and
// proxy variables.
import { afterEach, describe, expect, it } from 'vitest';
import { Configuration } from '../../src/config/configuration.js';
import { loadConfiguration } from '../../src/config/load.js';
import { runDoctor } from '../../src/doctor.js';
import { clearSecrets, MASK, redactText } from '../../src/util/redact.js';
import { configErrorOf } from './config-error.js';

afterEach(() => clearSecrets());

const loadWith = (env: Record<string, string>) => loadConfiguration({ cwd: '/nonexistent', env });
const errorFor = (key: string, value: string): string =>
  configErrorOf(() => loadWith({ [key.replaceAll(':', '__')]: value }));
const accepts = (key: string, value: string) =>
  expect(() => loadWith({ [key.replaceAll(':', '__')]: value })).not.toThrow();

describe('URL values', () => {
  it.each([
    ['ftp://registry.example', 'the scheme ftp: is not http or https'],
    ['file:///etc/passwd', 'the scheme file: is not http or https'],
    ['https://registry.example:0', 'the port is not a number from 1 to 65535'],
    ['https://registry.example:65536', 'the port is not a number from 1 to 65535'],
    ['registry.example:99999', 'the port is not a number from 1 to 65535'],
    ['https://registry.example:http', 'the port is not a number from 1 to 65535'],
    ['https://regi\nstry.example', 'contains a line break or another control character'],
    ['https://registry.example\r', 'contains a line break or another control character'],
    ['https://regi stry.example', 'is not a valid URL'],
  ])('refuses OCI:RegistryUrl %j: %s', (value, problem) => {
    expect(errorFor('OCI:RegistryUrl', value)).toBe(`invalid OCI:RegistryUrl (env:OCI__RegistryUrl): ${problem}`);
  });

  it.each([
    'registry.example:5000',
    'http://127.0.0.1:65535/',
    'https://[::1]:5000',
    'https://registry.example/mirror',
    ' / ',
  ])('accepts OCI:RegistryUrl %j', (value) => {
    accepts('OCI:RegistryUrl', value);
  });

  it('checks Registry:Url as a URL too', () => {
    expect(errorFor('Registry:Url', 'gopher://x')).toBe(
      'invalid Registry:Url (env:Registry__Url): the scheme gopher: is not http or https',
    );
  });

  it('checks Doctor:RunbookBaseUrl as a link: http(s), or file:// like its default', () => {
    expect(errorFor('Doctor:RunbookBaseUrl', 'gopher://x')).toBe(
      'invalid Doctor:RunbookBaseUrl (env:Doctor__RunbookBaseUrl): the scheme gopher: is not http or https or file',
    );
    accepts('Doctor:RunbookBaseUrl', 'file:///opt/stellaops/docs/articles/');
  });
});

describe('userinfo in a URL', () => {
  it.each([
    ['http://:canary-Secret-91x@registry.example', 'canary-Secret-91x'],
    ['https://user:canary-Secret-91x@registry.example:5000/v2', 'canary-Secret-91x'],
    ['user:canary-Secret-91x@registry.example', 'canary-Secret-91x'],
    ['https://canary-Token-91x@registry.example', 'canary-Token-91x'],
  ])('refuses %j naming the keys to use instead, and masks the secret from then on', (value, secret) => {
    const message = errorFor('OCI:RegistryUrl', value);

    expect(message).toBe(
      'invalid OCI:RegistryUrl (env:OCI__RegistryUrl): holds credentials (user:password@): remove it and set OCI:Username and OCI:Password (or OCI:Token) instead',
    );
    expect(redactText(`connecting to ${value}`)).not.toContain(secret);
  });

  it('masks a password with a raw @ whole, not only up to its first @', () => {
    errorFor('OCI:RegistryUrl', 'https://user:canary@Secret-91x@registry.example');

    expect(redactText('user:canary@Secret-91x and canary@Secret-91x')).toBe(`${MASK} and ${MASK}`);
  });

  it('names the Registry:* keys for Registry:Url', () => {
    expect(errorFor('Registry:Url', 'https://u:canary-Secret-91x@r.example')).toContain(
      'set Registry:Username and Registry:Password (or Registry:Token) instead',
    );
  });
});

describe('booleans', () => {
  it.each([
    ['OCI:SkipTlsVerify', 'maybe'],
    ['OCI:SkipTlsVerify', '1'],
    ['OCI:AllowInsecureCredentials', 'yes'],
    ['OCI:AllowInsecureCredentials', 'truee'],
  ])('refuses %s=%j', (key, value) => {
    expect(errorFor(key, value)).toBe(`invalid ${key} (env:${key.replace(':', '__')}): expected true or false`);
  });

  it.each(['true', 'FALSE', ' True ', ''])('accepts OCI:SkipTlsVerify=%j', (value) => {
    accepts('OCI:SkipTlsVerify', value);
  });
});

describe('repository names', () => {
  it.each([
    '../../admin',
    '../danger',
    'library/../admin',
    'a?b',
    'a#b',
    'library/alpine\r\n',
    'lib rary',
    'Library/alpine',
    'a//b',
    '/a',
    'a-',
    '_a',
    'a___b',
    'a'.repeat(256),
  ])('refuses %j in OCI:TestRepository and OCI:PushTestRepository', (value) => {
    for (const key of ['OCI:TestRepository', 'OCI:PushTestRepository', 'Registry:TestRepository']) {
      expect(errorFor(key, value)).toMatch(
        new RegExp(`^invalid ${key} \\(env:${key.replace(':', '__')}\\): not a repository name \\(`),
      );
    }
  });

  it.each(['library/alpine', 'a', 'a.b/c_d/e__f/g-h/i---j', '0/1', 'a'.repeat(255)])('accepts %j', (value) => {
    accepts('OCI:TestRepository', value);
    accepts('OCI:PushTestRepository', value);
  });
});

describe('tags and digests', () => {
  const sha256 = `sha256:${'0123456789abcdef'.repeat(4)}`;

  it.each([
    'latest',
    '3.20',
    '_x',
    'V1-rc.2_b',
    'a'.repeat(128),
    sha256,
    `sha512:${'ab'.repeat(64)}`,
    'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8',
  ])('accepts OCI:TestTag %j', (value) => {
    accepts('OCI:TestTag', value);
  });

  it.each([
    '.x',
    '-x',
    'a'.repeat(129),
    'v1?x',
    'v1#x',
    'v1/x',
    '../x',
    'v1\n',
    sha256.toUpperCase(),
    `sha256:${'a'.repeat(63)}`,
    'sha256:',
    ':abc',
    'SHA256:abc',
  ])('refuses OCI:TestTag %j', (value) => {
    expect(errorFor('OCI:TestTag', value)).toMatch(/^invalid OCI:TestTag \(env:OCI__TestTag\): neither a tag \(/);
  });
});

describe('credentials', () => {
  it.each(['OCI:Username', 'OCI:Password', 'OCI:Token', 'Registry:Password'])(
    'refuses a line break in %s without quoting the value',
    (key) => {
      const message = errorFor(key, 'canary-Secret-91x\r\nX-Injected: 1');

      expect(message).toBe(
        `invalid ${key} (env:${key.replace(':', '__')}): contains a line break or another control character`,
      );
      expect(message).not.toContain('canary');
    },
  );

  it('accepts a password of any printable characters', () => {
    accepts('OCI:Password', ' p@ss:word/?#%zz "\' ');
  });
});

describe('proxy variables', () => {
  it.each([
    ['HTTPS_PROXY', 'socks5://proxy.example:1080', 'the scheme socks5: is not http or https'],
    ['https_proxy', 'proxy.example:99999', 'the port is not a number from 1 to 65535'],
    ['HTTP_PROXY', 'http://proxy.example:3128\n', 'contains a line break or another control character'],
    ['http_proxy', 'http://u:bad%zzescape@proxy.example:3128', 'has a malformed %-escape in its user:password'],
  ])('refuses %s=%j naming the variable', (name, value, problem) => {
    expect(configErrorOf(() => loadWith({ [name]: value }))).toBe(`invalid ${name} (env:${name}): ${problem}`);
  });

  it('accepts host:port and a user:password, and masks the password from then on', () => {
    loadWith({
      HTTPS_PROXY: 'http://proxy-user:canary-Proxy-91x@proxy.example:3128',
      http_proxy: 'proxy.example:3128',
    });

    expect(redactText('canary-Proxy-91x')).toBe(MASK);
  });
});

describe('where the rules apply', () => {
  it('names the source of the value that won: a file, a flag or --set', () => {
    const message = configErrorOf(() =>
      loadConfiguration({ cwd: '/nonexistent', env: {}, sets: ['oci:skiptlsverify=maybe'] }),
    );

    expect(message).toBe('invalid oci:skiptlsverify (--set): expected true or false');
    expect(configErrorOf(() => loadConfiguration({ cwd: '/nonexistent', env: {}, registry: 'ftp://x' }))).toBe(
      'invalid OCI:RegistryUrl (--registry): the scheme ftp: is not http or https',
    );
  });

  it('registers the secret values before it validates, so an error about another key cannot show them', () => {
    configErrorOf(() => loadWith({ OCI__Password: 'canary-Secret-91x', OCI__SkipTlsVerify: 'maybe' }));

    expect(redactText('canary-Secret-91x')).toBe(MASK);
  });

  it('holds a Configuration built by a library caller to the same rules before any check runs, its secrets registered', async () => {
    const config = new Configuration([
      { key: 'OCI:Token', value: 'canary-Token-91x', source: 'caller' },
      { key: 'OCI:TestRepository', value: '../../admin', source: 'caller' },
    ]);

    await expect(runDoctor({ config, env: {} })).rejects.toThrow(
      'invalid OCI:TestRepository (caller): not a repository name',
    );
    expect(redactText('canary-Token-91x')).toBe(MASK);
  });
});

describe('keys of the Git provider, CI system and secrets manager sections', () => {
  it.each([
    ['Git:Url', 'ftp://git.example', 'the scheme ftp: is not http or https'],
    ['CI:Systems:3:Url', 'https://ci.example:70000', 'the port is not a number from 1 to 65535'],
    ['Secrets:Managers:0:Url', 'https://vault.example\n', 'contains a line break or another control character'],
    ['Vault:Url', 'https://u:canary-Secret-77q@vault.example', 'holds credentials (user:password@)'],
    ['VAULT_ADDR', 'gopher://vault.example', 'the scheme gopher: is not http or https'],
    ['Git:SkipTlsVerify', 'yes', 'expected true or false'],
    ['CI:Systems:0:AllowInsecureCredentials', '1', 'expected true or false'],
    ['Git:Token', 'abc\ndef', 'contains a line break or another control character'],
    ['VAULT_TOKEN', 'hvs.\u0007x', 'contains a line break or another control character'],
    ['Secrets:Managers:0:Namespace', 'team\nadmin', 'contains a line break or another control character'],
    ['VAULT_NAMESPACE', 'team\r', 'contains a line break or another control character'],
    [
      'Git:Provider',
      'githb',
      "not one of auto, github, gitlab, gitea, bitbucket, azuredevops (did you mean 'github'?)",
    ],
    [
      'CI:Systems:1:Type',
      'jenkens',
      "not one of jenkins, gitlab, github, azuredevops, generic (did you mean 'jenkins'?)",
    ],
    ['Secrets:Managers:2:Type', 'aws', 'not one of vault, azurekeyvault, generic'],
  ])('refuses %s=%j at load time', (key, value, problem) => {
    const source = key.includes(':') ? `env:${key.replaceAll(':', '__')}` : `env:${key}`;
    expect(errorFor(key, value)).toMatch(new RegExp(`^invalid ${key} \\(${source}\\): ${escapeRegExp(problem)}`));
  });

  it.each([
    ['Git:Url', 'gitlab.example:8443/prefix'],
    ['Git:Provider', 'GitLab'],
    ['CI:Systems:0:Type', 'jenkins'],
    ['Secrets:Managers:1:Type', 'AzureKeyVault'],
    ['VAULT_ADDR', 'http://127.0.0.1:8200'],
    ['Git:SkipTlsVerify', 'TRUE'],
  ])('accepts %s=%j', (key, value) => {
    accepts(key, value);
  });

  it('leaves keys of other sections alone', () => {
    accepts('Other:Type', 'anything');
    accepts('CI:Systems:x:Url', 'ftp://not-a-numbered-section');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
