// Probes leave nothing behind, and a run makes no request twice. The whole OCI suite runs 20 times
// against each real registry; then the registry's storage directory is inspected for upload
// sessions, blob links, manifests and tags under the push repository. And one full run against the
// token registry is compared request by request (access log, token server log) with the minimum:
// 11 registry requests and 1 token request.
//
// distribution 2.8 quirk, seen with curl too: cancelling an upload (DELETE → 204) removes the
// session's `data` and `startedat` but leaves `_uploads/<id>/hashstates/sha256/0` on disk. The
// session is gone (GET on it → 404 BLOB_UPLOAD_UNKNOWN); the registry's upload purging removes
// the file. So a leftover session is judged by `startedat`/`data`, not by that file.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTestEnv, readAccessLog, tokenServerLog, type RegistryName } from '../harness/test-env.js';
import { ALL_OCI, doctor } from './doctor.js';

const env = loadTestEnv();
const RUNS = 20;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function traces(registry: RegistryName, repo: string): { sessions: string[]; links: string[] } {
  const root = join(env.registries[registry].storageDir, 'docker/registry/v2/repositories', repo);
  const files = filesUnder(root).map((f) => relative(root, f));
  return {
    sessions: files.filter((f) => /^_uploads\/[^/]+\/(startedat|data)$/.test(f)),
    links: files.filter((f) => /(^|\/)link$/.test(f)),
  };
}

async function suite(registry: RegistryName, pushRepo: string) {
  return doctor({
    settings: {
      'OCI:RegistryUrl': env.registries[registry].url,
      'OCI:CaCertificatePath': env.caCertPath,
      'OCI:Username': 'admin',
      'OCI:Password': env.users.admin.password,
      'OCI:PushTestRepository': pushRepo,
    },
    checks: ALL_OCI,
  });
}

describe(`${RUNS} full runs leave nothing behind`, () => {
  it.each(['open', 'basic', 'token'] as RegistryName[])(
    'on %s (deletes enabled): no upload session, blob link, manifest or tag',
    async (registry) => {
      const repo = `stellaops/doctor-test-${randomBytes(4).toString('hex')}`;

      for (let i = 0; i < RUNS; i++) {
        const report = await suite(registry, repo);
        expect(report.summary.fail).toBe(0);
      }

      expect(traces(registry, repo)).toEqual({ sessions: [], links: [] });
    },
  );

  it.each(['openNoDelete', 'tokenNoDelete'] as RegistryName[])(
    'on %s (deletes disabled): no upload session; the mounted blob link stays and is reported',
    async (registry) => {
      const repo = `stellaops/doctor-test-${randomBytes(4).toString('hex')}`;

      const results = [];
      for (let i = 0; i < RUNS; i++) results.push(await suite(registry, repo));

      const left = traces(registry, repo);
      expect(left.sessions).toEqual([]);
      expect(left.links).toEqual([`_layers/sha256/${env.image.layerDigest.slice(7)}/link`]);
      const capabilities = results.map(
        (r) => r.results.find((x) => x.checkId === 'check.integration.oci.capabilities')!.evidence,
      );
      expect(
        capabilities.every((e) => e.is_mount_unlinked === false && String(e.mount_note).includes('stays linked')),
      ).toBe(true);
    },
  );
});

describe('request economy', () => {
  it('a full run against the token registry makes each request once, with one token request', async () => {
    const repo = `stellaops/doctor-test-${randomBytes(4).toString('hex')}`;

    const report = await suite('token', repo);

    const mine = readAccessLog(env.registries.token).filter((e) => e.userAgent.includes(report.runId));
    const requests = mine.map(
      (e) =>
        `${e.method} ${e.path.replace(/sha256[:-][a-f0-9]{64}/, (d) => d.slice(0, 7) + '<digest>').replace(/uploads\/[0-9a-f-]{36}/, 'uploads/<uuid>')} ${e.status}`,
    );
    expect(requests.sort()).toEqual(
      [
        'GET /v2/ 401',
        'GET /v2/ 200',
        'GET /v2/library/alpine/manifests/latest 200',
        'GET /v2/library/alpine/referrers/sha256:<digest> 404',
        'HEAD /v2/library/alpine/manifests/sha256-<digest> 404',
        'OPTIONS /v2/library/alpine/manifests/latest 200',
        `POST /v2/${repo}/blobs/uploads/ 202`,
        `DELETE /v2/${repo}/blobs/uploads/<uuid> 204`,
        `POST /v2/${repo}/blobs/uploads/ 201`,
        `DELETE /v2/${repo}/blobs/sha256:<digest> 202`,
        `DELETE /v2/${repo}/manifests/sha256:<digest> 404`,
      ].sort(),
    );
    const tokens = (await tokenServerLog(env)).filter((e) => e.user_agent.includes(report.runId));
    expect(tokens).toHaveLength(1);
    expect(new URLSearchParams(tokens[0]!.query).getAll('scope').sort()).toEqual(
      [`repository:${repo}:pull,push,delete`, 'repository:library/alpine:pull'].sort(),
    );
  });
});
