// The hostile corpus: every OCI check against registries, token services and sockets that
// misbehave on purpose, one named misbehaviour per test. Each test states the six verdicts and the
// evidence that proves its point, and every test also proves the rules that hold for all of them:
// no internal error, the run within its timeout, no canary secret at another host (127.0.0.2) or a
// downgraded plain-HTTP origin, and none in the text or JSON report. Cases marked with an issue-9
// defect number reproduce that defect. Peak memory and the credential helper run the real CLI:
// test/integration/hostile-memory.test.ts.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ANONYMOUS_TOKEN,
  BEHAVIOURS,
  CANARY,
  RAW_BEHAVIOURS,
  startRawFake,
  type BehaviourName,
  type HostileWorld,
  type RawBehaviourName,
  type RawFake,
} from '../fakes/hostile-registry.js';
import { FAKE_DIGEST } from '../fakes/oci11-registry.js';
import { ALL_OCI, doctor } from './doctor.js';
import {
  expectBoundedVerdicts,
  expectCleanReport,
  expectNoLeak,
  expectVerdicts,
  MEASURED_IN_CLI,
  removeTempDir,
  resultsByKey,
  runAgainst,
  settingsFor,
  type CheckKey,
  type Credentials,
  type HostileRun,
} from './hostile.js';

const worlds: HostileWorld[] = [];
const raws: RawFake[] = [];
afterAll(async () => {
  await Promise.all([...worlds, ...raws].map((f) => f.close()));
  removeTempDir();
});

/** Origins named at the start of expected evidence strings: `$other` (127.0.0.2), `$plain` (the downgraded origin), `$self`. */
type Placeholder = '$other' | '$plain' | '$self';

interface Case {
  behaviour: BehaviourName;
  /** What the test proves, after the behaviour's name. */
  proves: string;
  /** The issue-9 defect it reproduces, by number. */
  defect?: number;
  credentials?: Credentials;
  /** Severities of registry, credentials, pull, push, referrers, capabilities; `a|b` allows either. */
  verdicts: string;
  evidence?: Partial<Record<CheckKey, Record<string, unknown>>>;
  /** What else the fakes' logs must show. */
  also?: (run: HostileRun) => void;
}

const ALL_PASS = 'pass pass pass pass pass pass';
/** Neither true nor an invented claim: the credentials were not shown to be valid. */
const NOT_VALID = expect.toBeOneOf([false, null]);

function withOrigins(evidence: Record<string, unknown>, world: HostileWorld): Record<string, unknown> {
  const origins: Record<Placeholder, string> = {
    $other: world.other.origin,
    $plain: world.plain.origin,
    $self: world.registry.origin,
  };
  const resolve = (value: unknown): unknown =>
    typeof value === 'string'
      ? value.replace(/^\$(other|plain|self)/, (placeholder) => origins[placeholder as Placeholder])
      : value;
  return Object.fromEntries(Object.entries(evidence).map(([key, value]) => [key, resolve(value)]));
}

/** Requests the registry fake received, as `METHOD path` with the Authorization scheme and whether it was the canary's. */
const requestsTo = (run: HostileRun, path: RegExp) => run.world.registry.log.filter((r) => path.test(r.url));
const tokenRequests = (run: HostileRun) => requestsTo(run, /^\/(auth\/)?token/);

