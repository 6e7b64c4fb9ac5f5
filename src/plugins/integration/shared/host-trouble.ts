// The verdict when a host answered, but in a way that says nothing about what was asked: rate
// limiting (429) or trouble of its own (5xx, or another status nothing explains). One wording and
// one set of causes for every check; the check names what could not be verified.

import type { CheckOutcome, Evidence } from '../../../engine/types.js';
import { numbered, type Step } from './remediation.js';

export interface HostTrouble {
  host: string;
  status: number;
  /** What was asked, for the sentence: `the manifest request`, `an upload on team/app`. */
  request: string;
  /** What could not be verified: `pull permission`. */
  unverified: string;
  evidence: Evidence;
  reproduce: Step[];
  /** What answered, for the shared causes: `registry` (the default), `Git provider`. */
  noun?: string;
  /** Causes particular to the check, after the shared ones (not for a 429). */
  causes?: string[];
}

export const RATE_LIMIT_CAUSE =
  'A rate limit of the account or address was reached (Docker Hub limits anonymous pulls); retry_after in the ' +
  'evidence says when to try again';

/** A warning: the answer neither grants nor refuses, so the check cannot say either. */
export function hostTroubleWarning(t: HostTrouble): CheckOutcome {
  const limited = t.status === 429;
  return {
    severity: 'warn',
    diagnosis: limited
      ? `${t.host} is rate limiting this client (429 to ${t.request}); ${t.unverified} could not be verified.`
      : `${t.host} answered ${t.status} to ${t.request}; ${t.unverified} could not be verified.`,
    evidence: t.evidence,
    likelyCauses: limited
      ? [RATE_LIMIT_CAUSE]
      : [
          `The ${t.noun ?? 'registry'} or its storage backend is unhealthy`,
          `A proxy in front of the ${t.noun ?? 'registry'} answers instead of it`,
          ...(t.causes ?? []),
        ],
    remediation: numbered(t.reproduce),
  };
}
