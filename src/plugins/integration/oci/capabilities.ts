// check.integration.oci.capabilities — what does this registry support beyond pull? SPEC 4.6:
// five probes (distribution version header, referrers API, chunked upload, cross-repository
// mount, delete) and a score N/5. Every probe leaves nothing behind: upload sessions are
// cancelled, a mounted blob is unlinked from the push repository at once where allowed, and the
// delete probe targets a random digest that cannot exist.
//
// Two parts: gatherCapabilities runs the probes (each probe's next request depends on what the
// last one answered, so a probe reports whether its capability showed) and returns plain facts;
// judgeCapabilities, pure and synchronous, scores them and gives the verdict and its evidence.

import { randomBytes } from 'node:crypto';
import { readAuthenticate } from '../../../registry/challenge.js';
import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import {
  MANIFEST_ACCEPT,
  cancelUpload,
  getManifest,
  isSuccess,
  probeReferrers,
  probeUpload,
  pullScope,
  pushScope,
  resolveDigest,
} from '../../../registry/operations.js';
import { headerValue } from '../../../net/http-client.js';
import { boundedJsonObject } from '../../../util/bounded-json.js';
import type { RegistrySession } from '../../../registry/session.js';
import { productOf } from '../../../registry/products.js';
import { connectionFailure } from '../shared/connection-failure.js';
import { readRegistryMessage } from '../../../registry/registry-message.js';
import { curlReproduction } from './curl-reproduction.js';
import { probeTarget, type OciTarget } from './oci-context.js';
import { numbered, type Step } from '../shared/remediation.js';

export type Capability = 'version_header' | 'referrers' | 'chunked_upload' | 'mount' | 'delete';
export type ProbeVerdict = {
  supported: boolean;
  untested?: string;
  /** The registry said deletes are switched off in its configuration (distribution: 405 UNSUPPORTED). */
  isDisabledByConfiguration?: boolean;
};

interface Ctx {
  target: OciTarget;
  session: RegistrySession;
  testRepo: string;
  tag: string;
  pushRepo: string;
  /** Whether write probes may run: credentials configured, or an open registry. */
  canWrite: boolean;
}

async function probeReferrersCapability(c: Ctx, e: Evidence): Promise<ProbeVerdict> {
  const resolved = await resolveDigest(c.session, c.testRepo, c.tag);
  if (resolved.kind === 'unavailable')
    return { supported: false, untested: `test image not readable (${resolved.head.status})` };
  const support = await probeReferrers(c.session, c.testRepo, resolved.digest);
  e.referrers_status_code = support.response.status;
  if (support.kind === 'no_access')
    return { supported: false, untested: `referrers query refused (${support.response.status})` };
  return { supported: support.kind === 'supported' };
}

async function probeChunkedUpload(c: Ctx, e: Evidence): Promise<ProbeVerdict> {
  if (!c.canWrite) return { supported: false, untested: 'needs credentials' };
  const { post, cancel } = await probeUpload(c.session, c.pushRepo);
  e.upload_status_code = post.status;
  e.chunk_min_length = headerValue(post, 'oci-chunk-min-length');
  e.is_upload_cancelled = cancel !== null && isSuccess(cancel);
  if (post.status === 401 || post.status === 403)
    return { supported: false, untested: `no push permission on ${c.pushRepo} (${post.status})` };
  if (post.status === 202 && headerValue(post, 'location') === null)
    return { supported: false, untested: 'the registry answered 202 without naming an upload session (no Location)' };
  return { supported: post.status === 202 };
}

/** A blob of the test image to mount: the first layer, else the config. */
async function mountableBlob(c: Ctx): Promise<{ digest: string } | { reason: string }> {
  const manifest = await getManifest(c.session, c.testRepo, c.tag);
  if (!isSuccess(manifest)) return { reason: `test image not readable (${manifest.status})` };
  const body = boundedJsonObject(manifest.body) as
    { layers?: Array<{ digest?: unknown }>; config?: { digest?: unknown } } | undefined;
  if (!body) return { reason: "the test manifest is not a JSON object of a manifest's shape" };
  const digest = (Array.isArray(body.layers) ? body.layers[0]?.digest : undefined) ?? body.config?.digest;
  return typeof digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(digest)
    ? { digest }
    : { reason: 'the test image is an index or has no blobs to mount' };
}

