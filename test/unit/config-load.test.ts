// Layered configuration: every source in order, case-insensitive keys, environment selection, and
// errors.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfiguration, resolveEnvironmentName, type ConfigLoadOptions } from '../../src/config/load.js';
import { configErrorOf } from './config-error.js';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'stella-config-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(cwd, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function load(options: Partial<ConfigLoadOptions> = {}) {
  return loadConfiguration({ cwd, env: {}, ...options });
}

describe('loadConfiguration: built-in defaults', () => {
  it('provides the OCI defaults with source default and nothing else without other sources', () => {
    const config = load();

    expect(config.entries()).toEqual([
      { key: 'OCI:AllowInsecureCredentials', value: 'false', source: 'default' },
      { key: 'OCI:PushTestRepository', value: 'stellaops/doctor-test', source: 'default' },
      { key: 'OCI:SkipTlsVerify', value: 'false', source: 'default' },
      { key: 'OCI:TestRepository', value: 'library/alpine', source: 'default' },
      { key: 'OCI:TestTag', value: 'latest', source: 'default' },
    ]);
  });

  it('lets appsettings.json override a default', () => {
    write('appsettings.json', '{"OCI":{"TestTag":"3.20"}}');

    const config = load();

    expect(config.entry('OCI:TestTag')).toEqual({ key: 'OCI:TestTag', value: '3.20', source: 'appsettings.json' });
  });
});

describe('loadConfiguration: precedence (later wins)', () => {
  // Each level adds one source setting OCI:Username; the highest level present must win.
  const levels: Array<[number, string, string]> = [
    [1, 'json', 'appsettings.json'],
    [2, 'production', 'appsettings.Production.json'],
    [3, 'config-file', 'config:extra.json'],
    [4, 'dotenv', '.env'],
    [5, 'environment', 'env:OCI__Username'],
    [6, 'set', '--set'],
    [7, 'flag', '--username'],
  ];

  function optionsUpTo(level: number): Partial<ConfigLoadOptions> {
    const options: Partial<ConfigLoadOptions> = { env: {} };
    if (level >= 1) write('appsettings.json', '{"OCI":{"Username":"json"}}');
    if (level >= 2) write('appsettings.Production.json', '{"OCI":{"Username":"production"}}');
    if (level >= 3) {
      write('extra.json', '{"OCI":{"Username":"config-file"}}');
      options.configFiles = ['extra.json'];
    }
    if (level >= 4) write('.env', 'OCI__Username=dotenv\n');
    if (level >= 5) options.env = { OCI__Username: 'environment' };
    if (level >= 6) options.sets = ['OCI:Username=set'];
    if (level >= 7) options.username = 'flag';
    return options;
  }

  it.each(levels)('level %i: value %s from %s wins over every earlier source', (level, value, source) => {
    const config = load(optionsUpTo(level));

    expect(config.entry('OCI:Username')).toEqual({ key: 'OCI:Username', value, source });
  });

  it('applies several --config files in order, the last winning', () => {
    write('a.json', '{"OCI":{"Username":"a","TestTag":"a"}}');
    write('conf/b.json', '{"OCI":{"Username":"b"}}');

    const config = load({ configFiles: ['a.json', 'conf/b.json'] });

    expect(config.entry('OCI:Username')).toEqual({ key: 'OCI:Username', value: 'b', source: 'config:conf/b.json' });
    expect(config.entry('OCI:TestTag')).toEqual({ key: 'OCI:TestTag', value: 'a', source: 'config:a.json' });
  });

  it('applies several --set arguments in order, the last winning', () => {
    const config = load({ sets: ['OCI:TestTag=one', 'OCI__TestTag=two'] });

    expect(config.entry('OCI:TestTag')).toEqual({ key: 'OCI:TestTag', value: 'two', source: '--set' });
  });

  it('maps every convenience flag to its key and names the flag as source', () => {
    const config = load({
      env: { OCI__RegistryUrl: 'https://env.example', OCI__Password: 'env-password' },
      sets: ['OCI:DockerConfigPath=/from/set.json'],
      registry: 'https://flag.example',
      username: 'alice',
      password: 'stdin-password',
      dockerConfig: '/tmp/docker.json',
    });

    expect(config.entry('OCI:RegistryUrl')).toEqual({
      key: 'OCI:RegistryUrl',
      value: 'https://flag.example',
      source: '--registry',
    });
    expect(config.entry('OCI:Username')).toEqual({ key: 'OCI:Username', value: 'alice', source: '--username' });
    expect(config.entry('OCI:Password')).toEqual({
      key: 'OCI:Password',
      value: 'stdin-password',
      source: '--password-stdin',
    });
    expect(config.entry('OCI:DockerConfigPath')).toEqual({
      key: 'OCI:DockerConfigPath',
      value: '/tmp/docker.json',
      source: '--docker-config',
    });
  });

  it('resolves --docker-config without a path to $DOCKER_CONFIG/config.json', () => {
    const config = load({ env: { DOCKER_CONFIG: '/etc/docker-client' }, dockerConfig: true });

    expect(config.entry('OCI:DockerConfigPath')).toEqual({
      key: 'OCI:DockerConfigPath',
      value: '/etc/docker-client/config.json',
      source: '--docker-config',
    });
  });

  it('resolves --docker-config without a path and without DOCKER_CONFIG to ~/.docker/config.json', () => {
    const config = load({ dockerConfig: true });

    expect(config.get('OCI:DockerConfigPath')).toBe(join(homedir(), '.docker', 'config.json'));
  });
});

