// A registry of the tests' own that misbehaves on purpose, one named behaviour at a time. Each
// behaviour is a small handler over a well-behaved registry (Basic or token auth, the test image,
// referrers, uploads, mounts, deletes) that it overrides where it misbehaves. A world is the
// registry (plain HTTP or TLS on 127.0.0.1) plus the places a secret must never reach: "another
// host" on 127.0.0.2 and a plain-HTTP origin on 127.0.0.1 that an https registry downgrades to.
// Every fake records every request it receives (method, URL, headers, body), so tests can tell
// which host received which secret. Raw-socket behaviours cover what an HTTP server cannot send.

import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { listenLocal, type LoopbackAddress, type Running } from './listen.js';
import { FAKE_DIGEST, FAKE_MANIFEST } from './oci11-registry.js';

/** The canary credential and the tokens the fakes issue; none may reach a host it does not belong to. */
export const CANARY = {
  username: 'hostile-canary-user',
  password: 'hostile-Canary-Pass-7',
  token: 'hostile-Issued-Token-3f9a',
  refreshToken: 'hostile-Refresh-Token-81c4',
  identityToken: 'hostile-Identity-Token-5e2d',
};
const BASIC = `Basic ${Buffer.from(`${CANARY.username}:${CANARY.password}`).toString('base64')}`;
/** What the token services hand out to a client that sent no credentials. */
export const ANONYMOUS_TOKEN = 'hostile-anonymous-token';

/** Every form a canary secret can travel in, and every token the fakes issue. */
export const SECRETS: string[] = [
  CANARY.password,
  encodeURIComponent(CANARY.password),
  BASIC.slice('Basic '.length),
  CANARY.token,
  CANARY.refreshToken,
  CANARY.identityToken,
];

