// The human-readable report: one status line per check, then for each non-pass result the
// diagnosis, evidence (verbose), likely causes, remediation per environment and how to verify.

import { alignColumns } from './columns.js';
import type { CheckResult, Evidence, RemediationStep, Report } from '../engine/types.js';
import {
  createPainter,
  formatDuration,
  formatEvidenceValue,
  groupStepsByEnvironment,
  indentLines,
  SEVERITY_MARK,
  SEVERITY_STYLE,
  summaryLine,
  type Painter,
} from './common.js';

export interface TextOptions {
  color: boolean;
  /** Show the evidence of non-pass results. */
  verbose: boolean;
  /** Show remediation steps (`--no-remediation` turns this off). */
  remediation: boolean;
}

export interface DetailOptions {
  verbose: boolean;
  remediation: boolean;
  paint: Painter;
}

function evidenceLines(evidence: Evidence, paint: Painter): string[] {
  const entries = Object.entries(evidence);
  if (entries.length === 0) return [];
  const keyWidth = Math.max(...entries.map(([key]) => key.length)) + 1;
  const lines = [paint('Evidence:', 'bold')];
  for (const [key, value] of entries) {
    const [first = '', ...rest] = formatEvidenceValue(value).split(/\r?\n/);
    lines.push(`  ${`${key}:`.padEnd(keyWidth)} ${first}`);
    for (const line of rest) lines.push(`  ${' '.repeat(keyWidth)} ${line}`);
  }
  return lines;
}

function remediationLines(steps: readonly RemediationStep[], paint: Painter): string[] {
  const groups = groupStepsByEnvironment(steps);
  if (groups.length === 0) return [];
  const lines = [paint('Remediation:', 'bold')];
  for (const group of groups) {
    lines.push(`  ${paint(group.heading, 'bold')}`);
    group.steps.forEach((step, index) => {
      const number = `${index + 1}. `;
      lines.push(`    ${number}${step.description}`);
      if (step.command === undefined) return;
      lines.push(...indentLines(step.command, ' '.repeat(4 + number.length + 2)));
    });
  }
  return lines;
}

/**
 * The explanation of one non-pass result as unindented lines: diagnosis, evidence (verbose),
 * likely causes, remediation steps, verification command and runbook. A skip shows only its reason.
 */
export function resultDetailLines(result: CheckResult, options: DetailOptions): string[] {
  const { paint } = options;
  const lines = [result.diagnosis];
  if (result.severity === 'skip') return lines;
  if (options.verbose) lines.push(...evidenceLines(result.evidence, paint));
  if (result.likelyCauses.length > 0) {
    lines.push(paint('Likely causes:', 'bold'));
    result.likelyCauses.forEach((cause, index) => lines.push(`  ${index + 1}. ${cause}`));
  }
  if (options.remediation) lines.push(...remediationLines(result.remediation.steps, paint));
  lines.push(`${paint('Verify:', 'bold')} ${result.verificationCommand}`);
  lines.push(`${paint('Runbook:', 'bold')} ${result.remediation.runbookUrl}`);
  return lines;
}

export function renderText(report: Report, options: TextOptions): string {
  const paint = createPainter(options.color);
  const results = report.results;
  const statusLines = alignColumns(
    results.map((r) => [r.checkId, r.name, formatDuration(r.durationMs)]),
    { align: ['left', 'left', 'right'] },
  );
  const lines: string[] = [];
  results.forEach((result, index) => {
    const mark = paint(SEVERITY_MARK[result.severity], SEVERITY_STYLE[result.severity]);
    lines.push(`${mark} ${statusLines[index]!.join('  ')}`);
    if (result.severity === 'pass') {
      // A pass shows nothing more, unless --verbose asked for the evidence of every result.
      if (options.verbose)
        lines.push(...indentLines([result.diagnosis, ...evidenceLines(result.evidence, paint)].join('\n'), '  '), '');
      return;
    }
    const details = resultDetailLines(result, { verbose: options.verbose, remediation: options.remediation, paint });
    lines.push(...indentLines(details.join('\n'), '  '), '');
  });
  if (lines.length > 0 && lines.at(-1) !== '') lines.push('');
  lines.push(summaryLine(report, paint));
  return `${lines.join('\n')}\n`;
}