const CASES: Case[] = [
  // Controls: the fakes behave, the checks pass, and the logs show where the credentials went.
  {
    behaviour: 'well-behaved-basic',
    proves: 'every check passes and the Basic credential reaches the registry, and only it',
    verdicts: ALL_PASS,
    evidence: {
      credentials: { credentials_valid: true },
      push: { is_upload_cancelled: true },
      capabilities: { capability_score: '5/5' },
    },
    also: (run) =>
      expect(requestsTo(run, /^\/v2\//).some((r) => r.headers.authorization?.startsWith('Basic '))).toBe(true),
  },
  {
    behaviour: 'well-behaved-token',
    proves: 'every check passes, the password goes to the realm once and the issued token to the registry',
    verdicts: ALL_PASS,
    evidence: { credentials: { credentials_valid: true, token_exchange: 'ok', is_token_anonymous: false } },
    also: (run) => {
      expect(tokenRequests(run).filter((r) => r.headers.authorization?.startsWith('Basic '))).toHaveLength(1);
      expect(requestsTo(run, /^\/v2\/.+/).every((r) => r.headers.authorization === `Bearer ${CANARY.token}`)).toBe(
        true,
      );
    },
  },

  // WWW-Authenticate
  {
    behaviour: 'challenge-malformed',
    proves: 'an unparseable challenge is reported and the credentials are "cannot verify"',
    verdicts: 'pass warn fail fail warn warn',
    evidence: { credentials: { token_exchange: 'unreachable', challenge_parse_error: expect.any(String) } },
  },
  {
    behaviour: 'challenge-empty',
    proves: 'a 401 with an empty challenge rejects the credentials without a token request',
    verdicts: 'pass fail fail fail warn warn',
    evidence: {
      registry: { is_auth_required: true, auth_scheme: null },
      credentials: { credentials_valid: false, token_exchange: 'not_attempted' },
    },
    also: (run) => expect(tokenRequests(run)).toEqual([]),
  },
  {
    behaviour: 'challenge-1-mib',
    proves: 'a 1 MiB header is refused as a connection failure by every check',
    verdicts: 'fail fail fail fail fail fail',
    evidence: {
      registry: { status_code: null, error_class: expect.any(String), error_message: expect.stringMatching(/header/i) },
    },
  },
  {
    behaviour: 'challenge-basic-and-bearer',
    proves: 'of a Basic and a Bearer challenge the token flow is taken and the password goes only to the realm',
    verdicts: ALL_PASS,
    evidence: { credentials: { token_exchange: 'ok', auth_method: 'basic' } },
    also: (run) =>
      expect(requestsTo(run, /^\/v2\//).some((r) => r.headers.authorization?.startsWith('Basic '))).toBe(false),
  },
  {
    behaviour: 'challenge-duplicated',
    proves: 'a repeated challenge leads to one token request and passing checks',
    verdicts: ALL_PASS,
    evidence: { credentials: { token_exchange: 'ok', credentials_valid: true } },
    also: (run) => expect(tokenRequests(run)).toHaveLength(1),
  },
  ...(['realm-not-a-url', 'realm-javascript', 'realm-file', 'realm-data'] as const).map((behaviour): Case => ({
    behaviour,
    proves: 'a realm that is not an http(s) URL is "cannot verify", nothing is fetched from it and no token is made up',
    verdicts: 'pass warn fail fail warn warn',
    evidence: { credentials: { token_exchange: 'unreachable', credentials_valid: null } },
    also: (run) => {
      expect(run.world.registry.log.every((r) => r.url.startsWith('/v2/'))).toBe(true);
      expect(run.world.registry.log.some((r) => r.headers.authorization === `Bearer ${ANONYMOUS_TOKEN}`)).toBe(false);
    },
  })),

  // Token services
  ...(['token-not-json', 'token-without-token-fields', 'token-endless'] as const).map((behaviour): Case => ({
    behaviour,
    proves: 'a token answer without a usable token is "cannot verify"',
    verdicts: 'pass warn fail fail warn warn',
    evidence: { credentials: { token_exchange: 'unreachable', token_status_code: 200, credentials_valid: null } },
  })),
  {
    behaviour: 'token-rate-limited',
    proves: 'a token service answering 429 is "cannot verify", not rejected credentials',
    verdicts: 'pass warn fail fail warn warn',
    evidence: { credentials: { token_exchange: 'unreachable', token_status_code: 429, credentials_valid: null } },
  },
  {
    behaviour: 'token-expires-in-not-a-number',
    proves: 'a lifetime that is not a number falls back to the 60 s default',
    verdicts: ALL_PASS,
    evidence: { credentials: { token_exchange: 'ok', token_expires_in_seconds: 60 } },
  },
  ...(['token-expires-in-1e20', 'token-issued-at-largest-date'] as const).map((behaviour): Case => ({
    behaviour,
    defect: 6,
    proves: 'a lifetime beyond the calendar still gives verdicts, not "Invalid time value"',
    verdicts: ALL_PASS,
    evidence: { credentials: { token_exchange: 'ok', credentials_valid: true } },
  })),
  ...(['jwt-payload-not-base64', 'jwt-payload-not-json'] as const).map((behaviour): Case => ({
    behaviour,
    proves: 'a token whose JWT payload cannot be decoded is used as an opaque token',
    verdicts: ALL_PASS,
    evidence: { credentials: { token_exchange: 'ok', granted_actions: null }, pull: { granted_actions: null } },
  })),
  {
    behaviour: 'jwt-payload-wrong-types',
    proves: 'JWT claims of the wrong types grant nothing and break nothing',
    verdicts: ALL_PASS,
    evidence: { credentials: { token_exchange: 'ok', granted_actions: [] } },
  },
  {
    behaviour: 'jwt-exp-out-of-range',
    proves: 'an exp beyond the calendar is ignored, the token lifetime comes from expires_in',
    verdicts: ALL_PASS,
    evidence: { credentials: { token_exchange: 'ok', token_expires_in_seconds: 300 } },
  },
  {
    behaviour: 'token-get-405-post-redirected-cross-host',
    defect: 1,
    proves: 'the password of the OAuth2 POST is not re-sent to another host, and the evidence says so',
    verdicts: 'pass warn|fail pass|fail fail pass|warn info|warn',
    evidence: { credentials: { credentials_valid: NOT_VALID, credentials_withheld_from: '$other' } },
  },
  {
    behaviour: 'token-get-405-post-redirected-cross-host',
    defect: 1,
    credentials: 'identity-token',
    proves: 'the refresh token of the OAuth2 POST is not re-sent to another host, and the evidence says so',
    verdicts: 'pass warn|fail pass|fail fail pass|warn info|warn',
    evidence: { credentials: { credentials_valid: NOT_VALID, credentials_withheld_from: '$other' } },
  },
  ...(
    [
      ['token-realm-redirected-cross-host', '$other'],
      ['token-realm-redirected-to-http', '$plain'],
    ] as const
  ).map(([behaviour, withheldFrom]): Case => ({
    behaviour,
    defect: 12,
    proves: 'an anonymous token got after the credentials were withheld from the redirect does not make them valid',
    verdicts: 'pass warn|fail pass|fail fail pass|warn info|warn',
    evidence: { credentials: { credentials_valid: NOT_VALID, credentials_withheld_from: withheldFrom } },
  })),
  {
    behaviour: 'token-realm-redirected-same-origin',
    proves: 'a realm redirect within its origin keeps the credentials and the token flow works',
    verdicts: ALL_PASS,
    evidence: { credentials: { token_exchange: 'ok', credentials_valid: true, is_token_anonymous: false } },
    also: (run) =>
      expect(requestsTo(run, /^\/auth\/token/).map((r) => r.headers.authorization?.slice(0, 6))).toEqual(['Basic ']),
  },

  // Upload sessions and mounts
  ...(
    [
      ['upload-location-cross-host-basic', '$other', 'Basic credential'],
      ['upload-location-cross-host-bearer', '$other', 'issued token'],
      ['upload-location-downgraded-to-http', '$plain', 'Basic credential of an https registry'],
    ] as const
  ).map(([behaviour, withheldFrom, secret]): Case => ({
    behaviour,
    defect: 2,
    proves: `cancelling the upload does not send the ${secret} to the origin its Location names`,
    verdicts: ALL_PASS,
    evidence: { push: { status_code: 202, credentials_withheld_from: withheldFrom } },
  })),
  ...(
    [
      ['mount-location-cross-host', '$other'],
      ['mount-location-downgraded-to-http', '$plain'],
    ] as const
  ).map(([behaviour, withheldFrom]): Case => ({
    behaviour,
    defect: 2,
    proves: 'cancelling the upload a mount opened does not send the credential to the origin its Location names',
    verdicts: 'pass pass pass pass pass info',
    evidence: {
      capabilities: { mount_status_code: 202, is_mount_supported: false, credentials_withheld_from: withheldFrom },
    },
  })),
  {
    behaviour: 'upload-location-absolute-same-origin',
    proves: 'an absolute Location on the registry origin is cancelled with the credential',
    verdicts: ALL_PASS,
    evidence: { push: { is_upload_cancelled: true, cancel_status_code: 204 } },
    also: (run) =>
      expect(requestsTo(run, /session-abs$/).map((r) => [r.method, r.headers.authorization?.slice(0, 6)])).toEqual([
        ['DELETE', 'Basic '],
      ]),
  },
  {
    behaviour: 'upload-redirected-then-relative-location',
    defect: 3,
    proves: 'a relative Location is resolved against the URL that answered the redirected POST',
    verdicts: ALL_PASS,
    evidence: { push: { is_upload_cancelled: true, cancel_status_code: 204 } },
    also: (run) =>
      expect(requestsTo(run, /session-m$/).map((r) => `${r.method} ${r.url}`)).toEqual([
        'DELETE /mirror/v2/hostile/push-probe/blobs/uploads/session-m',
      ]),
  },
  {
    behaviour: 'upload-location-malformed',
    proves: 'an unparseable upload Location leaves the session to expire and says why',
    verdicts: ALL_PASS,
    evidence: { push: { status_code: 202, is_upload_cancelled: false, cancel_note: expect.any(String) } },
  },
  {
    behaviour: 'upload-location-javascript',
    proves: 'a javascript: upload Location is never requested and the session is left to expire',
    verdicts: ALL_PASS,
    evidence: { push: { status_code: 202, is_upload_cancelled: false, cancel_note: expect.any(String) } },
  },
  {
    behaviour: 'upload-location-huge',
    proves: 'a 12 KiB upload Location on the registry origin is cancelled',
    verdicts: ALL_PASS,
    evidence: { push: { is_upload_cancelled: true } },
  },
  {
    behaviour: 'upload-without-location',
    defect: 13,
    proves: 'a 202 without Location is no upload session: push is not verified, chunked upload not counted',
    verdicts: 'pass pass pass warn pass info',
    evidence: {
      push: { status_code: 202, is_upload_cancelled: false },
      capabilities: { is_chunked_upload_supported: false },
    },
    also: (run) => expect(run.byKey.push.diagnosis).toContain('no Location header'),
  },
  {
    behaviour: 'mount-bare-201',
    defect: 13,
    proves: 'a bare 201 without Location or digest is not a cross-repository mount',
    verdicts: 'pass pass pass pass pass info',
    evidence: { capabilities: { mount_status_code: 201, is_mount_supported: false } },
  },

  // Redirects
  ...(['redirect-loop', 'redirect-chain-too-long'] as const).map((behaviour): Case => ({
    behaviour,
    proves: 'endless redirects of the manifest are named, not followed',
    verdicts: 'pass pass fail pass fail fail',
    evidence: { pull: { error_class: 'redirect' }, referrers: { error_class: 'redirect' } },
  })),
  {
    behaviour: 'redirect-chain-same-origin',
    proves: 'a chain of three same-origin redirects is followed with the credential',
    verdicts: ALL_PASS,
    evidence: { pull: { status_code: 200, manifest_digest: FAKE_DIGEST } },
    also: (run) =>
      expect(requestsTo(run, /\/hop\/hop\/hop$/).every((r) => r.headers.authorization?.startsWith('Basic '))).toBe(
        true,
      ),
  },
  {
    behaviour: 'v2-location-unparseable',
    defect: 7,
    proves: 'an unparseable Location on /v2/ is a verdict, not an internal error',
    verdicts: 'warn|fail warn|fail pass pass pass pass',
  },
  ...(
    [
      ['v2-location-cross-host', '$other'],
      ['v2-location-downgraded-to-http', '$plain'],
    ] as const
  ).map(([behaviour, withheldFrom]): Case => ({
    behaviour,
    proves:
      'a /v2/ redirect to another origin is a warning, and the credentials withheld from it are not called rejected',
    verdicts: 'warn warn|fail pass pass pass pass',
    evidence: {
      registry: { redirect_location: `${withheldFrom}/v2/` },
      credentials: { credentials_valid: null, credentials_withheld_from: withheldFrom },
    },
    also: (run) => expect(run.byKey.credentials.diagnosis).not.toMatch(/rejected/),
  })),
  {
    behaviour: 'v2-location-relative',
    proves: 'a relative /v2/ redirect is reported with the absolute URL it names',
    verdicts: 'warn warn pass pass pass pass',
    evidence: {
      registry: {
        status_code: 301,
        redirect_location: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/registry\/v2\/$/),
      },
    },
  },
  {
    behaviour: 'v2-location-huge',
    proves: 'a 15 KiB /v2/ Location is reported, not a crash',
    verdicts: 'warn warn pass pass pass pass',
    evidence: { registry: { status_code: 302, redirect_location: expect.stringContaining('v'.repeat(1024)) } },
  },
  {
    behaviour: 'manifest-location-unparseable',
    defect: 7,
    proves: 'an unparseable Location on the manifest is a verdict, not an internal error',
    verdicts: 'pass pass fail|warn pass fail|warn fail|warn|info',
  },
  ...(
    [
      ['manifest-location-cross-host', '$other'],
      ['manifest-location-downgraded-to-http', '$plain'],
    ] as const
  ).map(([behaviour, withheldFrom]): Case => ({
    behaviour,
    proves:
      'a manifest redirect to another origin gets no credential, the evidence says so and the 401 there is not called a rejection',
    verdicts: 'pass pass warn|fail pass warn warn',
    evidence: { pull: { status_code: 401, credentials_withheld_from: withheldFrom } },
    also: (run) => expect(run.byKey.pull.diagnosis).not.toMatch(/rejected the credentials/),
  })),

  // Answers that are not what they claim
  {
    behaviour: 'everything-200',
    defect: 13,
    proves: 'an empty 200 without digest is no pullable manifest, no mount and no delete',
    verdicts: 'pass pass warn|fail|info warn warn warn',
    evidence: {
      capabilities: { is_mount_supported: false, is_delete_supported: false, is_chunked_upload_supported: false },
    },
  },
  {
    behaviour: 'everything-201',
    defect: 13,
    proves: 'an empty 201 is no pullable manifest and its empty body names no digest',
    verdicts: 'warn warn warn|fail|info warn warn warn',
    evidence: { capabilities: { is_mount_supported: false, is_delete_supported: false } },
    also: (run) =>
      expect(run.byKey.referrers.evidence.subject_digest).not.toBe(
        `sha256:${createHash('sha256').update('').digest('hex')}`,
      ),
  },
  {
    behaviour: 'everything-404',
    defect: 13,
    proves: 'a server answering 404 to everything supports no delete',
    verdicts: 'warn warn info warn info warn',
    evidence: { capabilities: { is_delete_supported: false, capability_score: expect.stringMatching(/^[01]\/5$/) } },
  },
  {
    behaviour: 'everything-429-retry-after',
    proves: 'a 429 with Retry-After: 3600 is reported at once, not waited out',
    verdicts: 'warn warn warn warn warn warn',
    evidence: { registry: { status_code: 429, retry_after: '3600' }, pull: { status_code: 429, retry_after: '3600' } },
  },
  {
    behaviour: 'everything-429-retry-after-date',
    proves: 'a 429 with a Retry-After date decades away is reported as given, not waited out',
    verdicts: 'warn warn warn warn warn warn',
    evidence: { registry: { status_code: 429, retry_after: 'Wed, 21 Oct 2099 07:28:00 GMT' } },
  },
  {
    behaviour: 'everything-429-no-retry-after',
    proves: 'a 429 without Retry-After is "rate limited" and reports no retry time',
    verdicts: 'warn warn warn warn warn warn',
    evidence: { pull: { status_code: 429 }, push: { status_code: 429 } },
    also: (run) => expect(run.byKey.pull.evidence).not.toHaveProperty('retry_after'),
  },
  {
    behaviour: 'manifest-html-200',
    defect: 13,
    proves: 'an HTML page answered 200 without digest is not a pullable manifest',
    verdicts: 'pass pass warn|fail|info pass pass|warn info|warn',
    evidence: { pull: { content_type: 'text/html', manifest_digest: null } },
  },
  {
    behaviour: 'referrers-html-200',
    proves: 'an HTML page answered 200 to the referrers query is no referrers API',
    verdicts: 'pass pass pass pass warn warn',
    evidence: {
      referrers: { status_code: 200, is_referrers_supported: false },
      capabilities: { is_referrers_supported: false },
    },
  },
  {
    behaviour: 'errors-as-html',
    proves: 'HTML error pages are read by status, with no registry error code',
    verdicts: 'pass pass info warn info warn',
    evidence: { pull: { status_code: 404, registry_error_code: null }, push: { status_code: 404 } },
  },
  {
    behaviour: 'body-endless',
    proves: 'endless bodies are cut and every check still answers; a JSON body without a digest is no manifest',
    verdicts: 'pass pass warn warn warn warn',
    evidence: { registry: { status_code: 200 } },
  },
];

describe.concurrent('hostile registries', () => {
  it('covers every behaviour of the fake, here or through the CLI', () => {
    const covered = new Set([...CASES.map((c) => c.behaviour), ...MEASURED_IN_CLI]);
    expect(Object.keys(BEHAVIOURS).filter((name) => !covered.has(name as BehaviourName))).toEqual([]);
  });

  it.each(
    CASES.map(
      (c) =>
        [
          `${c.behaviour}${c.credentials === 'identity-token' ? ' (refresh token)' : ''}${c.defect ? ` [defect ${c.defect}]` : ''}: ${c.proves}`,
          c,
        ] as const,
    ),
  )('%s', async (_name, c) => {
    const run = await runAgainst(c.behaviour, worlds, { credentials: c.credentials });

    await expectNoLeak(run);
    expectBoundedVerdicts(run);
    expectVerdicts(run.byKey, c.verdicts);
    for (const [key, evidence] of Object.entries(c.evidence ?? {}) as Array<[CheckKey, Record<string, unknown>]>) {
      expect(run.byKey[key].evidence, key).toMatchObject(withOrigins(evidence, run.world));
    }
    c.also?.(run);
  });
});

interface RawCase {
  behaviour: RawBehaviourName;
  proves: string;
  verdicts: string;
  registryEvidence: Record<string, unknown>;
}

const RAW_CASES: RawCase[] = [
  {
    behaviour: 'silent',
    proves: 'a server that accepts and never answers fails every check at the deadline',
    verdicts: 'fail fail fail fail fail fail',
    registryEvidence: { error_class: 'timeout' },
  },
  {
    behaviour: 'trickling-headers',
    proves: 'headers trickled a byte at a time are cut at the deadline',
    verdicts: 'fail fail fail fail fail fail',
    registryEvidence: { error_class: 'timeout' },
  },
  {
    behaviour: 'trickling-body',
    proves: 'a body trickled a byte at a time is cut at the deadline',
    verdicts: 'fail fail fail fail fail fail',
    registryEvidence: { error_class: 'timeout' },
  },
  {
    behaviour: 'closed-mid-headers',
    proves: 'a connection closed in the middle of the headers is a connection failure',
    verdicts: 'fail fail fail fail fail fail',
    registryEvidence: { error_class: expect.any(String), status_code: null },
  },
  {
    behaviour: 'status-line-not-a-number',
    proves: 'a status line with a non-numeric code is a connection failure',
    verdicts: 'fail fail fail fail fail fail',
    registryEvidence: { error_class: expect.any(String), status_code: null },
  },
  {
    behaviour: 'status-line-missing',
    proves: 'an answer without a status line is a connection failure',
    verdicts: 'fail fail fail fail fail fail',
    registryEvidence: { error_class: expect.any(String), status_code: null },
  },
  {
    behaviour: 'status-code-999',
    proves: 'status 999 is an unexpected answer, not a success or a crash',
    verdicts: 'warn warn warn warn warn warn',
    registryEvidence: { status_code: 999 },
  },
  {
    behaviour: 'reset-on-request',
    proves: 'a reset as the request arrives is named a reset',
    verdicts: 'fail fail fail fail fail fail',
    registryEvidence: { error_class: 'reset' },
  },
];

describe.concurrent('hostile sockets', () => {
  it('covers every raw behaviour', () => {
    expect(RAW_CASES.map((c) => c.behaviour).sort()).toEqual(Object.keys(RAW_BEHAVIOURS).sort());
  });

  it.each(RAW_CASES.map((c) => [`${c.behaviour}: ${c.proves}`, c] as const))('%s', async (_name, c) => {
    const fake = await startRawFake(c.behaviour);
    raws.push(fake);
    const timeoutMs = 2000;
    const started = Date.now();
    const report = await doctor({ settings: settingsFor(fake.url, 'password'), checks: ALL_OCI, timeoutMs });
    const elapsedMs = Date.now() - started;
    const byKey = resultsByKey(report);

    expectVerdicts(byKey, c.verdicts);
    expect(byKey.registry.evidence).toMatchObject(c.registryEvidence);
    expect(fake.received.length).toBeGreaterThan(0);
    expectBoundedVerdicts({ report, elapsedMs, timeoutMs });
    await expectCleanReport(report);
  });
});
