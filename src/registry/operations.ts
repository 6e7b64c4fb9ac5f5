// Distribution API operations the OCI checks share, each memoised on the session so that a run
// never sends the same request twice: manifest HEAD/GET, digest resolution, the upload probe
// (open a session, cancel it at once), the referrers query and its tag-schema fallback.

import { createHash } from 'node:crypto';
import { headerValue, type HttpResponse } from '../net/http-client.js';
import { isDigest } from '../config/oci-grammar.js';
import { boundedJsonObject } from '../util/bounded-json.js';
import { redirectTarget, type RegistrySession, type SessionResponse } from './session.js';

/** Manifest media types sent in Accept on every manifest request (distribution 404s an OCI manifest without them). */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export const pullScope = (repo: string): string => `repository:${repo}:pull`;
export const pushScope = (repo: string): string => `repository:${repo}:pull,push,delete`;

/** The actions the token of an authorised response grants (`repository:name:pull,push`); null when not a JWT. */
export function grantedActions(res: SessionResponse): string[] | null {
  return res.token?.exchange === 'ok' ? res.token.grantedActions : null;
}

/**
 * Rate-limit facts a registry sends (Docker Hub puts `ratelimit-limit`/`ratelimit-remaining` on
 * every manifest answer; a 429 carries `retry-after`), as evidence; absent headers are left out.
 */
export function rateLimitEvidence(res: HttpResponse): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const [header, key] of [
    ['retry-after', 'retry_after'],
    ['ratelimit-limit', 'ratelimit_limit'],
    ['ratelimit-remaining', 'ratelimit_remaining'],
    ['docker-ratelimit-source', 'ratelimit_source'],
  ] as const) {
    const value = headerValue(res, header);
    if (value !== null) facts[key] = value;
  }
  return facts;
}

/** 2xx. */
export function isSuccess(res: { status: number }): boolean {
  return res.status >= 200 && res.status <= 299;
}

