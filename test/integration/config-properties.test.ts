// Property-based tests of the configuration layer and the `stella` command: random appsettings
// JSON (valid, truncated, deeply nested), dotenv text, environment variables and flag values,
// with a canary secret in every password, token and URL userinfo. Every input either works or is
// a configuration error (one line, exit 2); nothing crashes, exits 3, prints a stack trace or the
// canary, and a configuration that loads never yields a request path outside /v2/. Every URL the
// generators make names 127.0.0.1, so a run that gets as far as connecting stays on this machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/configuration.js';
import { describeConfiguration } from '../../src/config/describe.js';
import { loadConfiguration } from '../../src/config/load.js';
import { readOciSettings } from '../../src/config/oci-settings.js';
import { clearSecrets } from '../../src/util/redact.js';
import { stella } from './cli.js';

const CANARY = 'canary-Secret-91x';

/** Printable and control characters alike; NUL cannot travel in argv or the environment. */
const junk = fc
  .oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 16 }) },
    { weight: 1, arbitrary: fc.constantFrom('line\nbreak', 'cr\r\nlf', '\x1b[2J', 'tab\there', '') },
  )
  .map((s) => s.replaceAll('\0', ''));
const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 16 });
const text = fc.oneof({ weight: 12, arbitrary: printable }, { weight: 1, arbitrary: junk });
const secret = fc.tuple(text, text).map(([before, after]) => `${before}${CANARY}${after}`);

/** Mostly usable values, some hostile ones: most runs get past the configuration. */
function usuallyValid(valid: string[], hostile: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom(...hostile) },
  );
}

/** Like usuallyValid, and now and then junk. */
function mostly(valid: string[], hostile: string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 12, arbitrary: usuallyValid(valid, hostile) }, { weight: 1, arbitrary: junk });
}

const url = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({
        scheme: usuallyValid(['http://', 'https://', ''], ['ftp://', 'HTTP://', 'file://']),
        userinfo: usuallyValid([''], [`:${CANARY}@`, `user:${CANARY}@`, `u:pa@ss-${CANARY}@`, `${CANARY}@`]),
        port: usuallyValid([':1', ''], [':0', ':65536', ':99999', ':x']),
        path: usuallyValid(['', '/', '/mirror'], ['/a?b', '/#x', ' /a']),
      })
      .map(({ scheme, userinfo, port, path }) => `${scheme}${userinfo}127.0.0.1${port}${path}`),
  },
  { weight: 1, arbitrary: junk },
);

const repository = mostly(
  ['library/alpine', 'a.b/c__d', 'team/app-1'],
  ['../../admin', '../danger', 'a/../../b', 'a?b', 'a#b', 'Team/App', 'lib\r\nrary', 'a b', '..'],
);
const tag = mostly(
  ['latest', '3.20', `sha256:${'a'.repeat(64)}`],
  ['v1?x', 'v1#x', '../x', '.hidden', 'sha256:abc', 'a/b', '..'],
);
const boolean = mostly(['true', 'FALSE', ''], ['maybe', '1', 'yes']);

/** Values by configuration key; secrets carry the canary, URLs name 127.0.0.1. */
const values: Record<string, fc.Arbitrary<string>> = {
  'OCI:RegistryUrl': url,
  'Registry:Url': url,
  'OCI:Username': text,
  'OCI:Password': secret,
  'Registry:Password': secret,
  'OCI:Token': secret,
  'OCI:TestRepository': repository,
  'OCI:PushTestRepository': repository,
  'OCI:TestTag': tag,
  'OCI:SkipTlsVerify': boolean,
  'OCI:AllowInsecureCredentials': boolean,
};

const assignment = fc
  .constantFrom(...Object.keys(values))
  .chain((key) => values[key]!.map((value): [string, string] => [key, value]));
const assignments = fc.array(assignment, { maxLength: 3 });

const appsettings = fc.oneof(
  { weight: 12, arbitrary: assignments.map((pairs) => JSON.stringify(nest(pairs))) },
  {
    weight: 1,
    arbitrary: fc.tuple(assignments, fc.nat()).map(([pairs, cut]) => {
      const json = JSON.stringify(nest(pairs));
      return json.slice(0, cut % (json.length + 1));
    }),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 10_000, max: 20_000 })),
        fc.constantFrom(['[', ']'], ['{"a":', '}']),
      )
      .map(([depth, [open, close]]) => `{"OCI":${open!.repeat(depth)}1${close!.repeat(depth)}}`),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: junk },
);

const dotenvLine = fc.oneof(
  { weight: 4, arbitrary: assignment.map(([key, value]) => `${key.replaceAll(':', '__')}=${value}`) },
  {
    weight: 4,
    arbitrary: assignment.map(
      ([key, value]) =>
        `export ${key.replaceAll(':', '__')}="${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`,
    ),
  },
  { weight: 4, arbitrary: assignment.map(([key, value]) => `${key.replaceAll(':', '__')}='${value}' # note`) },
  { weight: 1, arbitrary: junk },
);
const dotenv = fc
  .tuple(fc.array(dotenvLine, { maxLength: 3 }), fc.constantFrom('\n', '\r\n'))
  .map(([lines, eol]) => lines.join(eol));

