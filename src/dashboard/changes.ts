// "New since the previous run" and "fixed since the previous run": each result is compared with its
// own check's newest earlier verdict (from the check's history route), not with the previous run,
// which may not have run that check.

import type { Severity } from '../engine/types.js';

export type Change = 'new' | 'fixed';

interface Verdict {
  runId: string;
  severity: Severity;
  startedAt: string;
}

/** The newest verdict in `history` (newest first) from another run, earlier than `startedAt`. */
export function previousVerdict<T extends Verdict>(
  runId: string,
  startedAt: string,
  history: readonly T[] | undefined,
): T | undefined {
  return history?.find((v) => v.runId !== runId && v.startedAt < startedAt);
}

/** How bad a verdict is as a problem: fail 2, warn 1, anything else 0. */
function problemLevel(severity: Severity): number {
  return severity === 'fail' ? 2 : severity === 'warn' ? 1 : 0;
}

/**
 * "new" when the check reports a worse problem than its previous verdict (pass → warn, warn → fail);
 * "fixed" when a previous problem is now a pass or info (a skip verifies nothing, so it fixes nothing).
 */
export function changeSincePrevious(now: Severity, previous: Severity | undefined): Change | null {
  if (previous === undefined) return null;
  if (problemLevel(now) > problemLevel(previous)) return 'new';
  if (problemLevel(previous) > 0 && (now === 'pass' || now === 'info')) return 'fixed';
  return null;
}
