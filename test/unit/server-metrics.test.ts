// The expiry gauges: the earliest credential and certificate expiry a result names, whichever
// check's spelling it uses (the OCI checks' token_expires_at_utc, the system checks'
// token_expires_utc, or earliest_* across several systems); no series when a result names none.
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/engine/types.js';
import { DoctorMetrics } from '../../src/server/metrics.js';
import type { StoredReport } from '../../src/store/types.js';
import { CREDENTIALS } from './render-fixture.js';

function report(results: CheckResult[]): StoredReport {
  return {
    schemaVersion: '1.0',
    runId: 'r',
    startedAt: '2026-12-01T00:00:00.000Z',
    completedAt: '2026-12-01T00:00:01.000Z',
    durationMs: 1000,
    doctorVersion: '0',
    summary: { total: results.length, pass: results.length, info: 0, warn: 0, fail: 0, skip: 0, overall: 'pass' },
    results,
    status: 'completed',
    trigger: 'api',
    mode: 'normal',
  };
}

const result = (checkId: string, evidence: CheckResult['evidence']): CheckResult => ({
  ...CREDENTIALS,
  checkId,
  severity: 'pass',
  evidence,
});

async function series(metrics: DoctorMetrics, name: string): Promise<string[]> {
  return (await metrics.text()).split('\n').filter((line) => line.startsWith(`${name}{`));
}

describe('expiry metrics', () => {
  it('report each spelling of a credential expiry, the earliest across systems winning', async () => {
    const metrics = new DoctorMetrics('0');
    metrics.observe(
      report([
        result('check.integration.oci.credentials', { token_expires_at_utc: '2026-12-02T00:00:00.000Z' }),
        result('check.integration.git', { token_expires_utc: '2026-12-03T00:00:00.000Z' }),
        result('check.integration.secrets.manager', {
          token_expires_utc: '2026-12-20T00:00:00.000Z',
          earliest_token_expires_utc: '2026-12-05T00:00:00.000Z',
        }),
        result('check.integration.ci.system', { systems: ['jenkins: pass'] }),
      ]),
    );

    expect(await series(metrics, 'stella_doctor_credential_expiry_timestamp_seconds')).toEqual([
      `stella_doctor_credential_expiry_timestamp_seconds{check_id="check.integration.oci.credentials"} ${Date.parse('2026-12-02T00:00:00Z') / 1000}`,
      `stella_doctor_credential_expiry_timestamp_seconds{check_id="check.integration.git"} ${Date.parse('2026-12-03T00:00:00Z') / 1000}`,
      `stella_doctor_credential_expiry_timestamp_seconds{check_id="check.integration.secrets.manager"} ${Date.parse('2026-12-05T00:00:00Z') / 1000}`,
    ]);
  });

  it('report the earliest certificate expiry across systems', async () => {
    const metrics = new DoctorMetrics('0');
    metrics.observe(
      report([
        result('check.integration.ci.system', {
          tls_not_after_utc: '2027-03-01T00:00:00.000Z',
          earliest_tls_not_after_utc: '2027-01-01T00:00:00.000Z',
        }),
      ]),
    );

    expect(await series(metrics, 'stella_doctor_tls_cert_expiry_timestamp_seconds')).toEqual([
      `stella_doctor_tls_cert_expiry_timestamp_seconds{check_id="check.integration.ci.system"} ${Date.parse('2027-01-01T00:00:00Z') / 1000}`,
    ]);
  });
});
