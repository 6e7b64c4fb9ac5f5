// The `stella` command (bin/stella): it starts Node without NODE_EXTRA_CA_CERTS so that Node does
// not parse that file at start-up, and with --use-openssl-ca and SSL_CERT_FILE=/dev/null so that
// Node's process-wide root store is empty instead of built from its bundled roots; bin/stella.cjs
// hands both variables back to the CLI. These tests show the hand-over is invisible: the
// configuration, a TLS connection, the trusted roots and a child process all see what the user
// set. And bin/stella.cjs uses the build's code cache only when it was made for the very bundle it
// loads.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { CHILD_PATH, STELLA_COMMAND, stella } from './cli.js';

const env = loadTestEnv();
const tmp = mkdtempSync(join(tmpdir(), 'stella-command-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('the stella command', () => {
  it('runs through a symbolic link, as npm links a package bin', () => {
    const link = join(tmp, 'stella');
    symlinkSync(STELLA_COMMAND, link);

    const result = spawnSync(link, ['--version'], { encoding: 'utf8', env: { PATH: CHILD_PATH } });

    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('says the CLI is not built, without a stack trace, when the bundle is missing', () => {
    const bin = join(tmp, 'unbuilt', 'bin');
    mkdirSync(bin, { recursive: true });
    copyFileSync(`${STELLA_COMMAND}.cjs`, join(bin, 'stella.cjs'));

    const result = spawnSync(process.execPath, [join(bin, 'stella.cjs'), 'doctor', 'list'], {
      encoding: 'utf8',
      env: { PATH: CHILD_PATH },
    });

    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(
      /^stella: the CLI is not built \(.*dist\/stella\.cjs is missing\): run npm ci, or npm run build\n$/,
    );
  });

  it('keeps Node from reading NODE_EXTRA_CA_CERTS at start-up, where plain node reads it', () => {
    const missing = join(tmp, 'no-such-ca.pem');
    const nodeWarning = /Ignoring extra certs from/;

    const viaCommand = stella(['doctor', 'list'], { env: { NODE_EXTRA_CA_CERTS: missing } });
    const viaNode = spawnSync(process.execPath, [`${STELLA_COMMAND}.cjs`, 'doctor', 'list'], {
      encoding: 'utf8',
      env: { PATH: CHILD_PATH, HOME: '/nonexistent', NODE_EXTRA_CA_CERTS: missing },
    });

    expect(viaCommand.status).toBe(0);
    expect(viaCommand.stderr).not.toMatch(nodeWarning);
    expect(viaNode.status).toBe(0);
    expect(viaNode.stderr).toMatch(nodeWarning);
  });

  it('trusts a registry whose CA is given only by NODE_EXTRA_CA_CERTS, and shows where it came from', () => {
    const caEnv = { NODE_EXTRA_CA_CERTS: env.caCertPath };

    const run = stella(
      [
        'doctor',
        '--check',
        'check.integration.oci.registry',
        '--registry',
        env.registries.basic.url,
        '--format',
        'json',
      ],
      { env: caEnv },
    );
    const config = stella(['doctor', 'config', '--format', 'json'], { env: caEnv });

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).results[0]).toMatchObject({ severity: 'pass' });
    expect(JSON.parse(config.stdout).values).toContainEqual(
      expect.objectContaining({
        key: 'OCI:CaCertificatePath',
        value: env.caCertPath,
        source: 'env:NODE_EXTRA_CA_CERTS',
      }),
    );
  });

  it("trusts Node's bundled roots where no CA is configured, as plain node does, and not SSL_CERT_FILE", () => {
    // Records the CA count of every TLS context the CLI makes (null: Node's default trust).
    const recorder = join(tmp, 'record-contexts.cjs');
    writeFileSync(
      recorder,
      `const tls = require('node:tls');\nconst make = tls.createSecureContext;\n` +
        `tls.createSecureContext = function (options) {\n` +
        `  require('node:fs').appendFileSync(process.env.CONTEXT_LOG, JSON.stringify(options && options.ca ? options.ca.length : null) + '\\n');\n` +
        `  return make.apply(this, arguments);\n};\n`,
    );
    const args = [
      STELLA_COMMAND,
      'doctor',
      '--check',
      'check.integration.oci.registry',
      '--registry',
      env.registries.basic.url,
      '--format',
      'json',
    ];
    const run = (name: string, command: string[]): { result: unknown; contexts: Array<number | null> } => {
      const log = join(tmp, `${name}-contexts.log`);
      // SSL_CERT_FILE names the registry's CA: OpenSSL's store would trust it, Node's bundled roots do not.
      const childEnv = {
        PATH: CHILD_PATH,
        HOME: '/nonexistent',
        SSL_CERT_FILE: env.caCertPath,
        CONTEXT_LOG: log,
        NODE_OPTIONS: `--require ${recorder}`,
      };
      const child = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', env: childEnv, timeout: 60_000 });
      expect(child.status).toBe(1);
      const contexts = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as number | null);
      return { result: JSON.parse(child.stdout).results[0], contexts };
    };

    const viaCommand = run('command', args);
    const viaNode = run('node', [process.execPath, `${STELLA_COMMAND}.cjs`, ...args.slice(1)]);

    const untrusted = { severity: 'fail', evidence: expect.objectContaining({ error_class: 'tls_untrusted' }) };
    expect(viaCommand.result).toMatchObject(untrusted);
    expect(viaNode.result).toMatchObject(untrusted);
    // The command's verifying context names the bundled roots; plain node leaves them to Node's default.
    expect(viaCommand.contexts).toContain(tls.rootCertificates.length);
    expect(viaNode.contexts.every((count) => count === null)).toBe(true);
  });

  it.each([
    { case: 'set', value: '/etc/ssl/private-bundle.pem', expected: '/etc/ssl/private-bundle.pem' },
    { case: 'set but empty', value: '', expected: '' },
    { case: 'not set', value: undefined, expected: 'unset' },
  ])(
    'passes NODE_EXTRA_CA_CERTS and SSL_CERT_FILE ($case) unchanged to child processes such as credential helpers',
    ({ case: name, value, expected }) => {
      const bin = join(tmp, `bin-${name.replace(/ /g, '-')}`);
      mkdirSync(bin, { recursive: true });
      const seen = join(bin, 'helper-env.txt');
      const helper = join(bin, 'docker-credential-env-probe');
      // Records what the helper sees, then answers with the admin's credentials.
      writeFileSync(
        helper,
        `#!/bin/sh\nread server\n` +
          `printf 'NODE_EXTRA_CA_CERTS=%s\\nSSL_CERT_FILE=%s\\nleft over=%s\\n' "$NODE_EXTRA_CA_CERTS" "\${SSL_CERT_FILE-unset}" "$(env | grep -c '^STELLA_DEFERRED_')" > "${seen}"\n` +
          `printf '{"ServerURL":"%s","Username":"admin","Secret":"%s"}' "$server" "$PROBE_SECRET"\n`,
      );
      chmodSync(helper, 0o755);
      const dockerConfig = join(bin, 'config.json');
      writeFileSync(dockerConfig, JSON.stringify({ credHelpers: { [env.registries.token.host]: 'env-probe' } }));

      const run = stella(
        [
          'doctor',
          '--check',
          'check.integration.oci.credentials',
          '--registry',
          env.registries.token.url,
          '--docker-config',
          dockerConfig,
          '--format',
          'json',
        ],
        {
          env: {
            PATH: `${bin}:${CHILD_PATH}`,
            NODE_EXTRA_CA_CERTS: env.caCertPath,
            PROBE_SECRET: env.users.admin.password,
            ...(value === undefined ? {} : { SSL_CERT_FILE: value }),
          },
        },
      );

      expect(JSON.parse(run.stdout).results[0]).toMatchObject({
        severity: 'pass',
        evidence: { credential_source: 'docker-config:credHelpers' },
      });
      expect(readFileSync(seen, 'utf8')).toBe(
        `NODE_EXTRA_CA_CERTS=${env.caCertPath}\nSSL_CERT_FILE=${expected}\nleft over=0\n`,
      );
    },
  );
});