/** Media types a registry serves manifests as: those asked for, and Docker's schema 1. */
const MANIFEST_TYPES = new Set([
  ...MANIFEST_ACCEPT.split(', '),
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

/**
 * A 2xx that is a manifest as a registry serves one: a `Docker-Content-Digest` or a manifest media
 * type. An HTML login page or a proxy's catch-all answer with 200 is neither.
 */
export function isManifestAnswer(res: HttpResponse): boolean {
  if (!isSuccess(res)) return false;
  const digest = headerValue(res, 'docker-content-digest');
  const type = headerValue(res, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  return (digest !== null && isDigest(digest)) || (type !== undefined && MANIFEST_TYPES.has(type));
}

/**
 * The manifest's status and headers: a HEAD — or, when this run reads the body anyway (the
 * capability probe needs a blob digest from it), that GET, so one request answers both.
 */
export function probeManifest(session: RegistrySession, repo: string, reference: string): Promise<SessionResponse> {
  if (session.settings.isManifestBodyPlanned) return getManifest(session, repo, reference);
  return session.memo(`HEAD manifest ${repo}:${reference}`, () =>
    session.send('HEAD', `/v2/${repo}/manifests/${reference}`, {
      auth: true,
      scopes: [pullScope(repo)],
      headers: { accept: MANIFEST_ACCEPT },
    }),
  );
}

export function getManifest(session: RegistrySession, repo: string, reference: string): Promise<SessionResponse> {
  return session.memo(`GET manifest ${repo}:${reference}`, () =>
    session.send('GET', `/v2/${repo}/manifests/${reference}`, {
      auth: true,
      scopes: [pullScope(repo)],
      headers: { accept: MANIFEST_ACCEPT },
      maxBodyBytes: MAX_MANIFEST_BYTES,
    }),
  );
}

export type DigestResolution =
  | { kind: 'resolved'; digest: string; via: 'header' | 'body'; head: SessionResponse }
  | { kind: 'unavailable'; head: SessionResponse };

/** The test image's digest: `Docker-Content-Digest` of the manifest answer, else sha256 of the GET body. */
export function resolveDigest(session: RegistrySession, repo: string, reference: string): Promise<DigestResolution> {
  return session.memo(`digest ${repo}:${reference}`, async () => {
    const head = await probeManifest(session, repo, reference);
    if (!isManifestAnswer(head)) return { kind: 'unavailable', head };
    const header = headerValue(head, 'docker-content-digest');
    if (header && /^sha256:[a-f0-9]{64}$/.test(header))
      return { kind: 'resolved', digest: header, via: 'header', head };
    const full = await getManifest(session, repo, reference);
    if (!isManifestAnswer(full)) return { kind: 'unavailable', head: full };
    return {
      kind: 'resolved',
      digest: `sha256:${createHash('sha256').update(full.body).digest('hex')}`,
      via: 'body',
      head,
    };
  });
}

export interface UploadProbe {
  post: SessionResponse;
  /** The DELETE of the upload session; null when no session was opened. */
  cancel: SessionResponse | null;
  cancelError: string | null;
}

/**
 * Cancels an upload session at once; never throws (the verdict of the probe stands). The
 * Location is read relative to the URL that answered (after any redirect); one that names another
 * origin than the registry's, or downgrades it to plain HTTP, gets no request at all (the session
 * refuses to send the credentials there), and the session is left to expire.
 */
export async function cancelUpload(
  session: RegistrySession,
  post: SessionResponse,
  repo: string,
): Promise<{ cancel: SessionResponse | null; cancelError: string | null }> {
  const location = headerValue(post, 'location');
  if (!location) return { cancel: null, cancelError: `the registry answered ${post.status} without a Location header` };
  try {
    return {
      cancel: await session.send('DELETE', redirectTarget(location, post.url), {
        auth: true,
        scopes: [pushScope(repo)],
      }),
      cancelError: null,
    };
  } catch (error) {
    return { cancel: null, cancelError: (error as Error).message };
  }
}

/** `POST /v2/<repo>/blobs/uploads/` with an empty body, then `DELETE <Location>` at once. Once per run. */
export function probeUpload(session: RegistrySession, repo: string): Promise<UploadProbe> {
  return session.memo(`upload ${repo}`, async () => {
    const post = await session.send('POST', `/v2/${repo}/blobs/uploads/`, {
      auth: true,
      scopes: [pushScope(repo)],
      body: '',
    });
    if (post.status !== 202) return { post, cancel: null, cancelError: null };
    return { post, ...(await cancelUpload(session, post, repo)) };
  });
}

export type ReferrersSupport =
  | {
      kind: 'supported';
      response: SessionResponse;
      count: number;
      isEmptyVia404: boolean;
      filtersApplied: string | null;
    }
  | {
      kind: 'unsupported';
      response: SessionResponse;
      hasFallbackTag: boolean | null;
      fallbackTag: string;
      fallbackStatus: number | null;
      /** Why a tag that answered does not count as the fallback (it is the subject itself, or no index). */
      fallbackNote: string | null;
    }
  | { kind: 'no_access'; response: SessionResponse }
  | { kind: 'error_status'; response: SessionResponse };

function isImageIndex(res: SessionResponse): { ok: boolean; count: number } {
  const body = boundedJsonObject(res.body);
  const ok =
    body !== undefined &&
    Array.isArray(body.manifests) &&
    (body.mediaType === undefined || body.mediaType === OCI_INDEX);
  return { ok, count: ok ? (body.manifests as unknown[]).length : 0 };
}

/**
 * A fallback tag counts only as an image index that is not the subject itself: GitLab resolves the
 * tag `sha256-<hex>` to the digest `sha256:<hex>`, so the subject answers for its own referrers.
 */
function judgeFallbackTag(tag: SessionResponse, subject: string): { has: boolean | null; note?: string } {
  const digest = headerValue(tag, 'docker-content-digest');
  const type = headerValue(tag, 'content-type')?.split(';')[0]?.trim().toLowerCase() ?? null;
  if (digest === subject) return { has: false, note: `the tag resolves to the subject itself (${subject})` };
  if (type === OCI_INDEX) return { has: true };
  return type === null
    ? { has: null, note: 'the tag answered without a content type' }
    : { has: false, note: `the tag is ${type}, not an image index` };
}

/** The probe's artifact type: nothing real carries it, so a filtering registry answers an empty list. */
export const PROBE_ARTIFACT_TYPE = 'application/vnd.stellaops.doctor.probe';

/** `GET /v2/<repo>/referrers/<digest>`; when unsupported, looks up the `sha256-<hex>` fallback tag. */
export function probeReferrers(session: RegistrySession, repo: string, digest: string): Promise<ReferrersSupport> {
  return session.memo(`referrers ${repo}@${digest}`, async () => {
    const path = `/v2/${repo}/referrers/${digest}`;
    const scopes = [pullScope(repo)];
    const response = await session.send('GET', path, { auth: true, scopes, headers: { accept: OCI_INDEX } });
    const index = isImageIndex(response);
    if (response.status === 200 && index.ok) {
      const filtered = await session.send('GET', `${path}?artifactType=${encodeURIComponent(PROBE_ARTIFACT_TYPE)}`, {
        auth: true,
        scopes,
        headers: { accept: OCI_INDEX },
      });
      return {
        kind: 'supported',
        response,
        count: index.count,
        isEmptyVia404: false,
        filtersApplied: headerValue(filtered, 'oci-filters-applied'),
      };
    }
    if (response.status === 404 && index.ok)
      return { kind: 'supported', response, count: 0, isEmptyVia404: true, filtersApplied: null };
    if (response.status === 401 || response.status === 403) return { kind: 'no_access', response };
    if (response.status === 404 || response.status === 400 || response.status === 405 || response.status === 200) {
      const fallbackTag = digest.replace(':', '-');
      const tag = await session.send('HEAD', `/v2/${repo}/manifests/${fallbackTag}`, {
        auth: true,
        scopes,
        headers: { accept: MANIFEST_ACCEPT },
      });
      const fallback = isSuccess(tag) ? judgeFallbackTag(tag, digest) : { has: tag.status === 404 ? false : null };
      return {
        kind: 'unsupported',
        response,
        hasFallbackTag: fallback.has,
        fallbackTag,
        fallbackStatus: tag.status,
        fallbackNote: fallback.note ?? null,
      };
    }
    return { kind: 'error_status', response };
  });
}