describe('loadConfiguration: keys', () => {
  it('treats keys case-insensitively across sources; the entry keeps the winning spelling', () => {
    write('appsettings.json', '{"oci":{"registryurl":"https://json.example"}}');

    const config = load({ env: { OCI__REGISTRYURL: 'https://env.example' } });

    expect(config.get('OCI:RegistryUrl')).toBe('https://env.example');
    expect(config.entry('oci:registryURL')).toEqual({
      key: 'OCI:REGISTRYURL',
      value: 'https://env.example',
      source: 'env:OCI__REGISTRYURL',
    });
  });

  it('lets a later source win even when an earlier one spelled the key differently', () => {
    const config = load({ env: { oci__testtag: 'edge' } });

    expect(config.entry('OCI:TestTag')).toEqual({ key: 'oci:testtag', value: 'edge', source: 'env:oci__testtag' });
  });

  it('takes every environment variable, mapping __ to : and keeping other names as they are', () => {
    const config = load({
      env: {
        REGISTRY__URL: 'https://r.example',
        NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
        A__B__C: 'deep',
        UNSET: undefined,
      },
    });

    expect(config.entry('Registry:Url')).toEqual({
      key: 'REGISTRY:URL',
      value: 'https://r.example',
      source: 'env:REGISTRY__URL',
    });
    expect(config.entry('NODE_EXTRA_CA_CERTS')).toEqual({
      key: 'NODE_EXTRA_CA_CERTS',
      value: '/etc/ca.pem',
      source: 'env:NODE_EXTRA_CA_CERTS',
    });
    expect(config.get('A:B:C')).toBe('deep');
    expect(config.entry('UNSET')).toBeUndefined();
  });

  it('flattens nested objects, arrays by index, numbers and booleans to strings, null to empty', () => {
    write(
      'appsettings.json',
      JSON.stringify({
        OCI: { Mirrors: ['https://m1', { Url: 'https://m2', Weight: 2 }], SkipTlsVerify: true, Token: null },
        Doctor: { Parallel: 8, Ratio: 0.5 },
      }),
    );

    const config = load();

    expect(config.get('OCI:Mirrors:0')).toBe('https://m1');
    expect(config.get('OCI:Mirrors:1:Url')).toBe('https://m2');
    expect(config.get('OCI:Mirrors:1:Weight')).toBe('2');
    expect(config.entry('OCI:SkipTlsVerify')).toEqual({
      key: 'OCI:SkipTlsVerify',
      value: 'true',
      source: 'appsettings.json',
    });
    expect(config.entry('OCI:Token')).toEqual({ key: 'OCI:Token', value: '', source: 'appsettings.json' });
    expect(config.get('Doctor:Parallel')).toBe('8');
    expect(config.get('Doctor:Ratio')).toBe('0.5');
  });

  it('accepts --set keys with : or __ and values that contain = or are empty', () => {
    const config = load({ sets: ['Registry__Url=https://x.example/?a=b', 'OCI:Token='] });

    expect(config.entry('Registry:Url')).toEqual({
      key: 'Registry:Url',
      value: 'https://x.example/?a=b',
      source: '--set',
    });
    expect(config.entry('OCI:Token')).toEqual({ key: 'OCI:Token', value: '', source: '--set' });
  });
});

