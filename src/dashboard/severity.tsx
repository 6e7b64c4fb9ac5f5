// Severity as the dashboard shows it: a badge with mark and word (never colour alone), the order
// used to put the worst first, and times in the reader's locale.

import type { Severity } from '../engine/types.js';
import { SEVERITY_MARK } from '../render/common.js';

/** Worst first; skip stands outside the verdicts and comes last. */
export const SEVERITY_RANK: Record<Severity, number> = { fail: 0, warn: 1, info: 2, pass: 3, skip: 4 };

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span class={`badge sev-${severity}`}>
      <span aria-hidden="true">{SEVERITY_MARK[severity]}</span> {severity}
    </span>
  );
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
