// Docker config as a credential source: key matching, lookup order, auths entries, credential
// helpers (answers, identity tokens, failures, hangs), malformed files, and secret registration.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultDockerConfigPath,
  normalizeRegistryKey,
  resolveDockerCredential,
  type DockerCredentialResult,
} from '../../src/registry/docker-config.js';
import { clearSecrets, MASK, redactText } from '../../src/util/redact.js';

const SOURCE = fileURLToPath(new URL('../../src/registry/docker-config.ts', import.meta.url));
const HELPERS = fileURLToPath(new URL('../fixtures/docker-credential-helpers', import.meta.url));
const ENV = { PATH: `${HELPERS}${delimiter}${process.env.PATH ?? ''}` };
const HOST = 'registry.example.test';

function basic(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

let dir: string;
let configCount = 0;

async function writeConfig(content: unknown): Promise<string> {
  const path = join(dir, `config-${++configCount}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

async function resolve(config: unknown, registryHost = HOST, timeoutMs?: number): Promise<DockerCredentialResult> {
  return resolveDockerCredential({ path: await writeConfig(config), registryHost, env: ENV, timeoutMs });
}

/**
 * resolveDockerCredential (this checkout's source, bundled) in a child process that file
 * permissions bind: as root (how the suite runs here) without the two capabilities that let root
 * read any file, CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, dropped with util-linux setpriv.
 */
async function resolveWithoutReadingAnyFile(path: string): Promise<DockerCredentialResult> {
  const bundle = join(dir, 'docker-config.mjs');
  await build({
    entryPoints: [SOURCE],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  });
  const script =
    'const { resolveDockerCredential } = await import(process.argv[1]); console.log(JSON.stringify(await resolveDockerCredential(JSON.parse(process.argv[2]))));';
  const node = [
    process.execPath,
    '--input-type=module',
    '-e',
    script,
    bundle,
    JSON.stringify({ path, registryHost: HOST, env: ENV }),
  ];
  const [command, ...args] =
    process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--', ...node] : node;
  const { stdout } = await promisify(execFile)(command!, args);
  return JSON.parse(stdout) as DockerCredentialResult;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stella-docker-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  clearSecrets();
});

describe('normalizeRegistryKey', () => {
  it.each<[string, string]>([
    ['registry.example.test', 'registry.example.test'],
    ['Registry.Example.TEST', 'registry.example.test'],
    ['https://registry.example.test', 'registry.example.test'],
    ['http://registry.example.test:5000/v1/', 'registry.example.test:5000'],
    ['HTTPS://registry.example.test/v2/team/app', 'registry.example.test'],
    ['localhost:5000', 'localhost:5000'],
    ['docker.io', 'index.docker.io'],
    ['index.docker.io', 'index.docker.io'],
    ['registry-1.docker.io', 'index.docker.io'],
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['https://registry-1.docker.io', 'index.docker.io'],
    ['registry.docker.io', 'registry.docker.io'],
  ])('%s → %s', (key, expected) => {
    expect(normalizeRegistryKey(key)).toEqual(expected);
  });
});

describe('defaultDockerConfigPath', () => {
  it.each<[string, Record<string, string>, string]>([
    ['DOCKER_CONFIG wins', { DOCKER_CONFIG: '/etc/docker-ci', HOME: '/home/u' }, '/etc/docker-ci/config.json'],
    ['else the home directory', { HOME: '/home/u' }, '/home/u/.docker/config.json'],
    ['an empty DOCKER_CONFIG counts as unset', { DOCKER_CONFIG: '', HOME: '/home/u' }, '/home/u/.docker/config.json'],
  ])('%s', (_name, env, expected) => {
    expect(defaultDockerConfigPath(env)).toEqual(expected);
  });

  it('is used when no path is given', async () => {
    const dockerConfig = join(dir, 'docker-config-dir');
    await mkdir(dockerConfig);
    await writeFile(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [HOST]: { auth: basic('u', 'default-path-pw') } } }),
    );

    const result = await resolveDockerCredential({ registryHost: HOST, env: { ...ENV, DOCKER_CONFIG: dockerConfig } });

    expect(result).toEqual({
      kind: 'found',
      source: 'docker-config:auths',
      matchedKey: HOST,
      username: 'u',
      password: 'default-path-pw',
    });
  });
});

describe('auths entries', () => {
  it.each<
    [
      string,
      Record<string, unknown>,
      Partial<Record<'username' | 'password' | 'identityToken' | 'registryToken', string>>,
    ]
  >([
    ['base64 auth', { auth: basic('alice', 'pa55word') }, { username: 'alice', password: 'pa55word' }],
    [
      'base64 auth whose password holds colons',
      { auth: basic('alice', 'pa:ss:word') },
      { username: 'alice', password: 'pa:ss:word' },
    ],
    [
      'username and password fields',
      { username: 'bob', password: 'hunter22' },
      { username: 'bob', password: 'hunter22' },
    ],
    [
      'auth wins over username and password fields',
      { auth: basic('alice', 'from-auth'), username: 'bob', password: 'from-fields' },
      { username: 'alice', password: 'from-auth' },
    ],
    [
      'an identity token',
      { auth: basic('alice', ''), identitytoken: 'refresh-token-value' },
      { username: 'alice', password: '', identityToken: 'refresh-token-value' },
    ],
    ['a registry token', { registrytoken: 'ready-bearer-token' }, { registryToken: 'ready-bearer-token' }],
    ['a username alone (reported later as a username without password)', { username: 'carol' }, { username: 'carol' }],
  ])('%s', async (_name, entry, credential) => {
    const result = await resolve({ auths: { [HOST]: entry } });

    expect(result).toEqual({ kind: 'found', source: 'docker-config:auths', matchedKey: HOST, ...credential });
  });

  it.each<[string, string, string]>([
    ['an https:// key with the /v1/ path', `https://${HOST}/v1/`, HOST],
    ['an http:// key', `http://${HOST}`, HOST],
    ['a key in capitals', HOST.toUpperCase(), HOST],
    ['a registry given as a URL', HOST, `https://${HOST}/v2/`],
    ['the Docker Hub key for docker.io', 'https://index.docker.io/v1/', 'docker.io'],
    ['the Docker Hub key for registry-1.docker.io', 'https://index.docker.io/v1/', 'registry-1.docker.io'],
    ['a docker.io key for index.docker.io', 'docker.io', 'index.docker.io'],
    ['an index.docker.io key for Docker Hub', 'index.docker.io', 'https://registry-1.docker.io'],
  ])('matches %s', async (_name, key, registryHost) => {
    const result = await resolve({ auths: { [key]: { auth: basic('u', 'matched-pw') } } }, registryHost);

    expect(result).toEqual({
      kind: 'found',
      source: 'docker-config:auths',
      matchedKey: key,
      username: 'u',
      password: 'matched-pw',
    });
  });

  it('prefers the exact key, then an entry that holds a credential', async () => {
    const config = {
      auths: {
        'https://index.docker.io/v1/': {},
        'docker.io': { auth: basic('second', 'second-pw') },
        'index.docker.io': { auth: basic('third', 'third-pw') },
      },
    };

    const result = await resolve(config, 'docker.io');

    expect(result).toEqual({
      kind: 'found',
      source: 'docker-config:auths',
      matchedKey: 'docker.io',
      username: 'second',
      password: 'second-pw',
    });
  });

  it.each<[string, string]>([
    ['not base64', 'not base64!'],
    ['base64 without a colon', Buffer.from('just-a-password').toString('base64')],
  ])('an auth value that is %s is an error naming the entry', async (_name, auth) => {
    const path = await writeConfig({ auths: { [HOST]: { auth } } });

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV });

    expect(result).toEqual({
      kind: 'error',
      message: `the "auth" value of auths["${HOST}"] in ${path} is not the base64 of user:password`,
    });
  });

  it('ignores fields and sections of the wrong type', async () => {
    const config = {
      auths: { [HOST]: { auth: 42, username: 'dave', password: ['x'] }, other: 'x' },
      credHelpers: [],
      credsStore: 7,
    };

    const result = await resolve(config);

    expect(result).toEqual({ kind: 'found', source: 'docker-config:auths', matchedKey: HOST, username: 'dave' });
  });
});