describe('loadConfiguration: appsettings files and environments', () => {
  it('reads appsettings.{Environment}.json for the selected environment only', () => {
    write('appsettings.json', '{"OCI":{"TestTag":"base","TestRepository":"base/repo"}}');
    write('appsettings.Production.json', '{"OCI":{"TestTag":"production"}}');
    write('appsettings.Staging.json', '{"OCI":{"TestTag":"staging"}}');

    const config = load({ env: { STELLAOPS_ENVIRONMENT: 'Staging' } });

    expect(config.entry('OCI:TestTag')).toEqual({
      key: 'OCI:TestTag',
      value: 'staging',
      source: 'appsettings.Staging.json',
    });
    expect(config.entry('OCI:TestRepository')).toEqual({
      key: 'OCI:TestRepository',
      value: 'base/repo',
      source: 'appsettings.json',
    });
  });

  it('reads from --config-dir and names files inside cwd by their relative path', () => {
    write('deploy/appsettings.json', '{"OCI":{"TestTag":"from-dir"}}');
    write('appsettings.json', '{"OCI":{"TestTag":"from-cwd"}}');

    const config = load({ configDir: 'deploy' });

    expect(config.entry('OCI:TestTag')).toEqual({
      key: 'OCI:TestTag',
      value: 'from-dir',
      source: join('deploy', 'appsettings.json'),
    });
  });

  it('names appsettings files outside cwd by their absolute path', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'stella-config-dir-'));
    writeFileSync(join(elsewhere, 'appsettings.Production.json'), '{"OCI":{"Username":"u"}}');

    try {
      const config = load({ configDir: elsewhere });

      expect(config.entry('OCI:Username')?.source).toBe(join(elsewhere, 'appsettings.Production.json'));
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('is fine without any appsettings file or .env', () => {
    const config = load({ environment: 'Development' });

    expect(config.entries()).toHaveLength(5);
  });
});

describe('resolveEnvironmentName', () => {
  it('prefers --environment over every variable', () => {
    const env = { STELLAOPS_ENVIRONMENT: 'A', DOTNET_ENVIRONMENT: 'B', ASPNETCORE_ENVIRONMENT: 'C' };

    expect(resolveEnvironmentName({ environment: 'Flag', env })).toEqual({ name: 'Flag', source: '--environment' });
  });

  it('takes STELLAOPS_ENVIRONMENT, then DOTNET_ENVIRONMENT, then ASPNETCORE_ENVIRONMENT', () => {
    expect(
      resolveEnvironmentName({
        env: { STELLAOPS_ENVIRONMENT: 'A', DOTNET_ENVIRONMENT: 'B', ASPNETCORE_ENVIRONMENT: 'C' },
      }),
    ).toEqual({ name: 'A', source: 'env:STELLAOPS_ENVIRONMENT' });
    expect(resolveEnvironmentName({ env: { DOTNET_ENVIRONMENT: 'B', ASPNETCORE_ENVIRONMENT: 'C' } })).toEqual({
      name: 'B',
      source: 'env:DOTNET_ENVIRONMENT',
    });
    expect(resolveEnvironmentName({ env: { ASPNETCORE_ENVIRONMENT: 'C' } })).toEqual({
      name: 'C',
      source: 'env:ASPNETCORE_ENVIRONMENT',
    });
  });

  it('defaults to Production, skipping empty values', () => {
    expect(resolveEnvironmentName({ environment: '', env: { STELLAOPS_ENVIRONMENT: ' ' } })).toEqual({
      name: 'Production',
      source: 'default',
    });
  });
});

