// `stella doctor config` view: sources kept, secret keys always masked, registered secrets masked
// inside other values.
import { afterEach, describe, expect, it } from 'vitest';
import { Configuration } from '../../src/config/configuration.js';
import { describeConfiguration } from '../../src/config/describe.js';
import { clearSecrets, registerSecret } from '../../src/util/redact.js';

afterEach(() => clearSecrets());

describe('describeConfiguration', () => {
  it('lists every entry sorted by key with its source, masking values of secret keys', () => {
    const config = new Configuration([
      { key: 'OCI:Username', value: 'alice', source: 'env:OCI__Username' },
      { key: 'OCI:Password', value: 'hunter2-canary', source: '--password-stdin' },
      { key: 'Registry:Token', value: 'tok-canary', source: 'appsettings.Production.json' },
      { key: 'Doctor:Storage:ConnectionString', value: 'postgres://u:p@db/doctor', source: '--set' },
      { key: 'OCI:RegistryUrl', value: 'https://registry.example', source: '--registry' },
    ]);

    expect(describeConfiguration(config)).toEqual([
      { key: 'Doctor:Storage:ConnectionString', value: '****', source: '--set', isSecret: true },
      { key: 'OCI:Password', value: '****', source: '--password-stdin', isSecret: true },
      { key: 'OCI:RegistryUrl', value: 'https://registry.example', source: '--registry', isSecret: false },
      { key: 'OCI:Username', value: 'alice', source: 'env:OCI__Username', isSecret: false },
      { key: 'Registry:Token', value: '****', source: 'appsettings.Production.json', isSecret: true },
    ]);
  });

  it('keeps an empty secret empty: it reveals only that nothing is set', () => {
    const config = new Configuration([{ key: 'OCI:Password', value: '', source: 'appsettings.json' }]);

    expect(describeConfiguration(config)).toEqual([
      { key: 'OCI:Password', value: '', source: 'appsettings.json', isSecret: true },
    ]);
  });

  it('masks a registered secret inside the value of a non-secret key', () => {
    registerSecret('hunter2-canary');
    const config = new Configuration([{ key: 'Doctor:Note', value: 'pass is hunter2-canary here', source: '--set' }]);

    expect(describeConfiguration(config)).toEqual([
      { key: 'Doctor:Note', value: 'pass is **** here', source: '--set', isSecret: false },
    ]);
  });

  it('masks secret shapes (credentials in URLs) in non-secret values even when not registered', () => {
    const config = new Configuration([
      { key: 'Registry:Mirror', value: 'https://bob:pa55word@mirror.example/v2', source: '--set' },
    ]);

    expect(describeConfiguration(config)[0]!.value).toBe('https://****@mirror.example/v2');
  });
});

describe('Configuration.secretValues', () => {
  it('lists values of secret keys to register, but never a boolean flag like AllowInsecureCredentials', () => {
    const config = new Configuration([
      { key: 'OCI:Password', value: 'hunter2-canary', source: '--password-stdin' },
      { key: 'OCI:AllowInsecureCredentials', value: 'false', source: 'default' },
      { key: 'Registry:Token', value: '', source: 'appsettings.json' },
      { key: 'OCI:Username', value: 'alice', source: '--username' },
    ]);

    expect(config.secretValues()).toEqual(['hunter2-canary']);
  });

  it('judges a key by its last segment: a secrets manager’s token and VAULT_TOKEN, not its URL or name', () => {
    const config = new Configuration([
      { key: 'Secrets:Managers:0:Token', value: 'token-canary', source: '--set' },
      { key: 'Secrets:Managers:0:Url', value: 'https://vault.example.com:8200', source: '--set' },
      { key: 'Secrets:Managers:0:Name', value: 'primary', source: '--set' },
      { key: 'VAULT_TOKEN', value: 'env-token-canary', source: 'env:VAULT_TOKEN' },
      { key: 'ConnectionStrings:Default', value: 'Host=db;Password=pw-canary', source: '--set' },
    ]);

    expect(config.secretValues().sort()).toEqual(['Host=db;Password=pw-canary', 'env-token-canary', 'token-canary']);
  });
});
