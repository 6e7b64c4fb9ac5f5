// The checks in-process against named fakes of the registries people point Stella Doctor at, each
// built from that product's documentation and reports (test/fakes/<product>-registry.ts): for every
// situation, the verdict, the registry's own message quoted, `registry_product`, and the product's
// own advice. Real distribution stays the reference for everything it can show (oci-checks.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/engine/types.js';
import { startAcrRegistry, ACR_FIREWALL } from '../fakes/acr-registry.js';
import { startArtifactRegistry, arPermissionDenied } from '../fakes/artifact-registry.js';
import { startArtifactoryRegistry, ARTIFACTORY_DENIED } from '../fakes/artifactory-registry.js';
import { startDockerhubRegistry } from '../fakes/dockerhub-registry.js';
import { ecrPassword, startEcrRegistry, ECR_EXPIRED } from '../fakes/ecr-registry.js';
import { startGhcrRegistry, GHCR_PUSH_DENIED } from '../fakes/ghcr-registry.js';
import { startGitlabRegistry } from '../fakes/gitlab-registry.js';
import { harborPushDenied, startHarborRegistry } from '../fakes/harbor-registry.js';
import { startNexusRegistry } from '../fakes/nexus-registry.js';
import { FAKE_DIGEST, type FakeOptions, type FakeRegistry, type FakeUser } from '../fakes/product-registry.js';
import { startQuayRegistry, QUAY_DENIED } from '../fakes/quay-registry.js';
import { startZotRegistry } from '../fakes/zot-registry.js';
import { ALL_OCI, CHECK, doctor } from './doctor.js';

const REPO = 'team/app';
const PUSH_REPO = 'team/scratch';
const PASSWORD = 'fake-Registry-Pass-42';
const running: FakeRegistry[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});

/** Users: `reader` may pull the test image, `writer` may also push to the push repository. */
function world(over: Partial<FakeOptions> = {}, users: Record<string, Partial<FakeUser>> = {}): FakeOptions {
  const base: Record<string, FakeUser> = {
    reader: { password: PASSWORD, repositories: { [REPO]: ['pull'], [PUSH_REPO]: ['pull'] } },
    writer: { password: PASSWORD, repositories: { [REPO]: ['pull'], [PUSH_REPO]: ['pull', 'push', 'delete'] } },
  };
  for (const [name, user] of Object.entries(users)) base[name] = { ...base.reader!, ...user };
  return { users: base, repositories: [REPO, PUSH_REPO], ...over };
}

async function start<T extends FakeRegistry>(registry: Promise<T>): Promise<T> {
  const started = await registry;
  running.push(started);
  return started;
}

/** Runs checks as `user` against the fake; results by check id. */
async function run(
  fake: FakeRegistry,
  checks: string[],
  user?: { username: string; password: string },
  settings: Record<string, string> = {},
): Promise<Record<string, CheckResult>> {
  const report = await doctor({
    settings: {
      'OCI:RegistryUrl': fake.url,
      'OCI:TestRepository': REPO,
      'OCI:TestTag': 'latest',
      'OCI:PushTestRepository': PUSH_REPO,
      ...(user ? { 'OCI:Username': user.username, 'OCI:Password': user.password } : {}),
      ...settings,
    },
    checks,
  });
  return Object.fromEntries(report.results.map((r) => [r.checkId, r]));
}

const as = (username: string, password = PASSWORD) => ({ username, password });
const steps = (r: CheckResult): string =>
  (r.remediation?.steps ?? []).map((s) => `${s.description}\n${s.command ?? ''}`).join('\n');
const causes = (r: CheckResult): string => (r.likelyCauses ?? []).join('\n');