describe('not found', () => {
  it.each<[string, unknown, string, DockerCredentialResult]>([
    ['an empty config', {}, HOST, { kind: 'not-found', triedKeys: [`auths[${HOST}]`] }],
    [
      'an unrelated registry',
      { auths: { 'quay.io': { auth: basic('u', 'p1234') } } },
      HOST,
      { kind: 'not-found', triedKeys: [`auths[${HOST}]`] },
    ],
    [
      'another port of the same host',
      { auths: { [`${HOST}:5000`]: { auth: basic('u', 'p1234') } } },
      HOST,
      {
        kind: 'not-found',
        triedKeys: [`auths[${HOST}]`],
        hint: `CONFIG has a credential for "${HOST}:5000" but none for "${HOST}": credentials are looked up under the registry's own host name and port`,
      },
    ],
    [
      'the site rather than the registry host',
      { credHelpers: { 'gitlab.com': 'fixture' } },
      'registry.gitlab.com',
      {
        kind: 'not-found',
        triedKeys: ['auths[registry.gitlab.com]'],
        hint: 'CONFIG has a credential for "gitlab.com" but none for "registry.gitlab.com": credentials are looked up under the registry\'s own host name and port',
      },
    ],
    [
      'registry.docker.io for Docker Hub',
      { auths: { 'registry.docker.io': { auth: basic('u', 'p1234') } } },
      'docker.io',
      {
        kind: 'not-found',
        triedKeys: ['auths[https://index.docker.io/v1/]'],
        hint: 'CONFIG has a credential for "registry.docker.io" but none for "https://index.docker.io/v1/": credentials are looked up under the registry\'s own host name and port',
      },
    ],
    [
      'an entry without a secret and no credential store',
      { auths: { [HOST]: {} } },
      HOST,
      {
        kind: 'not-found',
        triedKeys: [`auths[${HOST}]`],
        hint: `auths["${HOST}"] in CONFIG holds no secret: Docker keeps it in a credential store, but no credsStore is configured`,
      },
    ],
    [
      'an entry without a secret that the credential store does not know',
      { auths: { 'other.example.test': {} }, credsStore: 'fixture' },
      'other.example.test',
      {
        kind: 'not-found',
        triedKeys: ['credsStore(fixture)', 'auths[other.example.test]'],
        hint: 'auths["other.example.test"] in CONFIG holds no secret: Docker keeps it in a credential store, and credsStore "fixture" has none for other.example.test',
      },
    ],
    [
      'IP addresses that only share their last two numbers',
      { auths: { '10.0.0.5': { auth: basic('u', 'p1234') } } },
      '10.1.0.5',
      { kind: 'not-found', triedKeys: ['auths[10.1.0.5]'] },
    ],
  ])('%s', async (_name, config, registryHost, expected) => {
    const path = await writeConfig(config);

    const result = await resolveDockerCredential({ path, registryHost, env: ENV });

    expect(result).toEqual(
      expected.kind === 'not-found' && expected.hint
        ? { ...expected, hint: expected.hint.replace('CONFIG', path) }
        : expected,
    );
  });
});

