// Pull, push, referrers and capabilities against the real registries of the harness (open,
// htpasswd, token with an all-powerful, a pull-only, a push-without-delete and a no-rights user,
// anonymous; test image present and missing; deletes enabled and disabled), and against named
// fakes only for the rows no real registry here produces (403 on push, 429, 5xx, the OCI 1.1
// referrers API, a mount answered with 202).
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTestEnv, type RegistryName, type UserName } from '../harness/test-env.js';
import { startHungRegistry } from '../fakes/hung-registry.js';
import type { Running } from '../fakes/listen.js';
import { FAKE_DIGEST, startOci11Registry, type Oci11Options } from '../fakes/oci11-registry.js';
import { startStatusRegistry } from '../fakes/status-registry.js';
import { ALL_OCI, CHECK, check, doctor } from './doctor.js';

const env = loadTestEnv();
const fakes: Running[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

/** A push repository of its own for every run, so parallel tests never see each other's traces. */
const freshRepo = (): string => `stellaops/doctor-test-${randomBytes(4).toString('hex')}`;

function on(registry: RegistryName, user?: UserName, extra: Record<string, string> = {}): Record<string, string> {
  const settings: Record<string, string> = {
    'OCI:RegistryUrl': env.registries[registry].url,
    'OCI:CaCertificatePath': env.caCertPath,
    'OCI:PushTestRepository': freshRepo(),
    ...extra,
  };
  if (user) Object.assign(settings, { 'OCI:Username': user, 'OCI:Password': env.users[user].password });
  return settings;
}

async function fake(options: Oci11Options = {}) {
  const server = await startOci11Registry(options);
  fakes.push(server);
  return server;
}

describe('pull', () => {
  it.each([
    ['open', undefined],
    ['basic', 'admin'],
    ['token', 'admin'],
    ['token', 'puller'],
    ['token', undefined],
  ] as Array<[RegistryName, UserName | undefined]>)(
    'passes on %s as %s, with the digest of the test image',
    async (registry, user) => {
      const result = await check(CHECK.pull, on(registry, user));

      expect(result.severity).toBe('pass');
      expect(result.evidence).toMatchObject({
        status_code: 200,
        manifest_digest: env.image.manifestDigest,
        content_type: env.image.manifestMediaType,
      });
    },
  );

  it('records the granted actions of the token', async () => {
    const result = await check(CHECK.pull, on('token', 'puller'));

    expect(result.evidence.granted_actions).toContain('repository:library/alpine:pull');
  });

  it('fails naming the missing permission when the token grants nothing (distribution: 401 insufficient_scope)', async () => {
    const result = await check(CHECK.pull, on('token', 'nobody'));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('no pull permission on library/alpine');
    expect(result.evidence).toMatchObject({
      status_code: 401,
      challenge_error: 'insufficient_scope',
      registry_error_code: 'UNAUTHORIZED',
      granted_actions: [],
    });
  });

  it('fails as "credentials required" when anonymous on the htpasswd registry', async () => {
    const result = await check(CHECK.pull, on('basic'));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('requires credentials');
  });

  it('fails when the credentials are wrong', async () => {
    const result = await check(
      CHECK.pull,
      on('basic', undefined, { 'OCI:Username': 'admin', 'OCI:Password': 'not-the-password' }),
    );

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('rejected the credentials');
  });

  it.each([
    // distribution 2.8 says MANIFEST_UNKNOWN for a repository that does not exist, too.
    ['library/missing', 'latest', 'MANIFEST_UNKNOWN'],
    ['library/alpine', 'no-such-tag', 'MANIFEST_UNKNOWN'],
  ])('is info when the test image %s:%s does not exist (%s)', async (repo, tag, code) => {
    const result = await check(CHECK.pull, on('token', 'admin', { 'OCI:TestRepository': repo, 'OCI:TestTag': tag }));

    expect(result.severity).toBe('info');
    expect(result.evidence).toMatchObject({ status_code: 404, registry_error_code: code });
  });

  it.each([429, 500])('warns on %d (named fake: rate limiter / broken backend)', async (status) => {
    const server = await startStatusRegistry(status);
    fakes.push(server);

    const result = await check(CHECK.pull, { 'OCI:RegistryUrl': server.url });

    expect(result.severity).toBe('warn');
    expect(result.evidence.status_code).toBe(status);
    expect(result.evidence.retry_after).toBe(status === 429 ? '30' : undefined);
  });
});

describe('push', () => {
  it('skips without credentials', async () => {
    const result = await check(CHECK.push, on('open'));

    expect(result.severity).toBe('skip');
  });

  it.each([
    ['basic', 'admin'],
    ['token', 'admin'],
  ] as Array<[RegistryName, UserName]>)('passes on %s as %s and cancels the upload at once', async (registry, user) => {
    const result = await check(CHECK.push, on(registry, user));

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({ status_code: 202, is_upload_cancelled: true, cancel_status_code: 204 });
  });

  it('passes for a user without delete, reporting that the cancel was refused', async () => {
    const result = await check(CHECK.push, on('token', 'pusher'));

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({ is_upload_cancelled: false, cancel_status_code: 401 });
    expect(String(result.evidence.cancel_note)).toContain('purges');
  });

  it.each(['puller', 'nobody'] as UserName[])('fails for %s, naming the missing push permission', async (user) => {
    const result = await check(CHECK.push, on('token', user));

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('lack push permission');
    expect(result.evidence).toMatchObject({ status_code: 401, challenge_error: 'insufficient_scope' });
    expect(result.remediation.steps.some((s) => s.command?.includes('TOKEN=$(curl'))).toBe(true);
  });

  it('fails on 403 (named fake: registry policy denies push)', async () => {
    const server = await fake({ uploadStatus: 403 });

    const result = await check(CHECK.push, {
      'OCI:RegistryUrl': server.url,
      'OCI:Username': 'u',
      'OCI:Password': 'p-secret-1',
    });

    expect(result.severity).toBe('fail');
    expect(result.evidence).toMatchObject({ status_code: 403, registry_error_code: 'DENIED' });
  });

  it.each([
    [404, 'does not exist'],
    [429, 'rate limiting this client (429 to an upload on stellaops/doctor-test)'],
    [500, 'answered 500'],
  ])('warns on %d', async (status, text) => {
    const server = await fake({ uploadStatus: status });

    const result = await check(CHECK.push, {
      'OCI:RegistryUrl': server.url,
      'OCI:Username': 'u',
      'OCI:Password': 'p-secret-1',
    });

    expect(result.severity).toBe('warn');
    expect(result.diagnosis).toContain(text);
  });

  it('resolves a relative Location and cancels the session there', async () => {
    const server = await fake();

    const result = await check(CHECK.push, {
      'OCI:RegistryUrl': server.url,
      'OCI:Username': 'u',
      'OCI:Password': 'p-secret-1',
      'OCI:PushTestRepository': 'team/app',
    });

    expect(result.evidence.is_upload_cancelled).toBe(true);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toContain(
      'DELETE /v2/team/app/blobs/uploads/session-1?_state=opaque',
    );
  });
});

describe('referrers', () => {
  it('warns on distribution 2.8 (no referrers API) and looks for the fallback tag', async () => {
    const result = await check(CHECK.referrers, on('token', 'admin'));

    expect(result.severity).toBe('warn');
    expect(result.evidence).toMatchObject({
      status_code: 404,
      is_referrers_supported: false,
      has_fallback_tag: false,
      subject_digest: env.image.manifestDigest,
      fallback_tag: env.image.manifestDigest.replace(':', '-'),
    });
  });

  it('passes on an OCI 1.1 registry with referrers, reporting the count and filtering', async () => {
    const server = await fake({ referrers: 'index', filtering: true });

    const result = await check(CHECK.referrers, { 'OCI:RegistryUrl': server.url });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({
      is_referrers_supported: true,
      referrers_count: 1,
      has_filtering: true,
      filters_applied: 'artifactType',
      subject_digest: FAKE_DIGEST,
    });
  });

  it('passes on a 404 whose body is an empty image index', async () => {
    const server = await fake({ referrers: 'empty-404' });

    const result = await check(CHECK.referrers, { 'OCI:RegistryUrl': server.url });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({ referrers_count: 0, has_filtering: false });
  });

  it.each(['405', '400', 'plain-404'] as const)(
    'warns on %s and finds the fallback tag when it exists',
    async (mode) => {
      const server = await fake({ referrers: mode, fallbackTag: true });

      const result = await check(CHECK.referrers, { 'OCI:RegistryUrl': server.url });

      expect(result.severity).toBe('warn');
      expect(result.evidence).toMatchObject({ is_referrers_supported: false, has_fallback_tag: true });
    },
  );

  it.each(['500', '401'] as const)('warns when the referrers query is answered %s (cannot verify)', async (mode) => {
    const server = await fake({ referrers: mode });

    const result = await check(CHECK.referrers, { 'OCI:RegistryUrl': server.url });

    expect(result.severity).toBe('warn');
    expect(result.evidence.status_code).toBe(Number(mode));
    expect(result.evidence.is_referrers_supported).toBeUndefined();
  });

  it('hashes the manifest body when the registry sends no Docker-Content-Digest', async () => {
    const server = await fake({ omitDigestHeader: true });

    const result = await check(CHECK.referrers, { 'OCI:RegistryUrl': server.url });

    expect(result.evidence).toMatchObject({ subject_digest: FAKE_DIGEST, digest_source: 'body' });
  });

  it('is info when the test image is missing', async () => {
    const result = await check(CHECK.referrers, on('open', undefined, { 'OCI:TestRepository': 'library/missing' }));

    expect(result.severity).toBe('info');
  });

  it('warns when the test image cannot be read (no pull access)', async () => {
    const result = await check(CHECK.referrers, on('token', 'nobody'));

    expect(result.severity).toBe('warn');
    expect(result.evidence.manifest_status_code).toBe(401);
  });
});

describe('capabilities', () => {
  it('scores 4/5 on distribution with deletes enabled: mount really mounts and is unlinked, deletes really work', async () => {
    const result = await check(CHECK.capabilities, on('token', 'admin'));

    expect(result.severity).toBe('warn');
    expect(result.evidence).toMatchObject({
      capability_score: '4/5',
      has_version_header: true,
      is_referrers_supported: false,
      is_chunked_upload_supported: true,
      is_mount_supported: true,
      is_mount_unlinked: true,
      mount_status_code: 201,
      is_delete_supported: true,
      allow_lists_delete: true,
      delete_probe_status_code: 404,
      capabilities_untested: [],
    });
    expect([env.image.layerDigest, env.image.configDigest]).toContain(result.evidence.mount_blob_digest);
  });

  it('tells "Allow lists DELETE" from "deletes really enabled" with deletes disabled', async () => {
    const result = await check(CHECK.capabilities, on('tokenNoDelete', 'admin'));

    expect(result.evidence).toMatchObject({
      capability_score: '3/5',
      allow_lists_delete: true,
      is_delete_supported: false,
      delete_probe_status_code: 405,
      delete_probe_error_code: 'UNSUPPORTED',
      is_mount_supported: true,
      is_mount_unlinked: false,
      unlink_status_code: 405,
    });
    expect(
      result.remediation.steps.some(
        (s) => s.environment === 'kubernetes' && s.command?.includes('storage.delete.enabled=true'),
      ),
    ).toBe(true);
  });

  it('runs the write probes on an open registry without credentials', async () => {
    const result = await check(CHECK.capabilities, on('openNoDelete'));

    expect(result.evidence).toMatchObject({
      capability_score: '3/5',
      is_chunked_upload_supported: true,
      is_mount_supported: true,
      is_delete_supported: false,
    });
  });

  it('lists the probes it could not run without credentials', async () => {
    const result = await check(CHECK.capabilities, on('token'));

    expect(result.evidence.capabilities_untested).toEqual(
      expect.arrayContaining([expect.stringMatching(/^chunked_upload: /), expect.stringMatching(/^mount: /)]),
    );
    expect(result.evidence.is_chunked_upload_supported).toBe(false);
  });

  it('scores 5/5 on an OCI 1.1 registry (named fake) and passes', async () => {
    const server = await fake({ referrers: 'index', filtering: true });

    const result = await check(CHECK.capabilities, { 'OCI:RegistryUrl': server.url });

    expect(result.severity).toBe('pass');
    expect(result.evidence.capability_score).toBe('5/5');
  });

  it('reports a 202 answer to a mount as "not mounted", with the reason, and cancels that session', async () => {
    const server = await fake({ referrers: 'index', mountStatus: 202 });

    const result = await check(CHECK.capabilities, { 'OCI:RegistryUrl': server.url });

    expect(result.severity).toBe('info');
    expect(result.evidence).toMatchObject({ is_mount_supported: false, mount_status_code: 202 });
    expect(String(result.evidence.mount_note)).toContain('opened a plain upload instead of mounting');
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toContain(
      'DELETE /v2/stellaops/doctor-test/blobs/uploads/mount-fallback',
    );
  });
});

describe('the whole suite', () => {
  it('against a server that never answers ends at the timeout, once, not once per check', async () => {
    const hung = await startHungRegistry();
    fakes.push(hung);
    const started = Date.now();

    const report = await doctor({
      settings: { 'OCI:RegistryUrl': hung.url, 'OCI:Username': 'u', 'OCI:Password': 'p-secret-1' },
      checks: ALL_OCI,
      timeoutMs: 1000,
    });

    expect(Date.now() - started).toBeLessThan(2500);
    expect(report.results.map((r) => r.severity)).toEqual(ALL_OCI.map(() => 'fail'));
    expect(hung.connections()).toBe(1);
  });
});

describe('remediation', () => {
  it('every warn and fail carries steps for compose, bare metal and Kubernetes, and a runbook and verification command', async () => {
    const status = await startStatusRegistry(500);
    const referrers = await fake({ referrers: '405', uploadStatus: 403 });
    fakes.push(status);
    const runs = await Promise.all([
      doctor({ settings: on('token', 'nobody'), checks: ALL_OCI }),
      doctor({ settings: on('token', 'puller'), checks: ALL_OCI }),
      doctor({ settings: on('tokenDeadRealm', 'admin'), checks: ALL_OCI }),
      doctor({
        settings: on('basic', undefined, { 'OCI:Username': 'admin', 'OCI:Password': 'wrong-Pass-9' }),
        checks: ALL_OCI,
      }),
      doctor({ settings: on('basic', undefined, { 'OCI:CaCertificatePath': '' }), checks: ALL_OCI }),
      doctor({ settings: on('openNoDelete', undefined, { 'OCI:TestRepository': 'library/missing' }), checks: ALL_OCI }),
      doctor({
        settings: { 'OCI:RegistryUrl': status.url, 'OCI:Username': 'u', 'OCI:Password': 'p-secret-1' },
        checks: ALL_OCI,
      }),
      doctor({
        settings: { 'OCI:RegistryUrl': referrers.url, 'OCI:Username': 'u', 'OCI:Password': 'p-secret-1' },
        checks: ALL_OCI,
      }),
    ]);
    const flagged = runs.flatMap((r) => r.results).filter((r) => r.severity === 'warn' || r.severity === 'fail');

    expect(flagged.length).toBeGreaterThan(20);
    for (const result of flagged) {
      const environments = new Set(result.remediation.steps.map((s) => s.environment));
      expect([...environments], `${result.checkId}: ${result.diagnosis}`).toEqual(
        expect.arrayContaining(['compose', 'baremetal', 'kubernetes']),
      );
      expect(result.remediation.steps.map((s) => s.order)).toEqual(result.remediation.steps.map((_, i) => i + 1));
      expect(result.likelyCauses.length).toBeGreaterThan(0);
      expect(result.remediation.runbookUrl).toMatch(/registry-[a-z]+\.md$/);
      expect(result.verificationCommand).toBe(`stella doctor run --check ${result.checkId}`);
    }
  });
});
