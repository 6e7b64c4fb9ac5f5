// The CLI contract: exit codes 0/1/2/3, formats, --output, list/explain/config, one-line errors,
// real reports validated against the JSON Schema, JUnit with one testcase per check.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { ALL_CHECKS, CHECK } from './doctor.js';
import { stella } from './cli.js';

const env = loadTestEnv();
const schema = JSON.parse(readFileSync(new URL('../../schema/doctor-report.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
const dir = mkdtempSync(join(tmpdir(), 'stella-cli-'));
const open = ['--registry', env.registries.open.url];
const tokenAdmin = {
  OCI__RegistryUrl: env.registries.token.url,
  OCI__CaCertificatePath: env.caCertPath,
  OCI__Username: 'admin',
  OCI__Password: env.users.admin.password,
};

describe('exit codes', () => {
  it('0 when no check failed (warnings allowed)', () => {
    const run = stella(['doctor', ...open, '--check', CHECK.registry, '--check', CHECK.referrers]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('overall: warn');
  });

  it('1 when a check failed', () => {
    const run = stella(['doctor', '--registry', env.registries.basic.url, '--check', CHECK.registry]);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('tls_untrusted');
  });

  it('1 on a warning with --fail-on warn, and JUnit then counts the warning as a failure', () => {
    const run = stella(['doctor', ...open, '--check', CHECK.referrers, '--fail-on', 'warn']);
    const junit = stella(['doctor', ...open, '--check', CHECK.referrers, '--fail-on', 'warn', '--format', 'junit']);
    const lenient = stella(['doctor', ...open, '--check', CHECK.referrers, '--format', 'junit']);

    expect(run.status).toBe(1);
    expect(junit.stdout).toContain('failures="1"');
    expect(lenient.stdout).toContain('failures="0"');
  });

  it.each([
    [['doctor', '--bogus'], "stella: error: unknown option '--bogus' (see stella doctor --help)"],
    [['doctor', '--check', 'check.nope'], "stella: error: unknown check id 'check.nope'"],
    [['doctor', '--timeout', 'soon'], "stella: error: invalid --timeout 'soon' (expected e.g. 500ms, 10s, 2m)"],
    [
      ['doctor', '--format', 'yaml'],
      "stella: error: invalid --format 'yaml' (expected text, table, json, markdown, junit)",
    ],
    [['doctor', '--parallel', '0'], "stella: error: invalid --parallel '0' (expected a whole number from 1 to 64)"],
    [['doctor', '--set', 'novalue'], 'stella: error: invalid --set "novalue": expected Key=Value'],
    [
      ['doctor', '--config', '/nonexistent/x.json'],
      'stella: error: cannot read config file /nonexistent/x.json: file not found',
    ],
    [['nope'], "stella: error: unknown command 'nope' (try: stella doctor --help)"],
    [['doctor', 'explain'], 'stella: error: explain needs a check id'],
  ])('2 with one line for %j', (args, message) => {
    const run = stella(args);

    expect(run.status).toBe(2);
    expect(run.stderr.startsWith(message)).toBe(true);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });

  it('2 naming the file, line and column of malformed JSON configuration', () => {
    writeFileSync(join(dir, 'appsettings.json'), '{\n  "OCI": {\n    "RegistryUrl": "x",\n  }\n}\n');

    const run = stella(['doctor', '--config-dir', dir]);

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^stella: error: malformed JSON in .*appsettings\.json at line 4, column 3: /);
    expect(run.stderr).not.toContain('    at ');
  });
});

describe('formats', () => {
  it('json: a real report from a full run validates against the schema', () => {
    const run = stella(['doctor', '--format', 'json'], { env: tokenAdmin });
    const report = JSON.parse(run.stdout);

    expect(validate(report)).toBe(true);
    expect(report.results.map((r: { checkId: string }) => r.checkId)).toEqual([...ALL_CHECKS].sort());
    expect(report.summary.total).toBe(ALL_CHECKS.length);
  });

  it('json: failing and skipped reports validate too', () => {
    const failing = JSON.parse(
      stella(['doctor', '--format', 'json', '--registry', `http://${env.registries.basic.host}`]).stdout,
    );
    const skipped = JSON.parse(stella(['doctor', '--format', 'json']).stdout);

    expect(validate(failing)).toBe(true);
    expect(validate(skipped)).toBe(true);
    expect(failing.summary.overall).toBe('fail');
    expect(skipped.summary.overall).toBe('skip');
  });

  it('junit: one testcase per check, failures and skips counted', () => {
    const run = stella([
      'doctor',
      '--format',
      'junit',
      '--registry',
      env.registries.basic.url,
      '--check',
      CHECK.registry,
      '--check',
      CHECK.push,
    ]);

    expect(run.stdout.match(/<testcase /g)).toHaveLength(2);
    expect(run.stdout).toContain('failures="1"');
    expect(run.stdout).toContain('skipped="1"');
    expect(run.stdout).toContain(`name="${CHECK.registry}"`);
  });

  it('markdown and table render the same run', () => {
    const md = stella(['doctor', ...open, '--check', CHECK.referrers, '--format', 'markdown']);
    const table = stella(['doctor', ...open, '--check', CHECK.referrers, '--format', 'table']);

    expect(md.stdout).toMatch(new RegExp(`^## \\S+ \`${CHECK.referrers.replaceAll('.', '\\.')}\` — `, 'm'));
    expect(md.stdout).toContain('```bash');
    expect(table.stdout).toContain(CHECK.referrers);
    expect(table.stdout).toContain('overall: warn');
  });

  it('text: no colour when not a TTY, evidence only with --verbose, steps hidden with --no-remediation', () => {
    const plain = stella(['doctor', ...open, '--check', CHECK.referrers]);
    const verbose = stella(['doctor', ...open, '--check', CHECK.referrers, '--verbose']);
    const bare = stella(['doctor', ...open, '--check', CHECK.referrers, '--no-remediation']);

    expect(plain.stdout).not.toMatch(/\u001b\[/);
    expect(plain.stdout).not.toContain('subject_digest');
    expect(verbose.stdout).toContain('subject_digest');
    expect(plain.stdout).toContain('Any environment');
    expect(bare.stdout).not.toContain('Any environment');
    expect(plain.stderr).toBe('');
  });

  it('--severity filters what is shown, not what runs', () => {
    const run = JSON.parse(stella(['doctor', ...open, '--format', 'json', '--severity', 'warn']).stdout);

    expect(run.summary.total).toBe(ALL_CHECKS.length);
    expect(run.summary.warn).toBeGreaterThan(0);
    expect(run.summary.pass).toBeGreaterThan(0);
    expect(run.results.map((r: { severity: string }) => r.severity)).toEqual(Array(run.summary.warn).fill('warn'));
  });

  it('--output writes the report to a file and says so on stderr', () => {
    const file = join(dir, 'report.xml');

    const run = stella(['doctor', ...open, '--check', CHECK.registry, '--format', 'junit', '--output', file]);

    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`written to ${file}`);
    expect(readFileSync(file, 'utf8')).toContain('<testsuite');
  });
});

describe('list, explain, config', () => {
  it('list --format json is the check metadata', () => {
    const list = JSON.parse(stella(['doctor', 'list', '--format', 'json']).stdout);

    expect(list.map((c: { id: string }) => c.id)).toEqual([...ALL_CHECKS].sort());
    expect(list.find((c: { id: string }) => c.id === CHECK.registry).tags).toContain('quick');
  });

  it('list honours the selection', () => {
    const run = stella(['doctor', 'list', '--quick']);

    expect(run.stdout).toContain(CHECK.registry);
    expect(run.stdout).not.toContain(CHECK.pull);
  });

  it('explain renders the article of a check', () => {
    const run = stella(['doctor', 'explain', CHECK.credentials]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('What It Checks');
    expect(run.stdout).toContain('stella doctor run --check check.integration.oci.credentials');
  });

  it('config shows the effective values, their sources, and masks secrets', () => {
    const run = stella(['doctor', 'config', '--format', 'json', '--set', 'OCI:TestTag=v1'], { env: tokenAdmin });
    const values = Object.fromEntries(
      JSON.parse(run.stdout).values.map((v: { key: string; value: string; source: string }) => [v.key, v]),
    );

    expect(values['OCI:TestTag']).toMatchObject({ value: 'v1', source: '--set' });
    expect(values['OCI:Password']).toMatchObject({ value: '****', source: 'env:OCI__Password' });
    expect(values['OCI:Username']).toMatchObject({ value: 'admin', source: 'env:OCI__Username' });
    expect(run.stdout).not.toContain(env.users.admin.password);
  });

  it('--password-stdin reads the password without putting it on the command line', () => {
    const run = stella(
      [
        'doctor',
        '--check',
        CHECK.credentials,
        '--registry',
        env.registries.basic.url,
        '--username',
        'admin',
        '--password-stdin',
        '--format',
        'json',
      ],
      {
        env: { OCI__CaCertificatePath: env.caCertPath },
        input: `${env.users.admin.password}\n`,
      },
    );

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).results[0].evidence).toMatchObject({
      credentials_valid: true,
      credential_source: '--username',
    });
  });
});
