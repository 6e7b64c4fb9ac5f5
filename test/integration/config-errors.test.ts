// Configuration that cannot be valid, seen from the `stella` command: exit 2 with one line on
// stderr naming the key and its source, no report, no request sent, and no secret printed — in
// every format. Files the command is pointed at are read within a cap, pipes included.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenLocal, type Running } from '../fakes/listen.js';
import { CHECK } from './doctor.js';
import { CHILD_PATH, STELLA_COMMAND, stella, type CliResult } from './cli.js';

const CANARY = 'canary-Secret-91x';
const dir = mkdtempSync(join(tmpdir(), 'stella-config-errors-'));
let registry: Running;
let requests = 0;

beforeAll(async () => {
  registry = await listenLocal(
    createServer((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
    }),
  );
});

afterAll(() => registry.close());

/** A working directory that holds none of the test's files. */
const OUTSIDE = fileURLToPath(new URL('.', import.meta.url));

function expectOneLineError(run: CliResult, message: string): void {
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`stella: error: ${message}\n`);
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

describe('invalid configuration stops the run before any request', () => {
  it.each<[string, string[], Record<string, string>, string]>([
    [
      'a repository name that climbs out of /v2/',
      ['--set', 'OCI:TestRepository=../../admin'],
      {},
      'invalid OCI:TestRepository (--set): not a repository name (',
    ],
    [
      'a push repository that climbs out of /v2/',
      [],
      { OCI__PushTestRepository: '../danger' },
      'invalid OCI:PushTestRepository (env:OCI__PushTestRepository): not a repository name (',
    ],
    [
      'a tag that cuts the path into a query',
      [],
      { OCI__TestTag: 'v1?x=1' },
      'invalid OCI:TestTag (env:OCI__TestTag): neither a tag (',
    ],
    [
      'a password with a line break',
      ['--username', 'admin'],
      { OCI__Password: `${CANARY}\r\nX: 1` },
      'invalid OCI:Password (env:OCI__Password): contains a line break or another control character',
    ],
    [
      'a boolean that is not a boolean',
      [],
      { OCI__SkipTlsVerify: 'maybe' },
      'invalid OCI:SkipTlsVerify (env:OCI__SkipTlsVerify): expected true or false',
    ],
    [
      'a malformed proxy URL',
      [],
      { HTTP_PROXY: 'socks5://127.0.0.1:1080' },
      'invalid HTTP_PROXY (env:HTTP_PROXY): the scheme socks5: is not http or https',
    ],
  ])('%s', (_name, args, env, message) => {
    const before = requests;

    const run = stella(['doctor', '--registry', registry.url, ...args, '--format', 'json'], { env });

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith(`stella: error: ${message}`)).toBe(true);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toContain(CANARY);
    expect(requests).toBe(before);
  });

  it.each([
    ['ftp://127.0.0.1/', 'the scheme ftp: is not http or https'],
    ['127.0.0.1:99999', 'the port is not a number from 1 to 65535'],
    ['https://127.0.0.1\n:5000', 'contains a line break or another control character'],
  ])('the registry URL %j, naming the flag it came from', (url, problem) => {
    expectOneLineError(stella(['doctor', '--registry', url]), `invalid OCI:RegistryUrl (--registry): ${problem}`);
  });

  it('a configuration nested 10,000 levels deep, naming the file', () => {
    file('deep.json', `{"OCI":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);

    expectOneLineError(
      stella(['doctor', '--config', join(dir, 'deep.json')]),
      `${join(dir, 'deep.json')} is nested more than 64 levels deep`,
    );
  });

  it('a timeout without a unit, suggesting one', () => {
    expectOneLineError(stella(['doctor', '--timeout', '10']), "invalid --timeout '10' (add a unit: 10s)");
  });

  it('an option value with a line break, shown escaped on one line', () => {
    expectOneLineError(
      stella(['doctor', '--format', 'ya\nml']),
      "invalid --format 'ya\\x0aml' (expected text, table, json, markdown, junit)",
    );
  });
});

describe('a password inside a URL is refused and never printed', () => {
  it.each(['text', 'json', 'markdown', 'junit'])('with an empty user, in %s', (format) => {
    const run = stella(['doctor', '--registry', `http://:${CANARY}@127.0.0.1:${registry.port}`, '--format', format]);

    expectOneLineError(
      run,
      'invalid OCI:RegistryUrl (--registry): holds credentials (user:password@): remove it and set OCI:Username and OCI:Password (or OCI:Token) instead',
    );
  });

  it('with a raw @ in the password, by `stella doctor config`', () => {
    const run = stella(['doctor', 'config'], {
      env: { Registry__Url: `https://user:canary@Secret-91x@127.0.0.1:${registry.port}` },
    });

    expectOneLineError(
      run,
      'invalid Registry:Url (env:Registry__Url): holds credentials (user:password@): remove it and set Registry:Username and Registry:Password (or Registry:Token) instead',
    );
  });
});

describe('files are read within a cap', () => {
  beforeAll(() => {
    symlinkSync('/dev/zero', join(dir, 'zero'));
    mkdirSync(join(dir, 'zero-dir'));
    symlinkSync('/dev/zero', join(dir, 'zero-dir', 'appsettings.json'));
  });

  it.each([
    [
      'appsettings.json',
      ['--config-dir', 'DIR/zero-dir'],
      'cannot read config file DIR/zero-dir/appsettings.json: is a device, not a file',
    ],
    ['a --config file', ['--config', 'DIR/zero'], 'cannot read config file DIR/zero: is a device, not a file'],
    ['an --env-file', ['--env-file', 'DIR/zero'], 'cannot read env file DIR/zero: is a device, not a file'],
  ])('refuses %s that links to /dev/zero', (_name, args, message) => {
    // From a directory outside the files' own, so that their paths are shown whole.
    const run = stella(['doctor', 'config', ...args.map((arg) => arg.replace('DIR', dir))], { cwd: OUTSIDE });

    expectOneLineError(run, message.replace('DIR', dir));
  });

  it('reads an --env-file from a pipe (bash process substitution)', () => {
    const script = `"$0" doctor config --env-file <(printf 'OCI__TestTag=from-a-pipe\\n') --format json`;
    const run = spawnSync('bash', ['-c', script, STELLA_COMMAND], {
      encoding: 'utf8',
      env: { PATH: CHILD_PATH, HOME: '/nonexistent' },
    });

    expect(run.status).toBe(0);
    const entry = JSON.parse(run.stdout).values.find((e: { key: string }) => e.key === 'OCI:TestTag');
    expect(entry).toMatchObject({ value: 'from-a-pipe', source: expect.stringMatching(/^env-file:\/dev\/fd\/\d+$/) });
  });

  it('refuses a --password-stdin of more than 64 KiB', () => {
    const run = stella(['doctor', 'config', '--password-stdin'], { input: 'x'.repeat(64 * 1024 + 1) });

    expectOneLineError(run, '--password-stdin: cannot read standard input (larger than the 65536 bytes read)');
  });

  it('gives a CA file that links to /dev/zero a verdict naming the problem, without a request', () => {
    const before = requests;

    const run = stella(['doctor', '--registry', registry.url, '--check', CHECK.registry, '--format', 'json'], {
      env: { OCI__CaCertificatePath: join(dir, 'zero') },
    });

    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).results[0].diagnosis).toBe(
      `The CA certificate file ${join(dir, 'zero')} (OCI:CaCertificatePath) cannot be used: is a device, not a file.`,
    );
    expect(requests).toBe(before);
  });
});
