// The small base the registry-product fakes share: an HTTP server on 127.0.0.1 that logs every
// request, holds the test image, users with per-repository actions, and either a Docker token
// service (JWTs whose `access` is requested ∩ allowed) or Basic auth. Everything a product does its
// own way — challenge, token answer, what a refusal looks like (status, challenge, body), referrers,
// the fallback tag — comes from its spec in its own file (dockerhub-registry.ts, harbor-registry.ts …).

import http from 'node:http';
import { listenLocal, type Running } from './listen.js';
import { FAKE_DIGEST, FAKE_MANIFEST } from './oci11-registry.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export { FAKE_DIGEST };

export interface LoggedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
}

/** An account the fake knows: its password and the actions it may take on each repository. */
export interface FakeUser {
  password: string;
  repositories: Record<string, Array<'pull' | 'push' | 'delete'>>;
  /** The credential has expired (ECR: a password older than 12 hours). */
  isExpired?: boolean;
}

/** One answer of the fake: status, headers, body. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(value),
});
export const text = (status: number, body: string): Answer => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});
/** The distribution error envelope. */
export const errors = (status: number, code: string, message: string, headers: Record<string, string> = {}): Answer =>
  json(status, { errors: [{ code, message, detail: null }] }, headers);

/** Why the fake refuses a request: what the product's own refusal must say. */
export type Refusal =
  /** No credentials, or credentials the registry does not accept. */
  | 'unauthenticated'
  /** The credential expired. */
  | 'expired'
  /** Valid credentials without the action on the repository (or, on registries that hide it, no such repository). */
  | 'denied'
  /** The repository does not exist (answered where the product says so rather than hiding it). */
  | 'missing';

export interface RefusalContext {
  self: string;
  repository: string;
  action: 'pull' | 'push' | 'delete';
  /** The challenge a 401 of this product carries, with `error=` when asked for. */
  challenge: (error?: string) => string;
}

export interface ProductSpec {
  /** Docker token flow at `realmPath`, or Basic auth with this realm. */
  auth: { kind: 'bearer'; realmPath: string; service: (self: string) => string } | { kind: 'basic'; realm: string };
  /** Extra `service=` on a Basic challenge (ECR). */
  basicService?: string;
  /** Headers the product sends on every answer. */
  headers?: Record<string, string>;
  /** The token service's answer to a token it issues (fields besides the token). */
  tokenFields?: (token: string) => Record<string, unknown>;
  /** What the token service answers credentials it does not accept. */
  failedLogin: (ctx: { self: string; scopes: string[] }) => Answer | 'anonymous-token';
  /** The product's refusal of a registry request. */
  refuse: (why: Refusal, ctx: RefusalContext) => Answer;
  /** Whether the repository must exist before a push (ECR, Harbor projects). */
  isCreatedOnPush?: boolean;
  /** The referrers API (with the OCI index type), or a 404. */
  referrers: 'api' | 'none';
  /** Harbor: `/v2/` refuses a token without a subject (an anonymous user). */
  isV2ForUsersOnly?: boolean;
  /** GitLab: a tag `sha256-<hex>` is read as the digest `sha256:<hex>`. */
  resolvesDigestTags?: boolean;
  /** Every manifest answer carries these headers (Docker Hub's rate-limit headers). */
  manifestHeaders?: Record<string, string>;
  /** Answer every request with this (ACR's network rules refuse this client everywhere). */
  everything?: () => Answer;
  /** Answer manifest GETs (not HEADs) with this instead (Docker Hub over its pull limit). */
  manifestGet?: () => Answer | undefined;
}

export interface FakeRegistry extends Running {
  requests: LoggedRequest[];
}

export interface FakeOptions {
  users: Record<string, FakeUser>;
  /** Repositories that exist (the test image's repository is always one). */
  repositories: string[];
  /** Repositories anyone may pull. */
  publicRepositories?: string[];
}

const LIFETIME_SECONDS = 300;

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decodeBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => resolve(body));
  });
}