describe('loadConfiguration: dotenv file', () => {
  it('reads .env from cwd with source .env, mapping __ to :', () => {
    write('.env', '# registry\nexport OCI__RegistryUrl="https://dotenv.example"\nOCI__Username=\'bob\'\n');

    const config = load();

    expect(config.entry('OCI:RegistryUrl')).toEqual({
      key: 'OCI:RegistryUrl',
      value: 'https://dotenv.example',
      source: '.env',
    });
    expect(config.entry('OCI:Username')).toEqual({ key: 'OCI:Username', value: 'bob', source: '.env' });
  });

  it('reads --env-file instead of .env, with source env-file:<path as given>', () => {
    write('.env', 'OCI__Username=from-dot-env\nOCI__TestTag=only-in-dot-env\n');
    write('ci/registry.env', 'OCI__Username=from-env-file\n');

    const config = load({ envFile: 'ci/registry.env' });

    expect(config.entry('OCI:Username')).toEqual({
      key: 'OCI:Username',
      value: 'from-env-file',
      source: 'env-file:ci/registry.env',
    });
    expect(config.entry('OCI:TestTag')?.source).toBe('default');
  });

  it('ignores a .env directory (a Python virtualenv) in cwd', () => {
    mkdirSync(join(cwd, '.env'));

    expect(load().entries()).toHaveLength(5);
  });

  it('refuses a .env in cwd that links to a device, rather than skipping it', () => {
    symlinkSync('/dev/zero', join(cwd, '.env'));

    expect(configErrorOf(() => load())).toBe('cannot read env file .env: is a device, not a file');
  });
});

describe('loadConfiguration: errors are one-line ConfigErrors naming the problem', () => {
  it('names the file, line and column of malformed JSON in appsettings.json', () => {
    write('appsettings.json', '{\n  "OCI": {\n    "Username": "u",\n  }\n}\n');

    expect(configErrorOf(() => load())).toBe(
      'malformed JSON in appsettings.json at line 4, column 3: expected double-quoted property name',
    );
  });

  it('names the environment file and the position of an unexpected token', () => {
    write('appsettings.Production.json', '{\n  "OCI": {\n    "TestTag": latest\n  }\n}\n');

    expect(configErrorOf(() => load())).toBe(
      "malformed JSON in appsettings.Production.json at line 3, column 16: unexpected character 'l'",
    );
  });

  it('names a --config file as given, with line and column', () => {
    write('bad.json', '{"OCI": {"TestTag": "x"}}}');

    expect(configErrorOf(() => load({ configFiles: ['./bad.json'] }))).toBe(
      'malformed JSON in ./bad.json at line 1, column 26: unexpected non-whitespace character after JSON',
    );
  });

  it('reports an empty JSON file', () => {
    write('appsettings.json', '\n');

    expect(configErrorOf(() => load())).toBe(
      'malformed JSON in appsettings.json at line 1, column 1: the file is empty',
    );
  });

  it('requires a JSON object at the top level', () => {
    write('list.json', '["OCI:Username=u"]');

    expect(configErrorOf(() => load({ configFiles: ['list.json'] }))).toBe(
      'list.json must contain a JSON object at the top level, not an array',
    );
  });

  it('reports a missing --config file', () => {
    expect(configErrorOf(() => load({ configFiles: ['missing.json'] }))).toBe(
      'cannot read config file missing.json: file not found',
    );
  });

  it('reports a --config path that is a directory', () => {
    mkdirSync(join(cwd, 'conf.d'));

    expect(configErrorOf(() => load({ configFiles: ['conf.d'] }))).toBe(
      'cannot read config file conf.d: is a directory, not a file',
    );
  });

  it('reports an appsettings.json that is a directory', () => {
    mkdirSync(join(cwd, 'appsettings.json'));

    expect(configErrorOf(() => load())).toBe('cannot read config file appsettings.json: is a directory, not a file');
  });

  it('reports a missing --env-file', () => {
    expect(configErrorOf(() => load({ envFile: 'prod.env' }))).toBe('cannot read env file prod.env: file not found');
  });

  it('reports a missing --config-dir', () => {
    expect(configErrorOf(() => load({ configDir: 'nowhere' }))).toBe('config directory not found: nowhere');
  });

  it('names the file and line of a malformed dotenv line', () => {
    write('.env', 'OCI__Username=u\n\nthis is not an assignment\n');

    expect(configErrorOf(() => load())).toBe('malformed line 3 in .env: expected KEY=value');
  });

  it('names a --set without =', () => {
    expect(configErrorOf(() => load({ sets: ['OCI:TestTag=ok', 'OCI:Username'] }))).toBe(
      'invalid --set "OCI:Username": expected Key=Value',
    );
  });

  it('names a --set with an empty key without echoing its value', () => {
    const message = configErrorOf(() => load({ sets: [' =s3cret-value'] }));

    expect(message).toBe('invalid --set "=…": the key before "=" is empty');
  });
});
