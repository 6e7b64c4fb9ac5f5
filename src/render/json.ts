// The machine-readable report (`--format json`): the stable contract described by
// schema/doctor-report.schema.json, keys always in the documented order, unknown fields dropped.

import type { CheckResult, RemediationStep, Report } from '../engine/types.js';

function orderedStep(step: RemediationStep): RemediationStep {
  return {
    order: step.order,
    environment: step.environment,
    description: step.description,
    ...(step.command === undefined ? {} : { command: step.command }),
    safe: step.safe,
  };
}

export function orderedResult(r: CheckResult): CheckResult {
  return {
    checkId: r.checkId,
    pluginId: r.pluginId,
    category: r.category,
    name: r.name,
    tags: r.tags,
    severity: r.severity,
    diagnosis: r.diagnosis,
    evidence: r.evidence,
    likelyCauses: r.likelyCauses,
    remediation: { runbookUrl: r.remediation.runbookUrl, steps: r.remediation.steps.map(orderedStep) },
    verificationCommand: r.verificationCommand,
    durationMs: r.durationMs,
    startedAt: r.startedAt,
  };
}

/** The report in SPEC order: run metadata, summary, then the results. */
export function orderedReport(report: Report): Report {
  const s = report.summary;
  return {
    schemaVersion: report.schemaVersion,
    runId: report.runId,
    startedAt: report.startedAt,
    completedAt: report.completedAt,
    durationMs: report.durationMs,
    doctorVersion: report.doctorVersion,
    summary: {
      total: s.total,
      pass: s.pass,
      info: s.info,
      warn: s.warn,
      fail: s.fail,
      skip: s.skip,
      overall: s.overall,
    },
    results: report.results.map(orderedResult),
  };
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(orderedReport(report), null, 2)}\n`;
}
