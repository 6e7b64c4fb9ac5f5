// The text report for people: status lines, details of non-pass results, verbose evidence,
// remediation, summary, colour.
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/types.js';
import { renderText } from '../../src/render/text.js';
import { sampleReport } from './render-fixture.js';

const ANSI = /\x1b\[[0-9;]*m/;
const PLAIN = { color: false, verbose: false, remediation: true };

/** The status line of a check and everything printed beneath it, up to the blank line. */
function blockOf(output: string, checkId: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.slice(2).startsWith(`${checkId} `));
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
}

describe('renderText', () => {
  it('prints one aligned status line per check, in report order', () => {
    const output = renderText(sampleReport(), PLAIN);

    const statusLines = output.split('\n').filter((line) => /^[✔ℹ⚠✖○] /.test(line));

    expect(statusLines).toEqual([
      'ℹ check.integration.oci.capabilities  OCI Registry Capability Matrix      210 ms',
      '✖ check.integration.oci.credentials   OCI Registry Credentials             87 ms',
      '✔ check.integration.oci.pull          OCI Registry Pull Authorization      12 ms',
      '○ check.integration.oci.push          OCI Registry Push Authorization       0 ms',
      '⚠ check.integration.oci.referrers     OCI Registry Referrers API Support   45 ms',
      '✔ check.integration.oci.registry      OCI Registry Connectivity             8 ms',
    ]);
  });

  it('explains a failure: diagnosis, causes, remediation per environment, verification and runbook', () => {
    const output = renderText(sampleReport(), PLAIN);

    expect(blockOf(output, 'check.integration.oci.credentials')).toEqual([
      '✖ check.integration.oci.credentials   OCI Registry Credentials             87 ms',
      '  The registry registry.example.com rejected the configured credentials (HTTP 401).',
      '  Likely causes:',
      '    1. The password was rotated without updating OCI:Password',
      '    2. The service account stellaops-svc was disabled',
      '  Remediation:',
      '    Docker Compose',
      '      1. Test the credentials by hand',
      '           docker login registry.example.com',
      '      2. Set the new password and restart',
      "           echo 'OCI__Password=<password>' >> .env",
      '           docker compose restart platform',
      '    Bare Metal / systemd',
      '      1. Reproduce the probe',
      '           curl -u stellaops-svc:<password> https://registry.example.com/v2/',
      '    Kubernetes / Helm',
      '      1. Update the secret',
      '           kubectl create secret generic stellaops-registry-creds \\',
      '             --from-literal=username=stellaops-svc \\',
      '             --from-literal=password=<password> \\',
      '             --dry-run=client -o yaml | kubectl apply -f -',
      '    Any environment',
      '      1. Ask the registry administrator whether the account is locked',
      '  Verify: stella doctor run --check check.integration.oci.credentials',
      '  Runbook: https://docs.stella-ops.org/doctor/articles/integration/registry-credentials.md',
    ]);
  });

  it('prints nothing beneath a passing check', () => {
    const lines = renderText(sampleReport(), PLAIN).split('\n');

    const pull = lines.findIndex((line) => line.startsWith('✔ check.integration.oci.pull '));

    expect(lines[pull + 1]).toMatch(/^○ check\.integration\.oci\.push /);
  });

  it('shows only the reason beneath a skipped check', () => {
    const output = renderText(sampleReport(), { ...PLAIN, verbose: true });

    expect(blockOf(output, 'check.integration.oci.push')).toEqual([
      '○ check.integration.oci.push          OCI Registry Push Authorization       0 ms',
      '  No push repository is configured (OCI:PushRepository).',
    ]);
  });

  it('hides evidence unless verbose', () => {
    const output = renderText(sampleReport(), PLAIN);

    expect(output).not.toContain('Evidence:');
    expect(output).not.toContain('registry_url');
  });

  it('shows aligned evidence of every value type when verbose', () => {
    const output = renderText(sampleReport(), { ...PLAIN, verbose: true });

    const block = blockOf(output, 'check.integration.oci.credentials');

    expect(block.slice(1, 9)).toEqual([
      '  The registry registry.example.com rejected the configured credentials (HTTP 401).',
      '  Evidence:',
      '    registry_url:      https://registry.example.com',
      '    auth_method:       basic',
      '    status_code:       401',
      '    is_anonymous:      false',
      '    token_expires_utc: null',
      '    challenge_schemes: basic, bearer',
    ]);
    expect(blockOf(output, 'check.integration.oci.referrers')).toContain('    probe_ms:              31.5');
  });

  it('keeps causes and verification but drops the steps without remediation', () => {
    const output = renderText(sampleReport(), { ...PLAIN, remediation: false });

    expect(output).not.toContain('Remediation:');
    expect(output).not.toContain('docker login');
    expect(output).not.toContain('Docker Compose');
    expect(output).toContain('  Likely causes:\n    1. The password was rotated without updating OCI:Password');
    expect(output).toContain('  Verify: stella doctor run --check check.integration.oci.credentials');
  });

  it('ends with the summary line', () => {
    const output = renderText(sampleReport(), PLAIN);

    expect(
      output.endsWith('\n\n6 checks: 2 passed, 1 info, 1 warning, 1 failed, 1 skipped — overall: fail (1.23 s)\n'),
    ).toBe(true);
  });

  it('counts in the singular and plural and shows short runs in milliseconds', () => {
    const report: Report = {
      ...sampleReport(),
      durationMs: 850,
      summary: { total: 1, pass: 0, info: 0, warn: 2, fail: 0, skip: 0, overall: 'warn' },
    };

    const lastLine = renderText(report, PLAIN).trimEnd().split('\n').at(-1);

    expect(lastLine).toBe('1 check: 0 passed, 0 info, 2 warnings, 0 failed, 0 skipped — overall: warn (850 ms)');
  });

  it('prints only the summary for a run without checks', () => {
    const report: Report = {
      ...sampleReport(),
      results: [],
      durationMs: 3,
      summary: { total: 0, pass: 0, info: 0, warn: 0, fail: 0, skip: 0, overall: 'skip' },
    };

    expect(renderText(report, PLAIN)).toBe(
      '0 checks: 0 passed, 0 info, 0 warnings, 0 failed, 0 skipped — overall: skip (3 ms)\n',
    );
  });

  it('writes no ANSI escape codes when colour is off', () => {
    const output = renderText(sampleReport(), { color: false, verbose: true, remediation: true });

    expect(output).not.toMatch(ANSI);
  });

  it('colours the marks by severity and bolds headings when colour is on', () => {
    const output = renderText(sampleReport(), { color: true, verbose: true, remediation: true });

    expect(output).toContain('\x1b[32m✔\x1b[39m check.integration.oci.pull ');
    expect(output).toContain('\x1b[36mℹ\x1b[39m check.integration.oci.capabilities ');
    expect(output).toContain('\x1b[33m⚠\x1b[39m check.integration.oci.referrers ');
    expect(output).toContain('\x1b[31m✖\x1b[39m check.integration.oci.credentials ');
    expect(output).toContain('\x1b[2m○\x1b[22m check.integration.oci.push ');
    expect(output).toContain('  \x1b[1mLikely causes:\x1b[22m\n');
    expect(output).toContain('    \x1b[1mKubernetes / Helm\x1b[22m\n');
    expect(output).toContain('  \x1b[1mEvidence:\x1b[22m\n');
    expect(output).toContain('— overall: \x1b[1m\x1b[31mfail\x1b[39m\x1b[22m (1.23 s)\n');
  });

  it('leaves the layout unchanged by colour once the codes are removed', () => {
    const options = { verbose: true, remediation: true };

    const coloured = renderText(sampleReport(), { ...options, color: true });

    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderText(sampleReport(), { ...options, color: false }));
  });
});
