// The report as Markdown (for tickets, pull requests and the export bundle): run metadata, a
// summary table, then one section per non-pass check with evidence, causes, remediation and verification.

import type { CheckResult, Report } from '../engine/types.js';
import {
  formatDuration,
  formatEvidenceValue,
  groupStepsByEnvironment,
  indentLines,
  statusLabel,
  SEVERITY_MARK,
  summaryLine,
} from './common.js';

/**
 * Text that Markdown renderers must not read as HTML (`<password>` placeholders would vanish) or as a
 * link or image (a registry's own message is quoted in diagnoses: `[text](url)` stays text).
 */
function inline(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[[\]]/g, (c) => `\\${c}`);
}

/** One table cell: inline text on one line, with `|` escaped so it cannot split the row. */
function tableCell(text: string): string {
  return inline(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function tableRow(cells: string[]): string {
  return `| ${cells.map(tableCell).join(' | ')} |`;
}

/** A fenced `bash` block whose fence is longer than any backtick run inside the code. */
function codeBlock(code: string, indent = ''): string[] {
  const longestRun = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return [`${indent}${fence}bash`, ...indentLines(code, indent), `${indent}${fence}`];
}

function oneLine(text: string): string {
  return inline(text.replace(/\s*\r?\n\s*/g, ' '));
}

function resultSection(r: CheckResult): string[] {
  const lines = [
    `## ${SEVERITY_MARK[r.severity]} \`${r.checkId}\` — ${oneLine(r.name)}`,
    '',
    `**Severity:** ${r.severity} · **Plugin:** \`${r.pluginId}\` · **Category:** ${inline(r.category)} · ` +
      `**Duration:** ${formatDuration(r.durationMs)}`,
    '',
    inline(r.diagnosis),
    '',
  ];
  if (r.severity === 'skip') return lines;

  const evidence = Object.entries(r.evidence);
  if (evidence.length > 0) {
    lines.push('### Evidence', '', '| Key | Value |', '| --- | --- |');
    for (const [key, value] of evidence) lines.push(tableRow([`\`${key}\``, formatEvidenceValue(value)]));
    lines.push('');
  }
  if (r.likelyCauses.length > 0) {
    lines.push('### Likely causes', '');
    r.likelyCauses.forEach((cause, index) => lines.push(`${index + 1}. ${oneLine(cause)}`));
    lines.push('');
  }
  const groups = groupStepsByEnvironment(r.remediation.steps);
  if (groups.length > 0) {
    lines.push('### Remediation', '');
    for (const group of groups) {
      lines.push(`#### ${group.heading}`, '');
      group.steps.forEach((step, index) => {
        const number = `${index + 1}. `;
        lines.push(`${number}${oneLine(step.description)}`);
        if (step.command !== undefined) lines.push('', ...codeBlock(step.command, ' '.repeat(number.length)));
        lines.push('');
      });
    }
  }
  const runbook = r.remediation.runbookUrl;
  lines.push(
    '### Verification',
    '',
    ...codeBlock(r.verificationCommand),
    '',
    `Runbook: [${inline(runbook)}](<${runbook}>)`,
    '',
  );
  return lines;
}

export function renderMarkdown(report: Report): string {
  const lines = [
    '# Stella Doctor report',
    '',
    `- **Overall:** ${statusLabel(report.summary.overall)}`,
    `- **Run ID:** \`${report.runId}\``,
    `- **Started:** ${report.startedAt}`,
    `- **Completed:** ${report.completedAt}`,
    `- **Duration:** ${formatDuration(report.durationMs)}`,
    `- **Doctor version:** ${inline(report.doctorVersion)}`,
    '',
    '## Summary',
    '',
    summaryLine(report),
    '',
  ];
  if (report.results.length > 0) {
    lines.push('| Status | Check | Name | Duration | Diagnosis |', '| --- | --- | --- | ---: | --- |');
    for (const r of report.results) {
      lines.push(
        tableRow([statusLabel(r.severity), `\`${r.checkId}\``, r.name, formatDuration(r.durationMs), r.diagnosis]),
      );
    }
    lines.push('');
  }
  for (const r of report.results) {
    if (r.severity !== 'pass') lines.push(...resultSection(r));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