async function probeMount(c: Ctx, e: Evidence): Promise<ProbeVerdict> {
  if (!c.canWrite) return { supported: false, untested: 'needs credentials' };
  if (c.pushRepo === c.testRepo)
    return {
      supported: false,
      untested: 'OCI:PushTestRepository equals OCI:TestRepository; mounting into the source is meaningless',
    };
  const mountable = await mountableBlob(c);
  if ('reason' in mountable) return { supported: false, untested: mountable.reason };
  const blob = mountable.digest;
  e.mount_blob_digest = blob;
  const scopes = [pushScope(c.pushRepo), pullScope(c.testRepo)];
  const query = `mount=${encodeURIComponent(blob)}&from=${encodeURIComponent(c.testRepo)}`;
  const post = await c.session.send('POST', `/v2/${c.pushRepo}/blobs/uploads/?${query}`, {
    auth: true,
    scopes,
    body: '',
    signal: c.target.signal,
  });
  e.mount_status_code = post.status;
  // A registry that mounted says where the blob now is (Location) or which blob it is (digest).
  const isMounted =
    post.status === 201 &&
    (headerValue(post, 'docker-content-digest') === blob ||
      (headerValue(post, 'location') ?? '').endsWith(`/blobs/${blob}`));
  if (post.status === 201 && !isMounted) {
    e.mount_note =
      'the registry answered 201 without a Location or digest of the mounted blob, which a registry that ' +
      'mounted always sends: not counted';
    return { supported: false };
  }
  if (isMounted) {
    const unlink = await c.session.send('DELETE', `/v2/${c.pushRepo}/blobs/${blob}`, {
      auth: true,
      scopes: [pushScope(c.pushRepo)],
    });
    e.unlink_status_code = unlink.status;
    e.is_mount_unlinked = unlink.status === 202;
    if (unlink.status !== 202) {
      e.mount_note = (
        `the mounted blob stays linked in ${c.pushRepo}: the unlink was refused (${unlink.status} ` +
        `${readRegistryMessage(unlink.body).code ?? readAuthenticate(unlink).error ?? ''}); it holds no new data and ` +
        `disappears with the repository or garbage collection`
      ).trim();
    }
    return { supported: true };
  }
  if (post.status === 202) {
    const { cancel } = await cancelUpload(c.session, post, c.pushRepo);
    e.is_mount_session_cancelled = cancel !== null && isSuccess(cancel);
    e.mount_note =
      `the registry opened a plain upload instead of mounting (202): mounting is not supported, refused by ` +
      `policy, or the blob is not reachable from ${c.testRepo} for this account; the session was ` +
      `${cancel && isSuccess(cancel) ? 'cancelled' : 'left to expire'}`;
    return { supported: false };
  }
  if (post.status === 401 || post.status === 403) {
    const reason = readAuthenticate(post).error ?? readRegistryMessage(post.body).code ?? '';
    return { supported: false, untested: `mount refused (${post.status} ${reason})`.trim() };
  }
  e.mount_note = `unexpected answer ${post.status}`;
  return { supported: false };
}