describe('credential helpers', () => {
  it('asks the per-registry helper first, ahead of credsStore and auths', async () => {
    const config = {
      credHelpers: { [HOST]: 'fixture' },
      credsStore: 'identity-token',
      auths: { [HOST]: { auth: basic('file', 'file-pw') } },
    };

    const result = await resolve(config);

    expect(result).toEqual({
      kind: 'found',
      source: 'docker-config:credHelpers',
      matchedKey: HOST,
      username: 'helper-user',
      password: 'helper-secret-1234',
      helper: 'docker-credential-fixture',
    });
  });

  it('asks credsStore ahead of auths', async () => {
    const config = { credsStore: 'fixture', auths: { [HOST]: { auth: basic('file', 'file-pw') } } };

    const result = await resolve(config);

    expect(result).toEqual({
      kind: 'found',
      source: 'docker-config:credsStore',
      matchedKey: HOST,
      username: 'helper-user',
      password: 'helper-secret-1234',
      helper: 'docker-credential-fixture',
    });
  });

  it('asks helpers for Docker Hub under https://index.docker.io/v1/', async () => {
    const result = await resolve({ credHelpers: { 'docker.io': 'fixture' } }, 'registry-1.docker.io');

    expect(result).toEqual({
      kind: 'found',
      source: 'docker-config:credHelpers',
      matchedKey: 'docker.io',
      username: 'hub-user',
      password: 'hub-secret-5678',
      helper: 'docker-credential-fixture',
    });
  });

  it('reads a <token> answer as an identity token', async () => {
    const result = await resolve({ credHelpers: { [HOST]: 'identity-token' } });

    expect(result).toEqual({
      kind: 'found',
      source: 'docker-config:credHelpers',
      matchedKey: HOST,
      identityToken: 'identity-token-abcdef',
      helper: 'docker-credential-identity-token',
    });
  });

  it('falls through helpers that have no credential to auths', async () => {
    const config = {
      credHelpers: { 'other.example.test': 'fixture' },
      credsStore: 'fixture',
      auths: { 'other.example.test': { auth: basic('file', 'file-pw') } },
    };

    const result = await resolve(config, 'other.example.test');

    expect(result).toEqual({
      kind: 'found',
      source: 'docker-config:auths',
      matchedKey: 'other.example.test',
      username: 'file',
      password: 'file-pw',
    });
  });

  it('lists every place it looked when no helper has a credential', async () => {
    const config = { credHelpers: { 'other.example.test': 'fixture' }, credsStore: 'fixture' };

    const result = await resolve(config, 'other.example.test');

    expect(result).toEqual({
      kind: 'not-found',
      triedKeys: ['credHelpers[other.example.test]', 'credsStore(fixture)', 'auths[other.example.test]'],
    });
  });

  it('names a helper that is not on PATH', async () => {
    const path = await writeConfig({
      credsStore: 'desktop-missing',
      auths: { [HOST]: { auth: basic('file', 'file-pw') } },
    });

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV });

    expect(result).toEqual({
      kind: 'error',
      message: `docker-credential-desktop-missing is not on PATH (credsStore in ${path})`,
      helper: 'docker-credential-desktop-missing',
    });
  });

  it('reports a failing helper by name and exit status, never by its output', async () => {
    const path = await writeConfig({ credHelpers: { [HOST]: 'broken' } });

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV });

    expect(result).toEqual({
      kind: 'error',
      message: `docker-credential-broken failed with exit status 3 (credHelpers in ${path})`,
      helper: 'docker-credential-broken',
      exitCode: 3,
    });
    expect(JSON.stringify(result)).not.toContain('leaked-helper-secret');
  });

  it('stops a helper that hangs', async () => {
    const path = await writeConfig({ credHelpers: { [HOST]: 'hang' } });
    const started = Date.now();

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV, timeoutMs: 300 });

    expect(result).toEqual({
      kind: 'error',
      message: `docker-credential-hang timed out after 300 ms (credHelpers in ${path})`,
      helper: 'docker-credential-hang',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.each<[string, string, string]>([
    [
      'an answer that is not JSON',
      '#!/bin/sh\ncat >/dev/null\necho "Username: u"\n',
      'answered with something other than a {"Username","Secret"} credential',
    ],
    [
      'an answer without a Secret',
      '#!/bin/sh\ncat >/dev/null\necho \'{"Username":"u"}\'\n',
      'answered with something other than a {"Username","Secret"} credential',
    ],
    ['a helper killed by a signal', '#!/bin/sh\nkill -TERM $$\n', 'was stopped by SIGTERM'],
    ['a helper that prints without end', '#!/bin/sh\nexec yes credential\n', 'printed more than 65536 bytes'],
  ])('reports %s', async (name, script, problem) => {
    const helperDir = await mkdtemp(join(dir, 'helper-'));
    const helper = join(helperDir, 'docker-credential-adhoc');
    await writeFile(helper, script);
    await chmod(helper, 0o755);
    const path = await writeConfig({ credsStore: 'adhoc' });

    const result = await resolveDockerCredential({
      path,
      registryHost: HOST,
      env: { PATH: `${helperDir}${delimiter}${process.env.PATH ?? ''}` },
    });

    expect(result, name).toEqual({
      kind: 'error',
      message: `docker-credential-adhoc ${problem} (credsStore in ${path})`,
      helper: 'docker-credential-adhoc',
    });
  });

  it('reports a helper file that is not executable', async () => {
    const helperDir = await mkdtemp(join(dir, 'helper-'));
    await writeFile(join(helperDir, 'docker-credential-noexec'), '#!/bin/sh\n');
    const path = await writeConfig({ credsStore: 'noexec' });

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: { PATH: helperDir } });

    expect(result).toEqual({
      kind: 'error',
      message: `docker-credential-noexec is not executable (credsStore in ${path})`,
      helper: 'docker-credential-noexec',
    });
  });

  it.each<[string]>([['../../bin/sh'], ['fixture; rm -rf /'], ['-v'], ['']])(
    'refuses the helper name %j',
    async (name) => {
      const path = await writeConfig({ credHelpers: { [HOST]: name }, credsStore: name });

      const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV });

      expect(result).toEqual(
        name === ''
          ? { kind: 'not-found', triedKeys: [`auths[${HOST}]`] }
          : {
              kind: 'error',
              message: `"${name}" (credHelpers in ${path}) is not a valid credential helper name`,
              helper: `docker-credential-${name}`,
            },
      );
    },
  );
});

