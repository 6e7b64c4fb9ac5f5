// A realistic report for the renderer tests: one result of each severity, remediation steps in
// every environment (one command spanning several lines) and evidence of every value type.

import type { CheckResult, Report } from '../../src/engine/types.js';

const PLUGIN = 'stellaops.doctor.integration';
const RUNBOOK = 'https://docs.stella-ops.org/doctor/articles/integration/';

function result(
  fields: Pick<CheckResult, 'checkId' | 'name' | 'severity' | 'diagnosis'> & Partial<CheckResult>,
): CheckResult {
  const slug = fields.checkId.replace('check.integration.oci.', 'registry-');
  return {
    pluginId: PLUGIN,
    category: 'integration',
    tags: ['registry', 'oci'],
    evidence: {},
    likelyCauses: [],
    remediation: { runbookUrl: `${RUNBOOK}${slug}.md`, steps: [] },
    verificationCommand: `stella doctor run --check ${fields.checkId}`,
    durationMs: 12,
    startedAt: '2025-03-01T10:00:00.100Z',
    ...fields,
  };
}

export const CAPABILITIES = result({
  checkId: 'check.integration.oci.capabilities',
  name: 'OCI Registry Capability Matrix',
  severity: 'info',
  tags: ['registry', 'oci', 'capabilities', 'compatibility'],
  diagnosis: 'The registry supports 4 of 5 OCI capabilities; the referrers API is missing.',
  evidence: { supported: ['blob-mount', 'chunked-upload', 'delete', 'tag-list'], unsupported: ['referrers'] },
  durationMs: 210,
});

export const CREDENTIALS = result({
  checkId: 'check.integration.oci.credentials',
  name: 'OCI Registry Credentials',
  severity: 'fail',
  tags: ['registry', 'oci', 'credentials', 'secrets', 'auth'],
  diagnosis: 'The registry registry.example.com rejected the configured credentials (HTTP 401).',
  evidence: {
    registry_url: 'https://registry.example.com',
    auth_method: 'basic',
    status_code: 401,
    is_anonymous: false,
    token_expires_utc: null,
    challenge_schemes: ['basic', 'bearer'],
  },
  likelyCauses: [
    'The password was rotated without updating OCI:Password',
    'The service account stellaops-svc was disabled',
  ],
  remediation: {
    runbookUrl: `${RUNBOOK}registry-credentials.md`,
    steps: [
      {
        order: 1,
        environment: 'compose',
        description: 'Test the credentials by hand',
        command: 'docker login registry.example.com',
        safe: true,
      },
      {
        order: 2,
        environment: 'compose',
        description: 'Set the new password and restart',
        command: "echo 'OCI__Password=<password>' >> .env\ndocker compose restart platform",
        safe: false,
      },
      {
        order: 3,
        environment: 'baremetal',
        description: 'Reproduce the probe',
        command: 'curl -u stellaops-svc:<password> https://registry.example.com/v2/',
        safe: true,
      },
      {
        order: 4,
        environment: 'kubernetes',
        description: 'Update the secret',
        command:
          'kubectl create secret generic stellaops-registry-creds \\\n  --from-literal=username=stellaops-svc \\\n  --from-literal=password=<password> \\\n  --dry-run=client -o yaml | kubectl apply -f -',
        safe: false,
      },
      {
        order: 5,
        environment: 'any',
        description: 'Ask the registry administrator whether the account is locked',
        safe: true,
      },
    ],
  },
  durationMs: 87,
});

export const PULL = result({
  checkId: 'check.integration.oci.pull',
  name: 'OCI Registry Pull Authorization',
  severity: 'pass',
  diagnosis: 'Pull of stellaops/app is authorized.',
  evidence: { repository: 'stellaops/app', status_code: 200 },
});

export const PUSH = result({
  checkId: 'check.integration.oci.push',
  name: 'OCI Registry Push Authorization',
  severity: 'skip',
  diagnosis: 'No push repository is configured (OCI:PushRepository).',
  durationMs: 0,
});

export const REFERRERS = result({
  checkId: 'check.integration.oci.referrers',
  name: 'OCI Registry Referrers API Support',
  severity: 'warn',
  tags: ['registry', 'oci', 'referrers', 'compatibility', 'oci-1.1'],
  diagnosis: 'The registry does not implement the OCI 1.1 referrers API; the tag-schema fallback will be used.',
  evidence: { referrers_status_code: 404, has_fallback_tags: true, probe_ms: 31.5 },
  likelyCauses: ['The registry implements OCI distribution 1.0 only'],
  remediation: {
    runbookUrl: `${RUNBOOK}registry-referrers.md`,
    steps: [
      {
        order: 1,
        environment: 'compose',
        description: 'Upgrade the registry image',
        command: 'docker compose pull registry && docker compose up -d registry',
        safe: false,
      },
      {
        order: 2,
        environment: 'baremetal',
        description: 'Upgrade the registry package',
        command: 'sudo apt-get install --only-upgrade docker-registry',
        safe: false,
      },
      {
        order: 3,
        environment: 'kubernetes',
        description: 'Upgrade the registry chart',
        command: 'helm upgrade registry ./registry-chart',
        safe: false,
      },
    ],
  },
  durationMs: 45,
});

export const REGISTRY = result({
  checkId: 'check.integration.oci.registry',
  name: 'OCI Registry Connectivity',
  severity: 'pass',
  tags: ['connectivity', 'oci', 'registry', 'quick'],
  diagnosis: 'registry.example.com answered /v2/ with HTTP 401 in 8 ms.',
  durationMs: 8,
});

export function sampleReport(): Report {
  return {
    schemaVersion: '1.0',
    runId: '4f1c2a9e-6b1d-4c4e-9f53-0d6a1b7e2c11',
    startedAt: '2025-03-01T10:00:00.000Z',
    completedAt: '2025-03-01T10:00:01.234Z',
    durationMs: 1234,
    doctorVersion: '0.1.0',
    summary: { total: 6, pass: 2, info: 1, warn: 1, fail: 1, skip: 1, overall: 'fail' },
    results: structuredClone([CAPABILITIES, CREDENTIALS, PULL, PUSH, REFERRERS, REGISTRY]),
  };
}