describe('the code cache of the CLI bundle', () => {
  const { loadCli } = createRequire(import.meta.url)('../../bin/stella.cjs') as {
    loadCli: (
      bundle?: string,
      cache?: string,
    ) => { cli: { main: unknown }; codeCacheUse: 'used' | 'rejected' | 'none' };
  };
  const bundle = fileURLToPath(new URL('../../dist/stella.cjs', import.meta.url));

  /** A copy of the package's bundle, cache and package.json, keeping the bundle's mtime. */
  function copyOfBuild(name: string): { bundle: string; cache: string } {
    const dist = join(tmp, name, 'dist');
    mkdirSync(dist, { recursive: true });
    copyFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), join(tmp, name, 'package.json'));
    const copy = { bundle: join(dist, 'stella.cjs'), cache: join(dist, 'stella.cjs.v8-cache') };
    copyFileSync(bundle, copy.bundle);
    copyFileSync(`${bundle}.v8-cache`, copy.cache);
    // The same millisecond (what the cache records); half a millisecond in, so rounding cannot move it.
    const { atime, mtimeMs } = statSync(bundle);
    utimesSync(copy.bundle, atime, (Math.floor(mtimeMs) + 0.5) / 1000);
    return copy;
  }

  it('is written by the build and accepted by V8 for the bundle it was made for', () => {
    const loaded = loadCli();

    expect(loaded.codeCacheUse).toBe('used');
    expect(typeof loaded.cli.main).toBe('function');
  });

  it('is ignored once the bundle changed, and the CLI still loads', () => {
    const copy = copyOfBuild('changed');
    writeFileSync(copy.bundle, readFileSync(copy.bundle, 'utf8').replace('"use strict";', '"use strict"; '));

    const loaded = loadCli(copy.bundle, copy.cache);

    expect(loaded.codeCacheUse).toBe('none');
    expect(typeof loaded.cli.main).toBe('function');
  });

  it('when damaged but claiming the right bundle, is refused by V8 and the CLI still loads', () => {
    const copy = copyOfBuild('damaged');
    const file = readFileSync(copy.cache);
    const body = file.indexOf(10) + 1;
    for (let i = body + 64; i < file.length; i += 97) file[i] ^= 0xff;
    writeFileSync(copy.cache, file);

    const loaded = loadCli(copy.bundle, copy.cache);

    expect(loaded.codeCacheUse).toBe('rejected');
    expect(typeof loaded.cli.main).toBe('function');
  });
});
