// Prometheus metrics (prom-client, a registry of our own; Node's process metrics are left out):
// fed by every finished run whatever its trigger. Names follow blackbox_exporter: absolute
// `…_timestamp_seconds` for times, and no run ids, URLs or error text as labels.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CheckResult, Severity } from '../engine/types.js';
import type { StoredReport } from '../store/types.js';

const STATUSES: readonly Severity[] = ['pass', 'info', 'warn', 'fail', 'skip'];

/** Evidence keys holding an expiry time, by the metric that reports it. */
const EXPIRY_EVIDENCE = {
  tlsCertExpiry: ['tls_not_after_utc', 'earliest_tls_not_after_utc'],
  // The OCI checks' token expiry, and the Git, CI and secrets checks' (earliest across systems).
  credentialExpiry: ['token_expires_at_utc', 'token_expires_utc', 'earliest_token_expires_utc'],
} as const;

export class DoctorMetrics {
  readonly registry = new Registry();
  private readonly checkStatus = this.gauge(
    'stella_doctor_check_status',
    'Current status of each check: 1 for the status of its last result, 0 for the others',
    ['check_id', 'plugin', 'category', 'status'],
  );
  private readonly checkSuccess = this.gauge(
    'stella_doctor_check_success',
    'Whether the last result of a check was pass or info (absent while it is skipped)',
    ['check_id', 'plugin', 'category'],
  );
  private readonly checkDuration = this.gauge(
    'stella_doctor_check_duration_seconds',
    'Duration of the last run of a check',
    ['check_id'],
  );
  private readonly checkLastRun = this.gauge(
    'stella_doctor_check_last_run_timestamp_seconds',
    'When a check last ran (Unix time)',
    ['check_id'],
  );
  private readonly tlsExpiry = this.gauge(
    'stella_doctor_tls_cert_expiry_timestamp_seconds',
    'Earliest expiry of the TLS certificates a check saw (Unix time)',
    ['check_id'],
  );
  private readonly credentialExpiry = this.gauge(
    'stella_doctor_credential_expiry_timestamp_seconds',
    'Earliest known expiry of the credentials a check used (Unix time)',
    ['check_id'],
  );
  private readonly runs = new Counter({
    name: 'stella_doctor_runs_total',
    help: 'Finished runs by trigger and overall severity',
    labelNames: ['trigger', 'overall'],
    registers: [this.registry],
  });
  private readonly runDuration = new Histogram({
    name: 'stella_doctor_run_duration_seconds',
    help: 'Duration of whole runs',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  constructor(version: string) {
    this.gauge('stella_doctor_build_info', 'Stella Doctor build information (always 1)', ['version']).set(
      { version },
      1,
    );
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** Records a finished run: the run counters, and the last result of each of its checks. */
  observe(report: StoredReport): void {
    this.runs.inc({ trigger: report.trigger, overall: report.summary.overall });
    this.runDuration.observe(report.durationMs / 1000);
    for (const result of report.results) this.observeCheck(result);
  }

  private observeCheck(result: CheckResult): void {
    const check = { check_id: result.checkId, plugin: result.pluginId, category: result.category };
    for (const status of STATUSES) this.checkStatus.set({ ...check, status }, status === result.severity ? 1 : 0);
    if (result.severity === 'skip') this.checkSuccess.remove(check);
    else this.checkSuccess.set(check, result.severity === 'pass' || result.severity === 'info' ? 1 : 0);
    const id = { check_id: result.checkId };
    this.checkDuration.set(id, result.durationMs / 1000);
    this.checkLastRun.set(id, (Date.parse(result.startedAt) + result.durationMs) / 1000);
    setExpiry(this.tlsExpiry, id, result, EXPIRY_EVIDENCE.tlsCertExpiry);
    setExpiry(this.credentialExpiry, id, result, EXPIRY_EVIDENCE.credentialExpiry);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The earliest expiry among the evidence keys; the series is removed when the result names none. */
function setExpiry(
  gauge: Gauge<'check_id'>,
  id: { check_id: string },
  result: CheckResult,
  keys: readonly string[],
): void {
  const times = keys
    .map((k) => result.evidence[k])
    .filter((v): v is string => typeof v === 'string')
    .map(Date.parse)
    .filter(Number.isFinite);
  if (times.length === 0) gauge.remove(id);
  else gauge.set(id, Math.min(...times) / 1000);
}