async function probeDelete(c: Ctx, e: Evidence): Promise<ProbeVerdict> {
  const options = await c.session.send('OPTIONS', `/v2/${c.testRepo}/manifests/${c.tag}`, {
    auth: true,
    scopes: [pullScope(c.testRepo)],
    headers: { accept: MANIFEST_ACCEPT },
    signal: c.target.signal,
  });
  const allow = headerValue(options, 'allow');
  const listsDelete = /\bDELETE\b/i.test(allow ?? '');
  e.allow_header = allow;
  e.allow_lists_delete = listsDelete;
  const byAllow = { supported: listsDelete };
  if (!c.canWrite) {
    e.delete_probe_note = 'not sent: needs credentials; the Allow header decides';
    return byAllow;
  }
  // The run's token (already issued for every planned scope) tells whether delete was granted.
  const token = await c.session.token([pushScope(c.pushRepo)]);
  const grants = token?.exchange === 'ok' ? token.grantedActions : null;
  const hasDeleteGrant = grants
    ? grants.some((g) => g.startsWith(`repository:${c.pushRepo}:`) && /[:,](delete|\*)(,|$)/.test(g))
    : null;
  e.has_delete_grant = hasDeleteGrant;
  if (hasDeleteGrant === false) {
    e.delete_probe_note = 'not sent: the token does not grant delete; the Allow header decides';
    return byAllow;
  }
  const randomDigest = `sha256:${randomBytes(32).toString('hex')}`;
  const res = await c.session.send('DELETE', `/v2/${c.pushRepo}/manifests/${randomDigest}`, {
    auth: true,
    scopes: [pushScope(c.pushRepo)],
    signal: c.target.signal,
  });
  const errorCode = readRegistryMessage(res.body).code;
  e.delete_probe_status_code = res.status;
  e.delete_probe_error_code = errorCode;
  // A 404 counts only as a registry's "unknown manifest": a server that answers 404 to anything proves nothing.
  if (res.status === 202 || (res.status === 404 && errorCode !== null)) return { supported: true };
  if (res.status === 405 || res.status === 400)
    return { supported: false, isDisabledByConfiguration: errorCode === 'UNSUPPORTED' };
  e.delete_probe_note = `inconclusive answer ${res.status}; the Allow header decides`;
  return byAllow;
}

const LABELS: Record<Capability, string> = {
  version_header: 'distribution version header',
  referrers: 'referrers API',
  chunked_upload: 'chunked upload',
  mount: 'cross-repository mount',
  delete: 'delete',
};
const EVIDENCE_KEY: Record<Capability, string> = {
  version_header: 'has_version_header',
  referrers: 'is_referrers_supported',
  chunked_upload: 'is_chunked_upload_supported',
  mount: 'is_mount_supported',
  delete: 'is_delete_supported',
};

export interface CapabilitiesFacts {
  host: string;
  registryUrl: string;
  /** The distribution API version header of `/v2/`, when sent. */
  apiVersion: string | null;
  /** What each probe showed. */
  probes: Record<Exclude<Capability, 'version_header'>, ProbeVerdict>;
  /** Status codes, headers and notes the probes observed, under their evidence keys. */
  observed: Evidence;
  isAnonymous: boolean;
  /** The request that shows which methods the registry advertises, replayed with curl. */
  reproduce: Step[];
}

const DOCKER_HUB_PULL_NOTE =
  'this run read the test manifest with one GET (the mount probe needs a blob digest from its body); Docker Hub ' +
  "counts it as one pull against the account's or address's rate limit";

async function gatherCapabilities(target: OciTarget): Promise<CapabilitiesFacts | { failure: CheckOutcome }> {
  const { session, settings } = target;
  const ping = await session.ping();
  if (ping.kind === 'error') return { failure: connectionFailure(target.connection, ping.error, ping.tls) };
  const credential = await session.credential();
  const c: Ctx = {
    target,
    session,
    testRepo: settings.testRepository.value,
    tag: settings.testTag.value,
    pushRepo: settings.pushTestRepository.value,
    canWrite: credential.method !== 'anonymous' || ping.response.status === 200,
  };
  // The probes are independent (shared requests are memoised), so they run side by side; each
  // writes its own evidence, merged in a fixed order so reports stay stable.
  const parts: Evidence[] = [{}, {}, {}, {}];
  const [referrers, chunked, mount, del] = await Promise.all([
    probeReferrersCapability(c, parts[0]!),
    probeChunkedUpload(c, parts[1]!),
    probeMount(c, parts[2]!),
    probeDelete(c, parts[3]!),
  ]);
  const { product } = await productOf(session);
  // Docker Hub counts a manifest GET as a pull (a HEAD is free); the mount probe needs the body.
  const pullCost =
    product === 'dockerhub' && session.settings.isManifestBodyPlanned
      ? { manifest_get_counts_as_pull: true, pull_cost_note: DOCKER_HUB_PULL_NOTE }
      : {};
  return {
    host: target.host,
    registryUrl: session.baseUrl.origin,
    apiVersion: headerValue(ping.response, 'docker-distribution-api-version'),
    probes: { referrers, chunked_upload: chunked, mount, delete: del },
    observed: Object.assign({ registry_product: product, ...pullCost }, ...parts),
    isAnonymous: credential.method === 'anonymous',
    reproduce: await curlReproduction(target, {
      method: 'OPTIONS',
      path: `/v2/${c.testRepo}/manifests/${c.tag}`,
      scopes: [pullScope(c.testRepo)],
      description: 'See which methods the registry advertises on a manifest',
    }),
  };
}