describe('Docker Hub', () => {
  it('says "does not exist, or the account may not read it" for a 401 on a repository it hides', async () => {
    const hub = await start(startDockerhubRegistry(world()));
    const results = await run(hub, [CHECK.credentials, CHECK.pull], as('reader'), {
      'OCI:TestRepository': 'team/nope',
    });
    const pull = results[CHECK.pull]!;
    expect(results[CHECK.credentials]!.severity).toBe('pass');
    expect(results[CHECK.credentials]!.evidence).toMatchObject({
      registry_product: 'dockerhub',
      token_expires_in_seconds: 300,
    });
    expect(pull.severity).toBe('fail');
    expect(pull.diagnosis).toMatch(/^team\/nope:latest does not exist on .*, or the account may not read it \(401/);
    expect(pull.diagnosis).toContain('Docker Hub answers both alike');
    expect(pull.diagnosis).not.toContain('no pull permission');
    expect(causes(pull)).toContain('does not exist on Docker Hub');
    expect(causes(pull)).toContain('is private and the account is not a collaborator');
    expect(steps(pull)).toContain('personal access token');
    expect(pull.evidence).toMatchObject({ registry_product: 'dockerhub', registry_error_code: 'UNAUTHORIZED' });
  });

  it('counts the full run’s manifest GET as a pull and explains the rate limit in Hub’s words', async () => {
    const hub = await start(startDockerhubRegistry(world(), { isRateLimited: true }));
    const results = await run(hub, ALL_OCI, as('writer'));
    const pull = results[CHECK.pull]!;
    expect(pull.severity).toBe('warn');
    expect(pull.diagnosis).toContain('rate limiting');
    expect(pull.evidence).toMatchObject({ ratelimit_remaining: '0;w=21600', ratelimit_source: '203.0.113.9' });
    expect(causes(pull)).toContain('counts every manifest GET as a pull (a HEAD does not)');
    expect(results[CHECK.capabilities]!.evidence).toMatchObject({
      registry_product: 'dockerhub',
      manifest_get_counts_as_pull: true,
    });
  });

  it('a pull check alone asks with HEAD, which Docker Hub does not count', async () => {
    const hub = await start(startDockerhubRegistry(world(), { isRateLimited: true }));
    const results = await run(hub, [CHECK.pull], as('reader'));
    expect(results[CHECK.pull]!.severity).toBe('pass');
    expect(hub.requests.filter((r) => r.url.includes('/manifests/')).map((r) => r.method)).toEqual(['HEAD']);
  });
});

describe('GHCR', () => {
  it("quotes permission_denied: write_package and names the package scopes and the workflow's access list", async () => {
    const ghcr = await start(startGhcrRegistry(world()));
    const results = await run(ghcr, [CHECK.credentials, CHECK.pull, CHECK.push, CHECK.referrers], as('reader'));
    const push = results[CHECK.push]!;
    expect(results[CHECK.credentials]!.severity).toBe('pass');
    expect(push.severity).toBe('fail');
    expect(push.diagnosis).toContain('lack push permission');
    expect(push.diagnosis).toContain(`The registry says: "${GHCR_PUSH_DENIED}"`);
    expect(push.evidence).toMatchObject({ registry_product: 'ghcr', registry_error_message: GHCR_PUSH_DENIED });
    expect(steps(push)).toContain('write:packages');
    expect(steps(push)).toContain('Manage Actions access');
    const referrers = results[CHECK.referrers]!;
    expect(referrers.severity).toBe('warn');
    expect(causes(referrers)).toContain('GHCR does not offer the referrers API');
  });
});

describe('GitLab', () => {
  it('does not count the fallback tag that resolves to the subject, and reports the 300 s the JWT says', async () => {
    const gitlab = await start(startGitlabRegistry(world()));
    const results = await run(gitlab, [CHECK.credentials, CHECK.referrers, CHECK.push], as('reader'));
    expect(results[CHECK.credentials]!.evidence).toMatchObject({
      registry_product: 'gitlab',
      token_expires_in_seconds: 300,
    });
    const referrers = results[CHECK.referrers]!;
    expect(referrers.severity).toBe('warn');
    expect(referrers.evidence).toMatchObject({
      has_fallback_tag: false,
      fallback_tag: FAKE_DIGEST.replace(':', '-'),
      fallback_note: `the tag resolves to the subject itself (${FAKE_DIGEST})`,
    });
    expect(referrers.diagnosis).toContain('absent: the tag resolves to the subject itself');
    expect(causes(referrers)).toContain('resolves the fallback tag sha256-<hex> to the subject');
    const push = results[CHECK.push]!;
    expect(push.severity).toBe('fail');
    expect(steps(push)).toContain('write_registry');
    expect(steps(push)).toContain('CI_JOB_TOKEN');
  });
});

describe('Amazon ECR', () => {
  it('names an expired password as expired in credentials, pull and push, quoting ECR’s plain-text message', async () => {
    const ecr = await start(startEcrRegistry(world({}, { stale: { isExpired: true } })));
    const results = await run(ecr, [CHECK.credentials, CHECK.pull, CHECK.push], as('stale'));
    for (const id of [CHECK.credentials, CHECK.pull, CHECK.push]) {
      const result = results[id]!;
      expect(result.severity, id).toBe('fail');
      expect(result.diagnosis, id).toContain('expired');
      expect(result.diagnosis, id).toContain(`The registry says: "${ECR_EXPIRED}"`);
      expect(result.diagnosis, id).not.toMatch(/allowlist|no pull permission/);
      expect(steps(result), id).toContain('aws ecr get-login-password --region <region>');
      expect(result.evidence, id).toMatchObject({ registry_product: 'ecr' });
    }
    expect(results[CHECK.credentials]!.evidence).toMatchObject({ registry_error_message: ECR_EXPIRED });
  });

  it('forecasts the password’s own expiration: warn in its last 20 %, fail once it passed, never sent', async () => {
    const inOneHour = ecrPassword(new Date(Date.now() + 3_600_000));
    const inElevenHours = ecrPassword(new Date(Date.now() + 11 * 3_600_000));
    const ecr = await start(
      startEcrRegistry(world({}, { AWS: { password: inOneHour }, AWS2: { password: inElevenHours } })),
    );
    const soon = (await run(ecr, [CHECK.credentials], as('AWS', inOneHour)))[CHECK.credentials]!;
    expect(soon.severity).toBe('warn');
    expect(soon.diagnosis).toMatch(/^The ECR password is accepted but expires in 0 h 5\d min/);
    expect(causes(soon)).toContain('Less than 20 %');
    expect(steps(soon)).toContain('aws ecr get-login-password');

    const later = (await run(ecr, [CHECK.credentials], as('AWS2', inElevenHours)))[CHECK.credentials]!;
    expect(later.severity).toBe('pass');
    expect(later.evidence.password_expires_in_seconds).toBeGreaterThan(10 * 3600);

    const before = ecr.requests.length;
    const gone = (await run(ecr, [CHECK.credentials], as('AWS', ecrPassword(new Date(Date.now() - 60_000)))))[
      CHECK.credentials
    ]!;
    expect(gone.severity).toBe('fail');
    expect(gone.diagnosis).toMatch(/^The configured ECR password \(--set:OCI:Username\) expired at /);
    expect(steps(gone)).toContain('aws ecr get-login-password');
    // Only the anonymous /v2/ probe that names the challenge for the curl steps: the password is never sent.
    expect(ecr.requests.slice(before).map((r) => [r.method, r.url, r.authorization])).toEqual([
      ['GET', '/v2/', undefined],
    ]);
  });

  it('quotes the IAM denial and says to create a repository ECR will not create on push', async () => {
    const ecr = await start(startEcrRegistry(world()));
    const denied = (await run(ecr, [CHECK.push], as('reader')))[CHECK.push]!;
    expect(denied.severity).toBe('fail');
    expect(denied.diagnosis).toContain('lack push permission');
    expect(denied.diagnosis).toContain('is not authorized to perform: ecr:InitiateLayerUpload');
    expect(steps(denied)).toContain('ecr:InitiateLayerUpload, ecr:UploadLayerPart');

    const missing = (await run(ecr, [CHECK.push], as('writer'), { 'OCI:PushTestRepository': 'team/new' }))[CHECK.push]!;
    expect(missing.severity).toBe('warn');
    expect(missing.diagnosis).toContain("The repository with name 'team/new' does not exist");
    expect(steps(missing)).toContain('aws ecr create-repository --repository-name team/new --region <region>');
  });
});

describe('Artifact Registry', () => {
  it('quotes the denied IAM permission of a 403 without challenge and names the writer role', async () => {
    const ar = await start(startArtifactRegistry(world()));
    const results = await run(ar, [CHECK.credentials, CHECK.push], as('reader'));
    const denied = results[CHECK.push]!;
    expect(denied.severity).toBe('fail');
    expect(denied.diagnosis).toContain(arPermissionDenied('uploadArtifacts', PUSH_REPO).replace(/"/g, "'"));
    expect(steps(denied)).toContain('--role=roles/artifactregistry.writer');
    expect(denied.evidence).toMatchObject({ registry_product: 'artifact-registry' });
  });
});

describe('Azure Container Registry', () => {
  it("quotes the firewall message and says how to add this client's address to the network rules", async () => {
    const acr = await start(startAcrRegistry(world(), { isFirewalled: true }));
    const results = await run(acr, [CHECK.registry, CHECK.credentials], as('reader'));
    expect(results[CHECK.registry]!.evidence).toMatchObject({
      registry_product: 'acr',
      registry_product_evidence: 'an aka.ms/acr link in the /v2/ error message',
    });
    const credentials = results[CHECK.credentials]!;
    expect(credentials.severity).toBe('fail');
    expect(credentials.diagnosis).toContain(`The registry says: "${ACR_FIREWALL}"`);
    expect(steps(credentials)).toContain('az acr network-rule add --name <registry-name>');
  });

  it('names the scope map’s content/write for a push refused with insufficient_scope', async () => {
    const acr = await start(startAcrRegistry(world()));
    const push = (await run(acr, [CHECK.push], as('reader')))[CHECK.push]!;
    expect(push.severity).toBe('fail');
    expect(push.evidence).toMatchObject({ registry_product: 'acr', challenge_error: 'insufficient_scope' });
    expect(steps(push)).toContain('content/read content/write');
  });
});

describe('Harbor', () => {
  it('reads a push 401 without insufficient_scope after accepted credentials as a missing push permission', async () => {
    const harbor = await start(startHarborRegistry(world()));
    const results = await run(harbor, [CHECK.credentials, CHECK.pull, CHECK.push], as('reader'));
    expect(results[CHECK.credentials]!.severity).toBe('pass');
    expect(results[CHECK.pull]!.severity).toBe('pass');
    const push = results[CHECK.push]!;
    expect(push.severity).toBe('fail');
    expect(push.diagnosis).toContain('lack push permission');
    expect(push.diagnosis).toContain('the token service accepted the same credentials');
    expect(push.diagnosis).toContain(`The registry says: "${harborPushDenied(PUSH_REPO)}"`);
    expect(push.evidence).toMatchObject({
      registry_product: 'harbor',
      credential_proof: 'accepted',
      challenge_error: null,
    });
    expect(steps(push)).toContain('Push repository and Pull repository');
  });

  it('reports the anonymous token Harbor gives a failed login as rejected credentials, with the robot $', async () => {
    const harbor = await start(startHarborRegistry(world({}, { 'robot$team+ci': {} })));
    const results = await run(harbor, ALL_OCI, as('robotteam+ci'));
    const credentials = results[CHECK.credentials]!;
    expect(credentials.severity).toBe('fail');
    expect(credentials.diagnosis).toContain("answered the credentials of 'robotteam+ci' with an anonymous token");
    expect(credentials.diagnosis).not.toContain('disagree');
    expect(causes(credentials)).toContain(`The username 'robotteam+ci' has no $ after "robot"`);
    expect(steps(credentials)).toContain("'robot$project+name'");
    expect(credentials.evidence).toMatchObject({ registry_product: 'harbor', credentials_valid: false });
    expect(results[CHECK.push]!.diagnosis).toContain('rejected the credentials');
  });

  it('writes the robot account into .env quoted, so Compose keeps its $', async () => {
    const harbor = await start(startHarborRegistry(world()));
    const pull = (await run(harbor, [CHECK.pull], as('robot$team+ci', 'wrong')))[CHECK.pull]!;
    expect(pull.severity).toBe('fail');
    expect(steps(pull)).toContain(`"OCI__Username='robot\\$team+ci'"`);
  });
});

describe('Quay', () => {
  it('reads a push 401 after accepted credentials as a missing Write permission of the robot account', async () => {
    const quay = await start(startQuayRegistry(world()));
    const results = await run(quay, [CHECK.credentials, CHECK.push], as('reader'));
    expect(results[CHECK.credentials]!.severity).toBe('pass');
    const push = results[CHECK.push]!;
    expect(push.severity).toBe('fail');
    expect(push.diagnosis).toContain(`lack push permission`);
    expect(push.diagnosis).toContain(`"${QUAY_DENIED}"`);
    expect(steps(push)).toContain('User and Robot Permissions');
    expect(push.evidence).toMatchObject({ registry_product: 'quay' });
  });
});

describe('Artifactory, Nexus and zot', () => {
  it('Artifactory: quotes the deploy refusal and names the permission target', async () => {
    const artifactory = await start(startArtifactoryRegistry(world()));
    const push = (await run(artifactory, [CHECK.push], as('reader')))[CHECK.push]!;
    expect(push.severity).toBe('fail');
    expect(push.diagnosis).toContain(`"${ARTIFACTORY_DENIED}"`);
    expect(steps(push)).toContain('permission target');
    expect(push.evidence).toMatchObject({ registry_product: 'artifactory' });
  });

  it('Nexus: names the repository privilege and the hosted repository', async () => {
    const nexus = await start(startNexusRegistry(world()));
    const push = (await run(nexus, [CHECK.push], as('reader')))[CHECK.push]!;
    expect(push.severity).toBe('fail');
    expect(steps(push)).toContain('nx-repository-view-docker-<repository>-add');
    expect(push.evidence).toMatchObject({ registry_product: 'nexus' });
  });

  it('zot: passes the referrers check and names the accessControl policy for a refused push', async () => {
    const zot = await start(startZotRegistry(world()));
    const results = await run(zot, [CHECK.registry, CHECK.referrers, CHECK.push], as('reader'));
    expect(results[CHECK.registry]!.evidence).toMatchObject({ registry_product: 'zot' });
    expect(results[CHECK.referrers]!.severity).toBe('pass');
    const push = results[CHECK.push]!;
    expect(push.severity).toBe('fail');
    expect(steps(push)).toContain('http.accessControl');
  });
});
