// One wording for "the host answered, but says nothing about what was asked": rate limiting or
// trouble of its own, with the check's own words for what could not be verified.
import { describe, expect, it } from 'vitest';
import {
  RATE_LIMIT_CAUSE,
  hostTroubleWarning,
  type HostTrouble,
} from '../../src/plugins/integration/shared/host-trouble.js';

const trouble = (status: number, causes?: string[]): HostTrouble => ({
  host: 'r.example',
  status,
  request: 'the manifest request',
  unverified: 'pull permission',
  evidence: { status_code: status },
  reproduce: [{ environment: 'any', description: 'Repeat it', command: 'curl …', safe: true }],
  ...(causes ? { causes } : {}),
});

describe('hostTroubleWarning', () => {
  it('calls a 429 rate limiting, with the rate limit as the one cause', () => {
    const outcome = hostTroubleWarning(trouble(429, ['The registry is in read-only mode']));

    expect(outcome).toMatchObject({
      severity: 'warn',
      diagnosis:
        'r.example is rate limiting this client (429 to the manifest request); pull permission could not be verified.',
      likelyCauses: [RATE_LIMIT_CAUSE],
    });
  });

  it("calls another status the host's own trouble, with the check's causes after the shared ones", () => {
    const outcome = hostTroubleWarning(trouble(503, ['The registry is in read-only mode']));

    expect(outcome.diagnosis).toBe(
      'r.example answered 503 to the manifest request; pull permission could not be verified.',
    );
    expect(outcome.likelyCauses).toEqual([
      'The registry or its storage backend is unhealthy',
      'A proxy in front of the registry answers instead of it',
      'The registry is in read-only mode',
    ]);
    expect(outcome.remediation).toEqual([
      { order: 1, environment: 'any', description: 'Repeat it', command: 'curl …', safe: true },
    ]);
  });
});