/** A proxy's password is allowed (and shown masked by `config`): the way a canary can reach the output. */
const proxy = fc.oneof(
  mostly([`http://u:${CANARY}@127.0.0.1:1`, `u:${CANARY}@127.0.0.1:1`, '127.0.0.1:1'], ['socks5://127.0.0.1:1080']),
  url,
);
const environment = fc
  .tuple(assignments, fc.option(proxy, { nil: undefined, freq: 2 }), fc.option(proxy, { nil: undefined, freq: 2 }))
  .map(([pairs, httpsProxy, httpProxy]) => {
    const env: Record<string, string> = Object.fromEntries(
      pairs.map(([key, value]) => [key.replaceAll(':', '__'), value]),
    );
    if (httpsProxy !== undefined) env.HTTPS_PROXY = httpsProxy;
    if (httpProxy !== undefined) env.http_proxy = httpProxy;
    return env;
  });

const scenario = fc.record({
  appsettings: fc.option(appsettings, { nil: undefined, freq: 2 }),
  dotenv: fc.option(dotenv, { nil: undefined, freq: 2 }),
  env: environment,
  sets: fc.array(
    fc.oneof(
      { weight: 12, arbitrary: assignment.map(([key, value]) => `${key}=${value}`) },
      { weight: 1, arbitrary: junk },
    ),
    { maxLength: 2 },
  ),
  registry: fc.option(url, { nil: undefined }),
  username: fc.option(text, { nil: undefined }),
  password: fc.option(secret, { nil: undefined }),
  format: fc.option(mostly(['text', 'json'], ['yaml', 'json\n']), { nil: undefined, freq: 2 }),
  timeout: fc.option(mostly(['50ms', '2s', '1.5s'], ['10', '0s', 'soon', 'ten\nseconds']), { nil: undefined, freq: 2 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function nest(pairs: Array<[string, string]>): Record<string, Record<string, string>> {
  const document: Record<string, Record<string, string>> = {};
  for (const [key, value] of pairs) {
    const [section, name] = key.split(':') as [string, string];
    (document[section] ??= {})[name] = value;
  }
  return document;
}

/** A fresh working directory holding the scenario's appsettings.json and .env. */
function workingDirectory(s: Scenario): string {
  const dir = mkdtempSync(join(tmpdir(), 'stella-props-'));
  if (s.appsettings !== undefined) writeFileSync(join(dir, 'appsettings.json'), s.appsettings);
  if (s.dotenv !== undefined) writeFileSync(join(dir, '.env'), s.dotenv);
  return dir;
}

function withDirectory<T>(s: Scenario, use: (dir: string) => T): T {
  const dir = workingDirectory(s);
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

afterEach(() => clearSecrets());

describe('the configuration layer, on random input', () => {
  it('loads, or throws a ConfigError that does not hold the canary; what loads shows no canary either', () => {
    fc.assert(
      fc.property(scenario, (s) =>
        withDirectory(s, (cwd) => {
          let loaded;
          try {
            loaded = loadConfiguration({
              cwd,
              env: s.env,
              sets: s.sets,
              registry: s.registry,
              username: s.username,
              password: s.password,
            });
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as Error).message).not.toContain(CANARY);
            return;
          }
          expect(JSON.stringify(describeConfiguration(loaded))).not.toContain(CANARY);
        }),
      ),
      { numRuns: 300 },
    );
  });

  it('keeps every request path of a configuration that loads under /v2/, whatever names and tags are configured', () => {
    const target = fc.record({
      base: fc.constantFrom('http://127.0.0.1:1', 'https://127.0.0.1:1/mirror/'),
      pull: repository,
      push: repository,
      tag,
    });
    fc.assert(
      fc.property(target, ({ base, pull, push, tag }) => {
        const sets = [
          `OCI:RegistryUrl=${base}`,
          `OCI:TestRepository=${pull}`,
          `OCI:PushTestRepository=${push}`,
          `OCI:TestTag=${tag}`,
        ];
        let settings;
        try {
          settings = readOciSettings(loadConfiguration({ cwd: '/nonexistent', env: {}, sets }));
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          return;
        }
        const registry = new URL(settings.registryUrl!.value);
        for (const name of [settings.testRepository.value, settings.pushTestRepository.value]) {
          const path = `${registry.pathname.replace(/\/$/, '')}/v2/${name}/manifests/${settings.testTag.value}`;
          const request = new URL(path, registry);
          expect(request.pathname).toBe(path);
          expect(request.search + request.hash).toBe('');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the stella command, on random input', () => {
  // Each run spawns the CLI: few runs, so the suite stays fast.
  it.each([
    ['config', 25],
    ['run', 25],
  ] as const)(
    '`stella doctor %s` works or exits 2 with one line; never 3, a stack trace or the canary',
    (command, numRuns) => {
      fc.assert(
        fc.property(scenario, (s) =>
          withDirectory(s, (cwd) => {
            const args = ['doctor', command, ...s.sets.flatMap((set) => ['--set', set])];
            if (s.registry !== undefined) args.push('--registry', s.registry);
            if (s.username !== undefined) args.push('--username', s.username);
            if (s.password !== undefined) args.push('--password-stdin');
            if (s.format !== undefined) args.push(`--format=${s.format}`);
            if (command === 'run' && s.timeout !== undefined) args.push(`--timeout=${s.timeout}`);

            const run = stella(args, { cwd, env: s.env, input: s.password });

            expect([0, 1, 2]).toContain(run.status);
            if (run.status === 2) expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
            expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
            expect(run.stdout + run.stderr).not.toContain(CANARY);
          }),
        ),
        { numRuns },
      );
    },
    120_000,
  );
});
