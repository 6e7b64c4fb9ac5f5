// The verification command of a result, pasted as printed, re-checks the same target with the same
// configuration sources: flags are repeated, secrets are not (a password comes on stdin again).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { CHILD_PATH, STELLA_COMMAND, stella } from './cli.js';
import { CHECK } from './doctor.js';

const env = loadTestEnv();

/** Runs a printed `stella …` command line through a shell, as an operator pasting it would. */
function paste(
  command: string,
  input = '',
): { status: number | null; report: { results: Array<{ severity: string; evidence: Record<string, unknown> }> } } {
  expect(command.startsWith('stella doctor run ')).toBe(true);
  const run = spawnSync('bash', ['-c', `"$STELLA" ${command.slice('stella '.length)} --format json`], {
    encoding: 'utf8',
    input,
    env: { PATH: CHILD_PATH, HOME: '/nonexistent', STELLA: STELLA_COMMAND },
  });
  return { status: run.status, report: JSON.parse(run.stdout) };
}

describe('the verification command', () => {
  it('re-checks the registry given with --registry instead of skipping for want of one', () => {
    const first = JSON.parse(
      stella([
        'doctor',
        '--registry',
        env.registries.open.url,
        '--check',
        CHECK.pull,
        '--timeout',
        '5s',
        '--format',
        'json',
      ]).stdout,
    ).results[0];

    const again = paste(first.verificationCommand);

    expect(first.verificationCommand).toBe(
      `stella doctor run --check ${CHECK.pull} --timeout 5s --registry ${env.registries.open.url}`,
    );
    expect(again.report.results[0]!.severity).toBe(first.severity);
    expect(again.report.results[0]!.evidence.registry_url).toBe(env.registries.open.url);
  });

  it('asks for a password on stdin again and never prints it', () => {
    const { username, password } = env.users.admin;
    const args = [
      'doctor',
      '--registry',
      env.registries.basic.url,
      '--set',
      `OCI:CaCertificatePath=${env.caCertPath}`,
      '--username',
      username,
      '--password-stdin',
      '--check',
      CHECK.credentials,
      '--format',
      'json',
    ];
    const first = JSON.parse(stella(args, { input: password }).stdout).results[0];

    const again = paste(first.verificationCommand, password);

    expect(first.verificationCommand).toContain('--password-stdin');
    expect(first.verificationCommand).not.toContain(password);
    expect(again.status).toBe(0);
    expect(again.report.results[0]).toMatchObject({
      severity: 'pass',
      evidence: { credentials_valid: true, username },
    });
  });

  it('turns a password given with --set into --password-stdin', () => {
    const { username, password } = env.users.admin;
    const run = stella([
      'doctor',
      '--registry',
      env.registries.basic.url,
      '--set',
      `OCI:CaCertificatePath=${env.caCertPath}`,
      '--set',
      `OCI:Username=${username}`,
      '--set',
      `OCI:Password=${password}`,
      '--check',
      CHECK.credentials,
      '--format',
      'json',
    ]);
    const command: string = JSON.parse(run.stdout).results[0].verificationCommand;

    expect(command).toContain(`--set OCI:Username=${username} --password-stdin`);
    expect(command).not.toContain(password);
  });
});
