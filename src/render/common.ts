// Pieces every report renderer shares: ANSI styling, status marks and labels, duration and
// evidence formatting, remediation steps grouped by environment, and the summary line.

import {
  ENVIRONMENTS,
  type Environment,
  type EvidenceValue,
  type RemediationStep,
  type Report,
  type Severity,
} from '../engine/types.js';

export type Style = 'bold' | 'dim' | 'underline' | 'red' | 'green' | 'yellow' | 'cyan';

const ANSI: Record<Style, [open: number, close: number]> = {
  bold: [1, 22],
  dim: [2, 22],
  underline: [4, 24],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/** Applies styles to a piece of text; a no-op when colour is off. */
export type Painter = (text: string, ...styles: Style[]) => string;

export function createPainter(color: boolean): Painter {
  if (!color) return (text) => text;
  return (text, ...styles) =>
    styles.reduce((out, style) => `\x1b[${ANSI[style][0]}m${out}\x1b[${ANSI[style][1]}m`, text);
}

export const SEVERITY_MARK: Record<Severity, string> = {
  pass: '✔',
  info: 'ℹ',
  warn: '⚠',
  fail: '✖',
  skip: '○',
};

export const SEVERITY_STYLE: Record<Severity, Style> = {
  pass: 'green',
  info: 'cyan',
  warn: 'yellow',
  fail: 'red',
  skip: 'dim',
};

/** Mark and word, e.g. `⚠ warn`: for places where the mark alone is too terse. */
export function statusLabel(severity: Severity): string {
  return `${SEVERITY_MARK[severity]} ${severity}`;
}

export const ENVIRONMENT_HEADING: Record<Environment, string> = {
  compose: 'Docker Compose',
  baremetal: 'Bare Metal / systemd',
  kubernetes: 'Kubernetes / Helm',
  any: 'Any environment',
};

export interface EnvironmentSteps {
  environment: Environment;
  heading: string;
  steps: RemediationStep[];
}

/**
 * Steps grouped per environment (compose, baremetal, kubernetes, any), each group ordered by `order`; empty groups
 * left out.
 */
export function groupStepsByEnvironment(steps: readonly RemediationStep[]): EnvironmentSteps[] {
  const groups: EnvironmentSteps[] = [];
  for (const environment of ENVIRONMENTS) {
    const inGroup = steps.filter((s) => s.environment === environment).sort((a, b) => a.order - b.order);
    if (inGroup.length === 0) continue;
    groups.push({ environment, heading: ENVIRONMENT_HEADING[environment], steps: inGroup });
  }
  return groups;
}

/** `850 ms` below a second, then seconds to two decimals without trailing zeros: `1.23 s`, `1.5 s`, `5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(2))} s`;
}

export function formatEvidenceValue(value: EvidenceValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  return String(value);
}

/** `1 check`, `6 checks`. */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** `6 checks: 4 passed, 1 info, 1 warning, 0 failed, 0 skipped — overall: warn (1.23 s)` */
export function summaryLine(report: Report, paint: Painter = createPainter(false)): string {
  const s = report.summary;
  const counts = [
    `${s.pass} passed`,
    `${s.info} info`,
    plural(s.warn, 'warning', 'warnings'),
    `${s.fail} failed`,
    `${s.skip} skipped`,
  ].join(', ');
  const overall = paint(s.overall, SEVERITY_STYLE[s.overall], 'bold');
  const nothing = nothingChecked(report);
  return (
    `${plural(s.total, 'check', 'checks')}: ${counts} — overall: ` +
    `${overall}${nothing ? ` — nothing was checked: ${nothing}` : ''} (${formatDuration(report.durationMs)})`
  );
}

/**
 * When every check of a run skipped, why, in the checks' own words (which name the keys to set);
 * undefined when anything was checked. Nothing checked is not a pass.
 */
export function nothingChecked(report: Report): string | undefined {
  if (report.summary.total === 0 || report.summary.skip < report.summary.total) return undefined;
  return [...new Set(report.results.map((r) => r.diagnosis))].join(' ');
}

/** Prefixes every line of a (possibly multi-line) text, leaving empty lines empty. */
export function indentLines(text: string, prefix: string): string[] {
  return text.split(/\r?\n/).map((line) => (line === '' ? '' : prefix + line));
}
