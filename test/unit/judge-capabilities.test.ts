// Every verdict row of the capability matrix, judged from facts alone: no network.
import { describe, expect, it } from 'vitest';
import { judgeCapabilities, type CapabilitiesFacts } from '../../src/plugins/integration/oci/capabilities.js';

const yes = { supported: true };
const no = { supported: false };

function facts(
  over: Partial<CapabilitiesFacts> = {},
  probes: Partial<CapabilitiesFacts['probes']> = {},
): CapabilitiesFacts {
  return {
    host: 'r.example',
    registryUrl: 'https://r.example',
    apiVersion: 'registry/2.0',
    probes: { referrers: yes, chunked_upload: yes, mount: yes, delete: yes, ...probes },
    observed: { upload_status_code: 202 },
    isAnonymous: false,
    reproduce: [
      { environment: 'any', description: 'See which methods', command: 'curl -sS -i -X OPTIONS …', safe: true },
    ],
    ...over,
  };
}

const descriptions = (f: CapabilitiesFacts): string[] =>
  (judgeCapabilities(f).remediation ?? []).map((s) => `${s.environment}: ${s.description}`);

describe('judgeCapabilities', () => {
  it.each<[string, CapabilitiesFacts, string, RegExp, Record<string, unknown>]>([
    [
      'all five capabilities',
      facts(),
      'pass',
      /^r\.example supports all five probed capabilities\.$/,
      { capability_score: '5/5', has_version_header: true, is_delete_supported: true, upload_status_code: 202 },
    ],
    [
      'no referrers API',
      facts({}, { referrers: no }),
      'warn',
      /^r\.example scores 4\/5; missing or untested: referrers API\.$/,
      { capability_score: '4/5', is_referrers_supported: false },
    ],
    [
      'no distribution version header',
      facts({ apiVersion: null }),
      'info',
      /^r\.example scores 4\/5; missing or untested: distribution version header\.$/,
      { has_version_header: false, api_version: null },
    ],
    [
      'deletes switched off and no mount',
      facts({}, { delete: { supported: false, isDisabledByConfiguration: true }, mount: no }),
      'info',
      /^r\.example scores 3\/5; missing or untested: cross-repository mount, delete\.$/,
      { is_mount_supported: false, is_delete_supported: false },
    ],
    [
      'write probes untested without credentials',
      facts(
        { isAnonymous: true },
        {
          chunked_upload: { supported: false, untested: 'needs credentials' },
          mount: { supported: false, untested: 'needs credentials' },
        },
      ),
      'info',
      /^r\.example scores 3\/5; missing or untested: chunked upload, cross-repository mount\.$/,
      { capabilities_untested: ['chunked_upload: needs credentials', 'mount: needs credentials'] },
    ],
  ])('%s', (_name, input, severity, diagnosis, evidence) => {
    const outcome = judgeCapabilities(input);
    expect(outcome.severity).toBe(severity);
    expect(outcome.diagnosis).toMatch(diagnosis);
    expect(outcome.evidence).toMatchObject(evidence);
  });

  it('names a cause for each missing capability', () => {
    const outcome = judgeCapabilities(facts({}, { referrers: no, delete: no }));
    expect(outcome.likelyCauses).toEqual([
      'referrers API: registry predates OCI 1.1',
      'delete: deletes are disabled in the registry configuration or not granted',
    ]);
  });

  it('tells how to enable deletes in every environment only when the registry says they are switched off', () => {
    const off = descriptions(facts({}, { delete: { supported: false, isDisabledByConfiguration: true } }));
    expect(off).toEqual(
      expect.arrayContaining([
        'compose: Enable deletes in the registry container',
        expect.stringMatching(/^baremetal: Enable deletes in the registry configuration/),
        'kubernetes: Enable deletes through the registry chart',
      ]),
    );
    const refused = descriptions(facts({}, { delete: no }));
    expect(refused.some((d) => d.includes('Enable deletes'))).toBe(false);
  });

  it('asks for credentials only when anonymous probes left capabilities untested', () => {
    const untested = { chunked_upload: { supported: false, untested: 'needs credentials' } };
    expect(descriptions(facts({ isAnonymous: true }, untested))).toContain(
      'any: Configure credentials (OCI:Username/OCI:Password or OCI:Token) so the write probes can run',
    );
    expect(descriptions(facts({ isAnonymous: false }, untested)).some((d) => d.includes('Configure credentials'))).toBe(
      false,
    );
  });

  it('points at the referrers fallback when the API is missing, and always ends with the replay', () => {
    const steps = descriptions(facts({}, { referrers: no }));
    expect(steps[0]).toMatch(/^any: Signatures and attestations need the referrers API or the tag-schema fallback/);
    expect(steps.at(-1)).toBe('any: See which methods');
  });
});