describe('unusable config files', () => {
  it.each<[string, string, string]>([
    [
      'a missing comma',
      '{\n  "auths": {\n    "a": {}\n    "b": {}\n  }\n}',
      "at line 4, column 5: expected ',' or '}' after property value",
    ],
    ['a trailing comma', '{\n  "auths": {},\n}', 'at line 3, column 1: expected double-quoted property name'],
    ['a truncated file', '{\n  "auths": {\n    "a": [1,\n', 'at line 3, column 13: unexpected end of input'],
    [
      'an unquoted value (no position from JSON.parse)',
      '{"auths": {"a": {"auth": c2VjcmV0LXZhbHVl}}}',
      "at line 1, column 26: unexpected character 'c'",
    ],
  ])('%s is an error naming the file and the JSON problem', async (_name, text, problem) => {
    const path = await writeConfig(text);

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV });

    expect(result).toEqual({ kind: 'error', message: `Docker config ${path} is not valid JSON ${problem}` });
    expect(JSON.stringify(result)).not.toContain('c2VjcmV0');
  });

  it.each<[string, string]>([
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"auths"'],
  ])('a file holding %s is an error', async (_name, text) => {
    const path = await writeConfig(text);

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV });

    expect(result).toEqual({ kind: 'error', message: `Docker config ${path} does not hold a JSON object` });
  });

  it('reads a file that starts with a byte-order mark', async () => {
    const result = await resolve(`\uFEFF${JSON.stringify({ auths: { [HOST]: { auth: basic('u', 'bom-pw') } } })}`);

    expect(result).toEqual({
      kind: 'found',
      source: 'docker-config:auths',
      matchedKey: HOST,
      username: 'u',
      password: 'bom-pw',
    });
  });

  it('a missing file is an error', async () => {
    const path = join(dir, 'missing', 'config.json');

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV });

    expect(result).toEqual({ kind: 'error', message: `Docker config ${path} does not exist` });
  });

  it('a directory is an error', async () => {
    const result = await resolveDockerCredential({ path: dir, registryHost: HOST, env: ENV });

    expect(result).toEqual({ kind: 'error', message: `cannot read Docker config ${dir}: is a directory, not a file` });
  });

  it('a file over 1 MiB is refused', async () => {
    const path = await writeConfig(`{"auths": {}, "padding": "${'x'.repeat(1024 * 1024)}"}`);

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV });

    expect(result).toEqual({
      kind: 'error',
      message: `cannot read Docker config ${path}: larger than the 1048576 bytes read`,
    });
  });

  it('a path through a regular file is an error', async () => {
    const path = join(await writeConfig({}), 'config.json');

    const result = await resolveDockerCredential({ path, registryHost: HOST, env: ENV });

    expect(result).toEqual({
      kind: 'error',
      message: `cannot read Docker config ${path}: a parent of the path is not a directory`,
    });
  });

  it('an unreadable file is an error', async () => {
    const path = await writeConfig({});
    await chmod(path, 0o000);

    const result = await resolveWithoutReadingAnyFile(path);

    expect(result).toEqual({ kind: 'error', message: `cannot read Docker config ${path}: permission denied` });
  });
});

describe('secret registration', () => {
  it('registers every secret in the file as it is read, matched or not', async () => {
    const config = {
      auths: {
        [HOST]: { auth: basic('alice', 'matched-password') },
        'quay.io': { auth: basic('bob', 'unmatched-password') },
        'ghcr.io': {
          username: 'carol',
          password: 'field-password',
          identitytoken: 'identity-token-value',
          registrytoken: 'registry-token-value',
        },
        'bad.example.test': { auth: 'undecodable-auth-value!' },
      },
    };

    await resolve(config);

    for (const secret of [
      'matched-password',
      'unmatched-password',
      basic('bob', 'unmatched-password'),
      'field-password',
      'identity-token-value',
      'registry-token-value',
      'undecodable-auth-value!',
    ]) {
      expect(redactText(`value ${secret} end`)).toEqual(`value ${MASK} end`);
    }
  });

  it('registers a helper answer', async () => {
    await resolve({ credHelpers: { [HOST]: 'fixture' } });

    expect(redactText('helper-secret-1234')).toEqual(MASK);
  });

  it('registers an identity token from a helper', async () => {
    await resolve({ credHelpers: { [HOST]: 'identity-token' } });

    expect(redactText('identity-token-abcdef')).toEqual(MASK);
  });
});