/** Starts a fake of one product with these users and repositories. */
export async function startProductRegistry(spec: ProductSpec, options: FakeOptions): Promise<FakeRegistry> {
  const requests: LoggedRequest[] = [];
  const tokens = new Map<string, { sub: string; access: Map<string, string[]> }>();
  let self = '';
  const publicRepos = new Set(options.publicRepositories ?? []);

  const challenge = (scope?: string) => (error?: string) =>
    spec.auth.kind === 'bearer'
      ? `Bearer realm="${self}${spec.auth.realmPath}",service="${spec.auth.service(self)}"` +
        (scope ? `,scope="${scope}"` : '') +
        (error ? `,error="${error}"` : '')
      : `Basic realm="${spec.auth.realm}"` + (spec.basicService ? `,service="${spec.basicService}"` : '');

  const allowed = (user: string | undefined, repo: string): string[] => [
    ...(user ? (options.users[user]?.repositories[repo] ?? []) : []),
    ...(publicRepos.has(repo) ? ['pull'] : []),
  ];

  function issueToken(query: URLSearchParams, authorization: string | undefined): Answer {
    const scopes = query.getAll('scope');
    const basic = decodeBasic(authorization);
    const user = basic ? options.users[basic.user] : undefined;
    const accepted = basic !== undefined && user !== undefined && user.password === basic.password;
    if (basic && !accepted) {
      const failed = spec.failedLogin({ self, scopes });
      if (failed !== 'anonymous-token') return failed;
    }
    const sub = accepted ? basic.user : '';
    const access = new Map<string, string[]>();
    for (const scope of scopes) {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop()!.split(',');
      const name = rest.join(':');
      if (type !== 'repository') continue;
      const granted = actions.filter((a) => allowed(accepted ? sub : undefined, name).includes(a));
      access.set(name, [...new Set([...(access.get(name) ?? []), ...granted])]);
    }
    const iat = Math.floor(Date.now() / 1000);
    const token = [
      b64url({ alg: 'RS256', typ: 'JWT' }),
      b64url({
        iss: 'fake-issuer',
        sub,
        aud: spec.auth.kind === 'bearer' ? spec.auth.service(self) : '',
        iat,
        nbf: iat,
        exp: iat + LIFETIME_SECONDS,
        access: [...access].map(([name, actions]) => ({ type: 'repository', name, actions })),
      }),
      'c2lnbmF0dXJl',
    ].join('.');
    tokens.set(token, { sub, access });
    return json(200, { token, ...(spec.tokenFields?.(token) ?? {}) });
  }

  /** Who asks and what they may do on the repository; null when the credentials are not accepted. */
  function caller(
    authorization: string | undefined,
    repo: string,
  ): { actions: string[]; user?: FakeUser; sub?: string } | null {
    if (authorization === undefined) return { actions: allowed(undefined, repo) };
    if (spec.auth.kind === 'bearer') {
      const token = authorization.startsWith('Bearer ') ? tokens.get(authorization.slice(7)) : undefined;
      return token ? { actions: token.access.get(repo) ?? [], sub: token.sub } : null;
    }
    const basic = decodeBasic(authorization);
    const user = basic ? options.users[basic.user] : undefined;
    if (!basic || !user || user.password !== basic.password) return null;
    return { actions: allowed(basic.user, repo), user };
  }

  function route(method: string, path: string, query: URLSearchParams, authorization?: string): Answer {
    if (spec.everything) return spec.everything();
    if (spec.auth.kind === 'bearer' && path === spec.auth.realmPath) return issueToken(query, authorization);
    if (path === '/v2/') {
      if (!authorization)
        return errors(401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': challenge()() });
      const who = caller(authorization, '');
      if (!who || (spec.isV2ForUsersOnly && who.sub === ''))
        return spec.refuse('unauthenticated', { self, repository: '', action: 'pull', challenge: challenge() });
      if (who.user?.isExpired)
        return spec.refuse('expired', { self, repository: '', action: 'pull', challenge: challenge() });
      return json(200, {});
    }
    const match = /^\/v2\/(.+?)\/(manifests|blobs|referrers)\/(.*)$/.exec(path);
    if (!match) return errors(404, 'NOT_FOUND', 'not found');
    const [, repo, kind, rest] = match as unknown as [string, string, string, string];
    const action =
      method === 'GET' || method === 'HEAD' || method === 'OPTIONS'
        ? 'pull'
        : method === 'DELETE' && !rest.startsWith('uploads/')
          ? 'delete'
          : 'push';
    const scope = `repository:${repo}:${action === 'pull' ? 'pull' : 'pull,push'}`;
    const ctx: RefusalContext = { self, repository: repo, action, challenge: challenge(scope) };
    const who = caller(authorization, repo);
    if (!who) return spec.refuse('unauthenticated', ctx);
    if (who.user?.isExpired) return spec.refuse('expired', ctx);
    const exists = options.repositories.includes(repo);
    if (!who.actions.includes(action)) {
      if (authorization === undefined) return spec.refuse('unauthenticated', ctx);
      return spec.refuse(!exists && action === 'push' && !spec.isCreatedOnPush ? 'missing' : 'denied', ctx);
    }
    if (!exists && !(action === 'push' && spec.isCreatedOnPush)) return spec.refuse('missing', ctx);
    if (kind === 'manifests') return manifest(method, rest);
    if (kind === 'referrers')
      return spec.referrers === 'api'
        ? json(200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }, { 'content-type': OCI_INDEX })
        : errors(404, 'NOT_FOUND', 'page not found');
    if (rest === 'uploads/' && method === 'POST')
      return {
        status: 202,
        headers: { location: `/v2/${repo}/blobs/uploads/session-1`, 'docker-upload-uuid': 'session-1' },
      };
    if (rest.startsWith('uploads/') && method === 'DELETE') return { status: 204 };
    return errors(404, 'BLOB_UNKNOWN', 'blob unknown to registry');
  }

  function manifest(method: string, reference: string): Answer {
    const headers = { ...spec.manifestHeaders };
    if (method === 'OPTIONS') return { status: 200, headers: { ...headers, allow: 'GET, HEAD, PUT, DELETE, OPTIONS' } };
    if (method === 'DELETE') return errors(404, 'MANIFEST_UNKNOWN', 'manifest unknown', headers);
    const digestTag = spec.resolvesDigestTags && reference === FAKE_DIGEST.replace(':', '-');
    if (reference !== 'latest' && reference !== FAKE_DIGEST && !digestTag)
      return errors(404, 'MANIFEST_UNKNOWN', 'manifest unknown', headers);
    const limited = method === 'GET' ? spec.manifestGet?.() : undefined;
    if (limited) return limited;
    return {
      status: 200,
      headers: { ...headers, 'content-type': OCI_MANIFEST, 'docker-content-digest': FAKE_DIGEST },
      body: FAKE_MANIFEST.toString('utf8'),
    };
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    await readBody(req);
    const answer = route(req.method ?? 'GET', url.pathname, url.searchParams, req.headers.authorization);
    res.writeHead(answer.status, {
      'docker-distribution-api-version': 'registry/2.0',
      ...spec.headers,
      ...answer.headers,
    });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  });
  const running = await listenLocal(server);
  self = running.url;
  return { ...running, requests };
}