export interface SeenRequest {
  origin: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HostileRequest extends SeenRequest {
  path: string;
  query: URLSearchParams;
}

export interface HostileContext {
  /** This registry's origin. */
  self: string;
  /** "Another host": the fake on 127.0.0.2. */
  other: string;
  /** A plain-HTTP origin on 127.0.0.1, what an https registry downgrades to. */
  plain: string;
  /** Answer as the well-behaved registry would. */
  next(): void;
}

type Handler = (req: HostileRequest, res: http.ServerResponse, ctx: HostileContext) => void;

export interface Behaviour {
  auth: 'basic' | 'bearer';
  tls?: boolean;
  handle: Handler;
}

const MIB = 1024 * 1024;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

function send(
  res: http.ServerResponse,
  status: number,
  headers: http.OutgoingHttpHeaders = {},
  body: string | Buffer = '',
): void {
  res.writeHead(status, { 'docker-distribution-api-version': 'registry/2.0', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const json = (res: http.ServerResponse, status: number, value: unknown, headers: http.OutgoingHttpHeaders = {}): void =>
  send(res, status, { 'content-type': 'application/json', ...headers }, JSON.stringify(value));

const registryError = (
  res: http.ServerResponse,
  status: number,
  code: string,
  headers: http.OutgoingHttpHeaders = {},
): void => json(res, status, { errors: [{ code, message: code.toLowerCase() }] }, headers);

const redirect = (res: http.ServerResponse, status: number, location: string): void => send(res, status, { location });

/** A token answer whose fields are all canaries, with overrides. */
const tokenBody = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  token: CANARY.token,
  access_token: CANARY.token,
  refresh_token: CANARY.refreshToken,
  expires_in: 300,
  issued_at: new Date().toISOString(),
  ...fields,
});

/** Bearer tokens the well-behaved registry accepts for writing. */
const ISSUED = [CANARY.token];

/** A token the fakes hand out: a secret from now on. */
function issued(token: string): string {
  ISSUED.push(token);
  SECRETS.push(token);
  return token;
}

/** A JWT with this payload (header and signature are decoration: clients decode, never verify); issued, so a secret. */
function jwt(payload: string): string {
  return issued(
    ['{"alg":"RS256","typ":"JWT"}', payload, 'signature']
      .map((part) => Buffer.from(part).toString('base64url'))
      .join('.'),
  );
}

/** Streams `total` bytes (Infinity: until the client leaves) after `prefix`, paced by drain. */
function stream(
  res: http.ServerResponse,
  status: number,
  headers: http.OutgoingHttpHeaders,
  total: number,
  prefix = '',
): void {
  res.writeHead(status, Number.isFinite(total) ? { ...headers, 'content-length': String(total) } : headers);
  if (res.req.method === 'HEAD') return void res.end();
  let left = total - Buffer.byteLength(prefix);
  res.write(prefix);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let open = true;
  res.on('close', () => (open = false));
  const pump = (): void => {
    if (!open) return;
    if (left <= 0) return void res.end();
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= piece.length;
    if (res.write(piece)) setImmediate(pump);
    else res.once('drain', pump);
  };
  pump();
}

/** Whether the request carries what the well-behaved registry accepts for this method. */
function isAuthorized(req: HostileRequest, auth: Behaviour['auth']): boolean {
  const header = req.headers.authorization;
  if (auth === 'basic') return header === BASIC;
  if (header?.startsWith('Bearer ') && ISSUED.includes(header.slice('Bearer '.length))) return true;
  // Anonymous tokens read, never write (Docker Hub's rule).
  return header === `Bearer ${ANONYMOUS_TOKEN}` && ['GET', 'HEAD', 'OPTIONS'].includes(req.method);
}

/** The well-behaved token service: the canary password or identity token get the canary token, nobody gets an anonymous one. */
function issueToken(req: HostileRequest, res: http.ServerResponse): void {
  if (req.method === 'POST') {
    const form = new URLSearchParams(req.body);
    const isValid =
      form.get('grant_type') === 'refresh_token'
        ? form.get('refresh_token') === CANARY.identityToken
        : form.get('password') === CANARY.password;
    return isValid ? json(res, 200, tokenBody()) : json(res, 401, { error: 'invalid_grant' });
  }
  if (req.headers.authorization === undefined) return json(res, 200, { token: ANONYMOUS_TOKEN, expires_in: 300 });
  return req.headers.authorization === BASIC
    ? json(res, 200, tokenBody())
    : json(res, 401, { details: 'incorrect username or password' });
}

const challengeOf = (auth: Behaviour['auth'], self: string): string =>
  auth === 'basic' ? 'Basic realm="hostile"' : `Bearer realm="${self}/token",service="hostile"`;

/** A registry that does everything right: all six checks pass against it. */
function wellBehaved(auth: Behaviour['auth']): Handler {
  return (req, res, ctx) => {
    if (req.path === '/token' && auth === 'bearer') return issueToken(req, res);
    if (!isAuthorized(req, auth))
      return registryError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': challengeOf(auth, ctx.self) });
    if (req.path === '/v2/') return json(res, 200, {});
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(req.path);
    if (manifest) {
      if (req.method === 'OPTIONS') return send(res, 200, { allow: 'GET, HEAD, PUT, DELETE, OPTIONS' });
      if (req.method === 'DELETE') return registryError(res, 404, 'MANIFEST_UNKNOWN');
      if (manifest[2] !== 'latest' && manifest[2] !== FAKE_DIGEST) return registryError(res, 404, 'MANIFEST_UNKNOWN');
      return send(
        res,
        200,
        {
          'content-type': OCI_MANIFEST,
          'docker-content-digest': FAKE_DIGEST,
          'content-length': String(FAKE_MANIFEST.length),
        },
        FAKE_MANIFEST,
      );
    }
    if (/\/referrers\//.test(req.path))
      return json(res, 200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }, { 'content-type': OCI_INDEX });
    const uploads = /^\/v2\/(.+)\/blobs\/uploads\/?(.*)$/.exec(req.path);
    if (uploads) {
      if (req.method === 'DELETE') return send(res, 204);
      const mount = req.query.get('mount');
      if (mount)
        return send(res, 201, { location: `/v2/${uploads[1]}/blobs/${mount}`, 'docker-content-digest': mount });
      return send(res, 202, {
        location: `/v2/${uploads[1]}/blobs/uploads/session-1`,
        'docker-upload-uuid': 'session-1',
      });
    }
    if (/^\/v2\/.+\/blobs\/[^/]+$/.test(req.path) && req.method === 'DELETE') return send(res, 202);
    return registryError(res, 404, 'NAME_UNKNOWN');
  };
}

/** What a request is: an upload opened (not a mount), a mount, a manifest request, a token request. */
const isUpload = (req: HostileRequest): boolean =>
  /\/blobs\/uploads\/$/.test(req.path) && req.method === 'POST' && !req.query.has('mount');
const isMount = (req: HostileRequest): boolean => req.method === 'POST' && req.query.has('mount');
const isManifest = (req: HostileRequest): boolean => /\/manifests\//.test(req.path);
const isToken = (req: HostileRequest): boolean => req.path === '/token';
/** The `…/blobs/uploads/` path of the repository a request names. */
const uploadsOf = (req: HostileRequest): string =>
  req.path.replace(/\/?$/, '/').replace(/\/blobs\/uploads\/.*$/, '/blobs/uploads/');

/** A registry whose token service misbehaves. */
const tokenService = (answer: Handler): Behaviour => ({
  auth: 'bearer',
  handle: (req, res, ctx) => (isToken(req) ? answer(req, res, ctx) : ctx.next()),
});
/** A token service that issues `fields` on top of the canary token answer. */
const tokenAnswer = (fields: Record<string, unknown>): Behaviour =>
  tokenService((req, res, ctx) =>
    req.headers.authorization === BASIC ? json(res, 200, tokenBody(fields)) : ctx.next(),
  );
/** A token service that issues a JWT with this payload. */
const jwtPayload = (payload: string): Behaviour => tokenAnswer({ token: jwt(payload), access_token: undefined });
/** A registry whose anonymous `/v2/` challenge is this WWW-Authenticate value (or values). */
const challenge = (value: string | string[]): Behaviour => ({
  auth: 'bearer',
  handle: (req, res, ctx) =>
    req.path === '/v2/' && !req.headers.authorization
      ? registryError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': value })
      : ctx.next(),
});
/** A registry (Basic or token auth, plain or TLS) that opens uploads at this Location. */
const uploadAt = (
  location: (req: HostileRequest, ctx: HostileContext) => string | undefined,
  auth: Behaviour['auth'] = 'basic',
  tls = false,
): Behaviour => ({
  auth,
  tls,
  handle: (req, res, ctx) => {
    if (!isUpload(req) || !isAuthorized(req, auth)) return ctx.next();
    const target = location(req, ctx);
    send(res, 202, target === undefined ? {} : { location: target });
  },
});
/** A registry that answers the test manifest with a redirect to this Location. */
const manifestRedirect = (location: (ctx: HostileContext) => string, tls = false): Behaviour => ({
  auth: 'basic',
  tls,
  handle: (req, res, ctx) =>
    isManifest(req) && req.method !== 'OPTIONS' && req.method !== 'DELETE' && isAuthorized(req, 'basic')
      ? redirect(res, 302, location(ctx))
      : ctx.next(),
});
/** A registry that answers every request alike. */
const everything = (status: number, headers: http.OutgoingHttpHeaders = {}, body = ''): Behaviour => ({
  auth: 'basic',
  handle: (_req, res) => send(res, status, headers, body),
});
/** A registry whose test manifest GET answers `total` bytes (HEAD: the headers only). */
const manifestBody = (total: number, headers: http.OutgoingHttpHeaders = {}, prefix = ''): Behaviour => ({
  auth: 'basic',
  handle: (req, res, ctx) =>
    isManifest(req) && req.method === 'GET' && isAuthorized(req, 'basic')
      ? stream(
          res,
          200,
          { 'content-type': OCI_MANIFEST, 'docker-content-digest': FAKE_DIGEST, ...headers },
          total,
          prefix,
        )
      : ctx.next(),
});

const NESTED_DEPTH = 2 * MIB - 8;

export const BEHAVIOURS = {
  'well-behaved-basic': { auth: 'basic', handle: (_req, _res, ctx) => ctx.next() },
  'well-behaved-token': { auth: 'bearer', handle: (_req, _res, ctx) => ctx.next() },

  // WWW-Authenticate
  'challenge-malformed': challenge('Bearer realm="https://unterminated, ,,=,"service'),
  'challenge-empty': challenge(''),
  'challenge-1-mib': challenge(`Bearer realm="http://127.0.0.1/token",service="${'s'.repeat(MIB)}"`),
  'challenge-basic-and-bearer': {
    auth: 'bearer',
    handle: (req, res, ctx) =>
      req.path === '/v2/' && !req.headers.authorization
        ? registryError(res, 401, 'UNAUTHORIZED', {
            'www-authenticate': ['Basic realm="hostile"', challengeOf('bearer', ctx.self)],
          })
        : ctx.next(),
  },
  'challenge-duplicated': {
    auth: 'bearer',
    handle: (req, res, ctx) =>
      req.path === '/v2/' && !req.headers.authorization
        ? registryError(res, 401, 'UNAUTHORIZED', {
            'www-authenticate': [challengeOf('bearer', ctx.self), challengeOf('bearer', ctx.self)],
          })
        : ctx.next(),
  },
  'realm-not-a-url': challenge('Bearer realm="token service, please",service="hostile"'),
  'realm-javascript': challenge('Bearer realm="javascript:alert(document.cookie)",service="hostile"'),
  'realm-file': challenge('Bearer realm="file:///etc/passwd",service="hostile"'),
  'realm-data': challenge(
    `Bearer realm="data:application/json,{\\"token\\":\\"${ANONYMOUS_TOKEN}\\"}",service="hostile"`,
  ),

  // Token services
  'token-not-json': tokenService((_req, res) =>
    send(res, 200, { 'content-type': 'text/html' }, '<html><body>Sign in</body></html>'),
  ),
  'token-without-token-fields': tokenService((_req, res) =>
    json(res, 200, { expires_in: 300, scope: 'repository:library/alpine:pull' }),
  ),
  'token-endless': tokenService((_req, res) =>
    stream(res, 200, { 'content-type': 'application/json' }, Infinity, '{"token":"'),
  ),
  'token-50-mib': tokenService((_req, res) =>
    stream(res, 200, { 'content-type': 'application/json' }, 50 * MIB, '{"token":"'),
  ),
  'token-rate-limited': tokenService((_req, res) =>
    json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS' }] }, { 'retry-after': '60' }),
  ),
  'token-expires-in-1e20': tokenAnswer({ expires_in: 1e20 }),
  'token-expires-in-not-a-number': tokenAnswer({ expires_in: 'forever' }),
  'token-issued-at-largest-date': tokenAnswer({ issued_at: '+275760-09-13T00:00:00.000Z' }),
  'jwt-payload-not-base64': tokenAnswer({
    token: issued('eyJhbGciOiJSUzI1NiJ9.!!not*base64!!.c2ln'),
    access_token: undefined,
  }),
  'jwt-payload-not-json': jwtPayload('{"exp": tomorrow'),
  'jwt-payload-wrong-types': jwtPayload('{"exp":"soon","access":{"type":"repository"},"iat":[]}'),
  'jwt-exp-out-of-range': jwtPayload('{"exp":1e20,"access":[]}'),
  'token-get-405-post-redirected-cross-host': tokenService((req, res, ctx) =>
    req.method === 'GET' ? send(res, 405) : redirect(res, 307, `${ctx.other}/token`),
  ),
  'token-realm-redirected-cross-host': tokenService((_req, res, ctx) => redirect(res, 307, `${ctx.other}/token`)),
  'token-realm-redirected-to-http': {
    auth: 'bearer',
    tls: true,
    handle: (req, res, ctx) => (isToken(req) ? redirect(res, 307, `${ctx.plain}/token`) : ctx.next()),
  },
  'token-realm-redirected-same-origin': {
    auth: 'bearer',
    handle: (req, res, ctx) => {
      if (isToken(req)) return redirect(res, 302, req.url.replace('/token', '/auth/token'));
      if (req.path === '/auth/token') req.path = '/token';
      ctx.next();
    },
  },

  // Upload sessions and mounts: where the cancel goes, and with what
  'upload-location-cross-host-basic': uploadAt((req, ctx) => `${ctx.other}${uploadsOf(req)}session-x`),
  'upload-location-cross-host-bearer': uploadAt((req, ctx) => `${ctx.other}${uploadsOf(req)}session-x`, 'bearer'),
  'upload-location-downgraded-to-http': uploadAt((req, ctx) => `${ctx.plain}${uploadsOf(req)}session-x`, 'basic', true),
  'upload-location-absolute-same-origin': uploadAt((req, ctx) => `${ctx.self}${uploadsOf(req)}session-abs`),
  'upload-location-malformed': uploadAt(() => 'http://[::1'),
  'upload-location-javascript': uploadAt(() => 'javascript:alert(document.cookie)'),
  'upload-location-huge': uploadAt((req) => `${uploadsOf(req)}${'s'.repeat(12 * 1024)}`),
  'upload-without-location': uploadAt(() => undefined),
  'upload-redirected-then-relative-location': {
    auth: 'basic',
    handle: (req, res, ctx) => {
      if (isUpload(req) && req.path.startsWith('/v2/') && isAuthorized(req, 'basic'))
        return redirect(res, 307, `/mirror${req.path}`);
      if (req.path.startsWith('/mirror/'))
        return req.method === 'DELETE' ? send(res, 204) : send(res, 202, { location: 'session-m' });
      // The session lives under /mirror/ only: a cancel resolved against the registry URL misses it.
      if (req.method === 'DELETE' && req.path.endsWith('/session-m'))
        return registryError(res, 404, 'BLOB_UPLOAD_UNKNOWN');
      ctx.next();
    },
  },
  'mount-location-cross-host': {
    auth: 'basic',
    handle: (req, res, ctx) =>
      isMount(req) && isAuthorized(req, 'basic')
        ? send(res, 202, { location: `${ctx.other}${uploadsOf(req)}mount-x` })
        : ctx.next(),
  },
  'mount-location-downgraded-to-http': {
    auth: 'basic',
    tls: true,
    handle: (req, res, ctx) =>
      isMount(req) && isAuthorized(req, 'basic')
        ? send(res, 202, { location: `${ctx.plain}${uploadsOf(req)}mount-x` })
        : ctx.next(),
  },
  'mount-bare-201': { auth: 'basic', handle: (req, res, ctx) => (isMount(req) ? send(res, 201) : ctx.next()) },

  // Redirects
  'redirect-loop': {
    auth: 'basic',
    handle: (req, res, ctx) =>
      req.path.startsWith('/v2/library/')
        ? redirect(
            res,
            302,
            req.path.endsWith('/a') ? req.path.replace(/\/a$/, '/b') : `${req.path.replace(/\/b$/, '')}/a`,
          )
        : ctx.next(),
  },
  'redirect-chain-too-long': {
    auth: 'basic',
    handle: (req, res, ctx) =>
      isManifest(req) && req.method !== 'OPTIONS' ? redirect(res, 302, `${req.path}/hop`) : ctx.next(),
  },
  'redirect-chain-same-origin': {
    auth: 'basic',
    handle: (req, res, ctx) => {
      const hops = (/(\/hop)*$/.exec(req.path)?.[0].length ?? 0) / 4;
      if (!isManifest(req) || req.method === 'OPTIONS' || req.method === 'DELETE') return ctx.next();
      if (hops < 3) return redirect(res, 307, `${req.path}/hop`);
      req.path = req.path.replace(/(\/hop)+$/, '');
      ctx.next();
    },
  },
  'v2-location-unparseable': {
    auth: 'basic',
    handle: (req, res, ctx) => (req.path === '/v2/' ? redirect(res, 302, 'http://[::1') : ctx.next()),
  },
  'v2-location-cross-host': {
    auth: 'basic',
    handle: (req, res, ctx) => (req.path === '/v2/' ? redirect(res, 302, `${ctx.other}/v2/`) : ctx.next()),
  },
  'v2-location-downgraded-to-http': {
    auth: 'basic',
    tls: true,
    handle: (req, res, ctx) => (req.path === '/v2/' ? redirect(res, 302, `${ctx.plain}/v2/`) : ctx.next()),
  },
  'v2-location-relative': {
    auth: 'basic',
    handle: (req, res, ctx) => (req.path === '/v2/' ? redirect(res, 301, '/registry/v2/') : ctx.next()),
  },
  'v2-location-huge': {
    auth: 'basic',
    handle: (req, res, ctx) => (req.path === '/v2/' ? redirect(res, 302, `/${'v'.repeat(15 * 1024)}/v2/`) : ctx.next()),
  },
  'manifest-location-unparseable': manifestRedirect(() => 'http://[::1'),
  'manifest-location-cross-host': manifestRedirect((ctx) => `${ctx.other}/v2/library/alpine/manifests/latest`),
  'manifest-location-downgraded-to-http': manifestRedirect(
    (ctx) => `${ctx.plain}/v2/library/alpine/manifests/latest`,
    true,
  ),

  // Answers that are not what they claim
  'everything-200': everything(200, { 'content-type': 'application/json' }, '{}'),
  'everything-201': everything(201),
  'everything-404': everything(404, { 'content-type': 'text/plain' }, '404 page not found\n'),
  'everything-429-retry-after': everything(
    429,
    { 'retry-after': '3600', 'content-type': 'application/json' },
    JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS' }] }),
  ),
  'everything-429-retry-after-date': everything(429, { 'retry-after': 'Wed, 21 Oct 2099 07:28:00 GMT' }),
  'everything-429-no-retry-after': everything(
    429,
    { 'content-type': 'application/json' },
    JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS' }] }),
  ),
  'manifest-html-200': {
    auth: 'basic',
    handle: (req, res, ctx) =>
      isManifest(req) && ['GET', 'HEAD'].includes(req.method) && isAuthorized(req, 'basic')
        ? send(res, 200, { 'content-type': 'text/html' }, '<html><body>Welcome</body></html>')
        : ctx.next(),
  },
  'referrers-html-200': {
    auth: 'basic',
    handle: (req, res, ctx) =>
      /\/referrers\//.test(req.path)
        ? send(res, 200, { 'content-type': 'text/html' }, '<html><body>Referrers</body></html>')
        : ctx.next(),
  },
  'errors-as-html': {
    auth: 'basic',
    handle: (req, res, ctx) =>
      req.path === '/v2/' || !isAuthorized(req, 'basic')
        ? ctx.next()
        : send(res, 404, { 'content-type': 'text/html' }, '<html><body>Not Found</body></html>'),
  },

  // Bodies that never end or are too large to hold
  'body-endless': {
    auth: 'basic',
    handle: (_req, res) => stream(res, 200, { 'content-type': 'application/json' }, Infinity),
  },
  'manifest-100-mib': manifestBody(100 * MIB, {}, '{"schemaVersion":2,"annotations":{"pad":"'),
  'manifest-endless': manifestBody(Infinity, {}, '{"schemaVersion":2,"annotations":{"pad":"'),
  'manifest-4-mib-nested-arrays': {
    auth: 'basic',
    handle: (req, res, ctx) => {
      if (!(isManifest(req) && req.method === 'GET' && isAuthorized(req, 'basic'))) return ctx.next();
      const body = '['.repeat(NESTED_DEPTH) + ']'.repeat(NESTED_DEPTH);
      send(
        res,
        200,
        {
          'content-type': OCI_MANIFEST,
          'docker-content-digest': `sha256:${createHash('sha256').update(body).digest('hex')}`,
        },
        body,
      );
    },
  },
} satisfies Record<string, Behaviour>;

export type BehaviourName = keyof typeof BEHAVIOURS;

/** Misbehaviours below HTTP, written to the socket by hand once a request arrives. */
export const RAW_BEHAVIOURS = {
  silent: () => undefined,
  'trickling-headers': (socket: net.Socket) => trickle(socket, 'HTTP/1.1 200 OK\r\nX-Slow: '),
  'trickling-body': (socket: net.Socket) =>
    trickle(socket, 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{'),
  'closed-mid-headers': (socket: net.Socket) => socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer rea'),
  'status-line-not-a-number': (socket: net.Socket) => socket.end('HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n'),
  'status-line-missing': (socket: net.Socket) => socket.end('{"errors":[]}\r\n\r\n'),
  'status-code-999': (socket: net.Socket) => socket.write('HTTP/1.1 999 Whatever\r\nContent-Length: 0\r\n\r\n'),
  'reset-on-request': (socket: net.Socket) => socket.resetAndDestroy(),
} satisfies Record<string, (socket: net.Socket) => void>;

export type RawBehaviourName = keyof typeof RAW_BEHAVIOURS;

/** Writes `start`, then one byte every 100 ms until the client leaves. */
function trickle(socket: net.Socket, start: string): void {
  socket.write(start);
  const timer = setInterval(() => (socket.writable ? socket.write('x') : clearInterval(timer)), 100);
  socket.on('close', () => clearInterval(timer));
}

export interface Fake extends Running {
  origin: string;
  log: SeenRequest[];
}

/** Records every request, body included, then hands it to `handle`. */
async function startFake(
  handle: (req: HostileRequest, res: http.ServerResponse) => void,
  host: LoopbackAddress,
  tls?: { cert: Buffer; key: Buffer },
): Promise<Fake> {
  const log: SeenRequest[] = [];
  let origin = '';
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        origin,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      log.push(seen);
      const url = new URL(seen.url, 'http://fake');
      handle({ ...seen, path: url.pathname, query: url.searchParams }, res);
    });
  };
  // Room for the long URLs some behaviours make the client send.
  const options = { maxHeaderSize: 64 * 1024 };
  const server = tls
    ? https.createServer({ ...options, cert: tls.cert, key: tls.key }, onRequest)
    : http.createServer(options, onRequest);
  const running = await listenLocal(server, tls ? 'https' : 'http', host);
  origin = running.url;
  return { ...running, origin, log };
}

/** Where secrets must never go: answers token requests anonymously and everything else 401. */
function elsewhere(req: HostileRequest, res: http.ServerResponse): void {
  if (req.path.endsWith('/token')) return json(res, 200, { token: ANONYMOUS_TOKEN, expires_in: 300 });
  if (req.method === 'DELETE') return send(res, 204);
  registryError(res, 401, 'UNAUTHORIZED');
}

export interface HostileWorld {
  registry: Fake;
  other: Fake;
  plain: Fake;
  /** Every fake's log, for the leak assertions. */
  fakes: Fake[];
  close(): Promise<void>;
}

/** The registry with this behaviour, another host on 127.0.0.2 and a plain-HTTP origin. */
export async function startHostileWorld(
  name: BehaviourName,
  tls?: { cert: Buffer; key: Buffer },
): Promise<HostileWorld> {
  const behaviour: Behaviour = BEHAVIOURS[name];
  if (behaviour.tls && !tls) throw new Error(`${name} needs a TLS certificate`);
  const [other, plain] = await Promise.all([startFake(elsewhere, '127.0.0.2'), startFake(elsewhere, '127.0.0.1')]);
  const fallback = wellBehaved(behaviour.auth);
  const registry = await startFake(
    (req, res) => {
      const ctx: HostileContext = {
        self: registry.origin,
        other: other.origin,
        plain: plain.origin,
        next: () => fallback(req, res, ctx),
      };
      behaviour.handle(req, res, ctx);
    },
    '127.0.0.1',
    behaviour.tls ? tls : undefined,
  );
  const fakes = [registry, other, plain];
  return { registry, other, plain, fakes, close: async () => void (await Promise.all(fakes.map((f) => f.close()))) };
}

export interface RawFake extends Running {
  /** Everything the client sent, per connection. */
  received: string[];
}

/** A TCP server on 127.0.0.1 that answers each request with a raw behaviour. */
export async function startRawFake(name: RawBehaviourName): Promise<RawFake> {
  const received: string[] = [];
  const server = net.createServer((socket) => {
    const index = received.push('') - 1;
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      received[index] += data.toString('latin1');
      if (data.includes('\r\n\r\n')) RAW_BEHAVIOURS[name](socket);
    });
  });
  return { ...(await listenLocal(server)), received };
}
