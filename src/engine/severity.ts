// Severity arithmetic: ordering, the worst of several, and the summary of a run.

import { SEVERITY_ORDER, type CheckResult, type ReportSummary, type Severity, type VerdictSeverity } from './types.js';

export function severityRank(severity: Severity): number {
  return SEVERITY_ORDER.indexOf(severity as VerdictSeverity);
}

/** The worst non-skip severity; 'skip' when there is none. */
export function worstSeverity(severities: Iterable<Severity>): Severity {
  let worst: Severity = 'skip';
  for (const s of severities) {
    if (s === 'skip') continue;
    if (worst === 'skip' || severityRank(s) > severityRank(worst)) worst = s;
  }
  return worst;
}

export function summarize(results: CheckResult[]): ReportSummary {
  const summary: ReportSummary = {
    total: results.length,
    pass: 0,
    info: 0,
    warn: 0,
    fail: 0,
    skip: 0,
    overall: 'skip',
  };
  for (const r of results) summary[r.severity] += 1;
  summary.overall = worstSeverity(results.map((r) => r.severity));
  return summary;
}
