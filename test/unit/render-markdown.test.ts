// The markdown report: layout, and escaping of pipes, HTML and code fences.
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/render/markdown.js';
import { sampleReport } from './render-fixture.js';

/** The lines of the section whose heading starts with `heading`, up to the next `## ` heading. */
function section(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  const next = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start, next === -1 ? undefined : next);
}

/** Cell separators of a table row: pipes not preceded by a backslash. */
function separators(row: string): number {
  return (row.match(/(?<!\\)\|/g) ?? []).length;
}

describe('renderMarkdown', () => {
  it('starts with a title, the run metadata and the summary table', () => {
    const lines = renderMarkdown(sampleReport()).split('\n');

    expect(lines.slice(0, 17)).toEqual([
      '# Stella Doctor report',
      '',
      '- **Overall:** ✖ fail',
      '- **Run ID:** `4f1c2a9e-6b1d-4c4e-9f53-0d6a1b7e2c11`',
      '- **Started:** 2025-03-01T10:00:00.000Z',
      '- **Completed:** 2025-03-01T10:00:01.234Z',
      '- **Duration:** 1.23 s',
      '- **Doctor version:** 0.1.0',
      '',
      '## Summary',
      '',
      '6 checks: 2 passed, 1 info, 1 warning, 1 failed, 1 skipped — overall: fail (1.23 s)',
      '',
      '| Status | Check | Name | Duration | Diagnosis |',
      '| --- | --- | --- | ---: | --- |',
      '| ℹ info | `check.integration.oci.capabilities` | OCI Registry Capability Matrix | 210 ms | The registry supports 4 of 5 OCI capabilities; the referrers API is missing. |',
      '| ✖ fail | `check.integration.oci.credentials` | OCI Registry Credentials | 87 ms | The registry registry.example.com rejected the configured credentials (HTTP 401). |',
    ]);
  });

  it('has a section for every non-pass check and none for passing ones', () => {
    const headings = renderMarkdown(sampleReport())
      .split('\n')
      .filter((line) => line.startsWith('## '));

    expect(headings).toEqual([
      '## Summary',
      '## ℹ `check.integration.oci.capabilities` — OCI Registry Capability Matrix',
      '## ✖ `check.integration.oci.credentials` — OCI Registry Credentials',
      '## ○ `check.integration.oci.push` — OCI Registry Push Authorization',
      '## ⚠ `check.integration.oci.referrers` — OCI Registry Referrers API Support',
    ]);
  });

  it('explains a failure with evidence, causes, remediation per environment in bash blocks, and verification', () => {
    const lines = section(renderMarkdown(sampleReport()), '## ✖ `check.integration.oci.credentials`');

    expect(lines).toEqual([
      '## ✖ `check.integration.oci.credentials` — OCI Registry Credentials',
      '',
      '**Severity:** fail · **Plugin:** `stellaops.doctor.integration` · **Category:** integration · **Duration:** 87 ms',
      '',
      'The registry registry.example.com rejected the configured credentials (HTTP 401).',
      '',
      '### Evidence',
      '',
      '| Key | Value |',
      '| --- | --- |',
      '| `registry_url` | https://registry.example.com |',
      '| `auth_method` | basic |',
      '| `status_code` | 401 |',
      '| `is_anonymous` | false |',
      '| `token_expires_utc` | null |',
      '| `challenge_schemes` | basic, bearer |',
      '',
      '### Likely causes',
      '',
      '1. The password was rotated without updating OCI:Password',
      '2. The service account stellaops-svc was disabled',
      '',
      '### Remediation',
      '',
      '#### Docker Compose',
      '',
      '1. Test the credentials by hand',
      '',
      '   ```bash',
      '   docker login registry.example.com',
      '   ```',
      '',
      '2. Set the new password and restart',
      '',
      '   ```bash',
      "   echo 'OCI__Password=<password>' >> .env",
      '   docker compose restart platform',
      '   ```',
      '',
      '#### Bare Metal / systemd',
      '',
      '1. Reproduce the probe',
      '',
      '   ```bash',
      '   curl -u stellaops-svc:<password> https://registry.example.com/v2/',
      '   ```',
      '',
      '#### Kubernetes / Helm',
      '',
      '1. Update the secret',
      '',
      '   ```bash',
      '   kubectl create secret generic stellaops-registry-creds \\',
      '     --from-literal=username=stellaops-svc \\',
      '     --from-literal=password=<password> \\',
      '     --dry-run=client -o yaml | kubectl apply -f -',
      '   ```',
      '',
      '#### Any environment',
      '',
      '1. Ask the registry administrator whether the account is locked',
      '',
      '### Verification',
      '',
      '```bash',
      'stella doctor run --check check.integration.oci.credentials',
      '```',
      '',
      'Runbook: [https://docs.stella-ops.org/doctor/articles/integration/registry-credentials.md](<https://docs.stella-ops.org/doctor/articles/integration/registry-credentials.md>)',
      '',
    ]);
  });

  it('shows only the reason for a skipped check', () => {
    const lines = section(renderMarkdown(sampleReport()), '## ○ `check.integration.oci.push`');

    expect(lines.slice(4)).toEqual(['No push repository is configured (OCI:PushRepository).', '']);
  });

  it('escapes pipes and line breaks in table cells so rows keep their columns', () => {
    const report = sampleReport();
    const credentials = report.results[1]!;
    credentials.name = 'Credentials | auth';
    credentials.diagnosis = 'HTTP 401 | 403\nfrom the registry';
    credentials.evidence = { pipeline: 'a | b', hosts: ['x|y', 'z'] };

    const markdown = renderMarkdown(report);

    const summaryRow = markdown.split('\n').find((line) => line.startsWith('| ✖ fail'));
    expect(summaryRow).toBe(
      '| ✖ fail | `check.integration.oci.credentials` | Credentials \\| auth | 87 ms | HTTP 401 \\| 403<br>from the registry |',
    );
    expect(separators(summaryRow!)).toBe(6);
    expect(markdown).toContain('| `pipeline` | a \\| b |\n| `hosts` | x\\|y, z |\n');
  });

  it('escapes text that Markdown would take for HTML, but not inside code blocks', () => {
    const report = sampleReport();
    report.results[1]!.likelyCauses = ['The <password> placeholder & the real value differ'];

    const markdown = renderMarkdown(report);

    expect(markdown).toContain('1. The &lt;password&gt; placeholder &amp; the real value differ\n');
    expect(markdown).toContain('   curl -u stellaops-svc:<password> https://registry.example.com/v2/\n');
  });

  it('makes the fence longer than any backtick run in the command', () => {
    const report = sampleReport();
    report.results[4]!.remediation.steps = [
      { order: 1, environment: 'any', description: 'Print a fenced snippet', command: "printf '```\\n'", safe: true },
    ];

    const lines = section(renderMarkdown(report), '## ⚠ `check.integration.oci.referrers`');

    const start = lines.indexOf('#### Any environment');
    expect(lines.slice(start, start + 7)).toEqual([
      '#### Any environment',
      '',
      '1. Print a fenced snippet',
      '',
      '   ````bash',
      "   printf '```\\n'",
      '   ````',
    ]);
  });

  it("keeps a registry's quoted message as text: no link, image or HTML", () => {
    const report = sampleReport();
    const failing = report.results.find((r) => r.severity === 'fail')!;
    failing.diagnosis = 'r.example refused it. The registry says: "see [here](https://evil.example) <img src=x>".';
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('see \\[here\\](https://evil.example) &lt;img src=x&gt;');
    expect(markdown).not.toContain('[here](');
  });
});
