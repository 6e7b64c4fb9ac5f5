// The OCI settings with their fallbacks (`OCI:*` → `Registry:*`) and provenance.
import { describe, expect, it } from 'vitest';
import { Configuration, type ConfigEntry } from '../../src/config/configuration.js';
import { loadConfiguration } from '../../src/config/load.js';
import { readOciSettings } from '../../src/config/oci-settings.js';

/** The built-in defaults plus the given entries, as loadConfiguration would build them. */
function settingsWith(...entries: ConfigEntry[]) {
  const config = loadConfiguration({ cwd: '/nonexistent-stella-doctor-dir', env: {} });
  for (const entry of entries) config.set(entry);
  return readOciSettings(config);
}

describe('readOciSettings', () => {
  it('gives the defaults and nothing else for an empty configuration', () => {
    expect(settingsWith()).toEqual({
      registryUrl: undefined,
      token: undefined,
      username: undefined,
      password: undefined,
      testRepository: { value: 'library/alpine', key: 'OCI:TestRepository', source: 'default' },
      testTag: { value: 'latest', key: 'OCI:TestTag', source: 'default' },
      pushTestRepository: { value: 'stellaops/doctor-test', key: 'OCI:PushTestRepository', source: 'default' },
      caCertificatePath: undefined,
      skipTlsVerify: false,
      allowInsecureCredentials: false,
      dockerConfigPath: undefined,
    });
  });

  it('uses the defaults even when the configuration was built without them', () => {
    const settings = readOciSettings(new Configuration());

    expect(settings.testRepository).toEqual({ value: 'library/alpine', key: 'OCI:TestRepository', source: 'default' });
    expect(settings.pushTestRepository).toEqual({
      value: 'stellaops/doctor-test',
      key: 'OCI:PushTestRepository',
      source: 'default',
    });
  });

  it('falls back from OCI:* to Registry:* and reports the key that was used', () => {
    const settings = settingsWith(
      { key: 'Registry:Url', value: 'https://r.example', source: 'env:Registry__Url' },
      { key: 'Registry:Token', value: 't0ken', source: 'appsettings.json' },
      { key: 'Registry:Username', value: 'u', source: 'appsettings.Production.json' },
      { key: 'Registry:Password', value: 'p', source: '.env' },
      { key: 'Registry:TestRepository', value: 'team/app', source: '--set' },
      { key: 'Registry:TestTag', value: 'v1', source: '--set' },
    );

    expect(settings.registryUrl).toEqual({
      value: 'https://r.example',
      key: 'Registry:Url',
      source: 'env:Registry__Url',
    });
    expect(settings.token).toEqual({ value: 't0ken', key: 'Registry:Token', source: 'appsettings.json' });
    expect(settings.username).toEqual({ value: 'u', key: 'Registry:Username', source: 'appsettings.Production.json' });
    expect(settings.password).toEqual({ value: 'p', key: 'Registry:Password', source: '.env' });
    expect(settings.testRepository).toEqual({ value: 'team/app', key: 'Registry:TestRepository', source: '--set' });
    expect(settings.testTag).toEqual({ value: 'v1', key: 'Registry:TestTag', source: '--set' });
  });

  it('prefers OCI:* over Registry:*, and skips an empty OCI:* value', () => {
    const settings = settingsWith(
      { key: 'OCI:Username', value: 'oci-user', source: 'env:OCI__Username' },
      { key: 'Registry:Username', value: 'registry-user', source: 'appsettings.json' },
      { key: 'OCI:Password', value: '', source: 'env:OCI__Password' },
      { key: 'Registry:Password', value: 'registry-pass', source: 'appsettings.json' },
      { key: 'OCI:TestTag', value: 'edge', source: '--set' },
      { key: 'Registry:TestTag', value: 'v1', source: '--set' },
    );

    expect(settings.username).toEqual({ value: 'oci-user', key: 'OCI:Username', source: 'env:OCI__Username' });
    expect(settings.password).toEqual({ value: 'registry-pass', key: 'Registry:Password', source: 'appsettings.json' });
    expect(settings.testTag).toEqual({ value: 'edge', key: 'OCI:TestTag', source: '--set' });
  });

  it('falls back for the push repository to an explicitly set OCI:TestRepository', () => {
    const settings = settingsWith({ key: 'OCI:TestRepository', value: 'team/base', source: 'appsettings.json' });

    expect(settings.pushTestRepository).toEqual({
      value: 'team/base',
      key: 'OCI:TestRepository',
      source: 'appsettings.json',
    });
  });

  it('does not take Registry:TestRepository as the push repository', () => {
    const settings = settingsWith({ key: 'Registry:TestRepository', value: 'team/app', source: '--set' });

    expect(settings.pushTestRepository).toEqual({
      value: 'stellaops/doctor-test',
      key: 'OCI:PushTestRepository',
      source: 'default',
    });
  });

  it('prefers an explicit OCI:PushTestRepository over OCI:TestRepository', () => {
    const settings = settingsWith(
      { key: 'OCI:TestRepository', value: 'team/base', source: 'appsettings.json' },
      { key: 'OCI:PushTestRepository', value: 'team/scratch', source: 'env:OCI__PushTestRepository' },
    );

    expect(settings.pushTestRepository).toEqual({
      value: 'team/scratch',
      key: 'OCI:PushTestRepository',
      source: 'env:OCI__PushTestRepository',
    });
  });

  it('falls back for the CA certificate to NODE_EXTRA_CA_CERTS', () => {
    const config = loadConfiguration({
      cwd: '/nonexistent-stella-doctor-dir',
      env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/extra.pem' },
    });

    expect(readOciSettings(config).caCertificatePath).toEqual({
      value: '/etc/ssl/extra.pem',
      key: 'NODE_EXTRA_CA_CERTS',
      source: 'env:NODE_EXTRA_CA_CERTS',
    });
  });

  it('prefers OCI:CaCertificatePath over NODE_EXTRA_CA_CERTS', () => {
    const settings = settingsWith(
      { key: 'NODE_EXTRA_CA_CERTS', value: '/etc/ssl/extra.pem', source: 'env:NODE_EXTRA_CA_CERTS' },
      { key: 'OCI:CaCertificatePath', value: '/etc/ssl/registry.pem', source: 'appsettings.json' },
    );

    expect(settings.caCertificatePath).toEqual({
      value: '/etc/ssl/registry.pem',
      key: 'OCI:CaCertificatePath',
      source: 'appsettings.json',
    });
  });

  it('reads the booleans and the docker config path', () => {
    const settings = settingsWith(
      { key: 'OCI:SkipTlsVerify', value: 'True', source: 'env:OCI__SkipTlsVerify' },
      { key: 'OCI:AllowInsecureCredentials', value: 'TRUE', source: '--set' },
      { key: 'OCI:DockerConfigPath', value: '/root/.docker/config.json', source: '--docker-config' },
    );

    expect(settings.skipTlsVerify).toBe(true);
    expect(settings.allowInsecureCredentials).toBe(true);
    expect(settings.dockerConfigPath).toEqual({
      value: '/root/.docker/config.json',
      key: 'OCI:DockerConfigPath',
      source: '--docker-config',
    });
  });

  it('keeps a registry URL that needs no normalisation as it is', () => {
    const settings = settingsWith({ key: 'OCI:RegistryUrl', value: 'http://localhost:5000', source: '--registry' });

    expect(settings.registryUrl).toEqual({
      value: 'http://localhost:5000',
      key: 'OCI:RegistryUrl',
      source: '--registry',
    });
  });

  it.each([
    ['https://registry.example/', 'https://registry.example'],
    ['https://registry.example/mirror//', 'https://registry.example/mirror'],
    ['registry.example:5000', 'https://registry.example:5000'],
    ['  localhost:5000/ ', 'https://localhost:5000'],
  ])('normalises the registry URL %j to %j and records what was configured', (configured, normalised) => {
    const settings = settingsWith({ key: 'OCI:RegistryUrl', value: configured, source: 'appsettings.json' });

    expect(settings.registryUrl).toEqual({
      value: normalised,
      key: 'OCI:RegistryUrl',
      source: 'appsettings.json',
      normalizedFrom: configured,
    });
  });

  it('treats a registry URL of only slashes and spaces as not configured', () => {
    expect(settingsWith({ key: 'OCI:RegistryUrl', value: ' / ', source: '--set' }).registryUrl).toBeUndefined();
  });

  it('produces the credential source of SPEC 4.2 from source and key', () => {
    const { username } = settingsWith({ key: 'OCI:Username', value: 'u', source: 'appsettings.Production.json' });

    expect(`${username!.source}:${username!.key}`).toBe('appsettings.Production.json:OCI:Username');
  });
});