const CAUSES: Record<Capability, string> = {
  version_header: 'not offered by this registry or not testable with this account',
  referrers: 'registry predates OCI 1.1',
  chunked_upload: 'not offered by this registry or not testable with this account',
  mount: 'not implemented, refused by policy, or the account cannot read the source repository',
  delete: 'deletes are disabled in the registry configuration or not granted',
};

const ENABLE_DELETES: Step[] = [
  {
    environment: 'compose',
    description: 'Enable deletes in the registry container',
    command: 'echo "REGISTRY_STORAGE_DELETE_ENABLED=true" >> registry.env\ndocker compose up -d registry',
    safe: false,
  },
  {
    environment: 'baremetal',
    description: 'Enable deletes in the registry configuration (storage.delete.enabled) and restart',
    command:
      "sudo sed -i 's/^\\(\\s*\\)delete:.*/\\1delete:\\n\\1  enabled: true/' " +
      '/etc/docker/registry/config.yml\nsudo systemctl restart docker-registry',
    safe: false,
  },
  {
    environment: 'kubernetes',
    description: 'Enable deletes through the registry chart',
    command: 'helm upgrade registry twuni/docker-registry --reuse-values --set storage.delete.enabled=true',
    safe: false,
  },
];

function remediationSteps(f: CapabilitiesFacts, untested: string[]): Step[] {
  return [
    ...(f.probes.referrers.supported
      ? []
      : [
          {
            environment: 'any' as const,
            description:
              'Signatures and attestations need the referrers API or the tag-schema fallback: upgrade the ' +
              'registry or configure clients (cosign, oras) for the fallback',
            safe: false,
          },
        ]),
    ...(!f.probes.delete.supported && f.probes.delete.isDisabledByConfiguration ? ENABLE_DELETES : []),
    ...(untested.length > 0 && f.isAnonymous
      ? [
          {
            environment: 'any' as const,
            description: 'Configure credentials (OCI:Username/OCI:Password or OCI:Token) so the write probes can run',
            safe: false,
          },
        ]
      : []),
    ...f.reproduce,
  ];
}

/** The score and verdict on the facts; pure. */
export function judgeCapabilities(f: CapabilitiesFacts): CheckOutcome {
  const verdicts: Record<Capability, ProbeVerdict> = {
    version_header: { supported: f.apiVersion !== null },
    ...f.probes,
  };
  const capabilities = Object.keys(LABELS) as Capability[];
  const supported = capabilities.filter((k) => verdicts[k].supported);
  const untested = capabilities.flatMap((k) => (verdicts[k].untested ? [`${k}: ${verdicts[k].untested}`] : []));
  const missing = capabilities.filter((k) => !verdicts[k].supported);
  const score = supported.length;
  const evidence: Evidence = {
    registry_url: f.registryUrl,
    api_version: f.apiVersion,
    ...f.observed,
    ...Object.fromEntries(capabilities.map((k) => [EVIDENCE_KEY[k], verdicts[k].supported])),
    capability_score: `${score}/5`,
    capabilities_untested: untested,
  };
  if (score === 5) return { severity: 'pass', diagnosis: `${f.host} supports all five probed capabilities.`, evidence };
  return {
    severity: f.probes.referrers.supported ? 'info' : 'warn',
    diagnosis: `${f.host} scores ${score}/5; missing or untested: ${missing.map((k) => LABELS[k]).join(', ')}.`,
    evidence,
    likelyCauses: missing.map((k) => `${LABELS[k]}: ${CAUSES[k]}`),
    remediation: numbered(remediationSteps(f, untested)),
  };
}

export const runCapabilitiesCheck: CheckDefinition['run'] = (ctx, signal) =>
  probeTarget(ctx, signal, async (target) => {
    const gathered = await gatherCapabilities(target);
    return 'failure' in gathered ? gathered.failure : judgeCapabilities(gathered);
  });
